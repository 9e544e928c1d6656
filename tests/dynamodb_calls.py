"""Count the DynamoDB calls a block of code makes, from any thread.

Used to prove that a GraphQL request costs a fixed number of DynamoDB calls whatever
the page size (no N+1). Resolvers run storage work in a thread pool, so the count must
see calls made from worker threads too.

Where the hook goes, and why in two places: PynamoDB sends every call through a
botocore client, and each client copies the event handlers of the botocore session it
was made from when it is made. Every item class keeps its own connection whose client
may already exist; ``commerce.db.table.transaction()`` makes a fresh connection per
write, and a connection's session is per thread. So the counter registers its
``before-call.dynamodb`` handler on every existing item-class client, and on every
session PynamoDB creates while counting (clients made from those inherit it).
``before-call`` fires once per API call, not once per HTTP retry.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import botocore.session
import pynamodb.connection.base as pynamodb_connection
from botocore.hooks import BaseEventHooks

from commerce.db.table import TableItem

EVENT = "before-call.dynamodb"


class DynamoDBCalls:
    """The DynamoDB operations seen so far, in the order they were made."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._operations: list[str] = []

    def record(self, model: Any, **_: Any) -> None:
        """A botocore ``before-call`` handler: ``model`` is the operation's model."""
        with self._lock:
            self._operations.append(str(model.name))

    @property
    def operations(self) -> list[str]:
        """Operation names such as ``Query``, ``BatchGetItem``, ``TransactWriteItems``."""
        with self._lock:
            return list(self._operations)

    @property
    def total(self) -> int:
        """How many calls were made."""
        return len(self.operations)

    def by_operation(self) -> Counter[str]:
        """Calls per operation name."""
        return Counter(self.operations)

    def reset(self) -> None:
        """Forget the calls counted so far (e.g. after arranging data)."""
        with self._lock:
            self._operations.clear()


def _item_classes() -> list[type[TableItem]]:
    found: list[type[TableItem]] = [TableItem]
    for cls in found:
        found.extend(cls.__subclasses__())
    return found


@contextmanager
def count_dynamodb_calls() -> Iterator[DynamoDBCalls]:
    """Count every DynamoDB call PynamoDB makes inside the block, from any thread.

    Import every module that defines item classes (the composition root does) before
    entering, so their connections get the hook.
    """
    calls = DynamoDBCalls()
    hooked: list[BaseEventHooks] = []

    def hook(events: BaseEventHooks) -> None:
        if not any(events is seen for seen in hooked):
            events.register(EVENT, calls.record)
            hooked.append(events)

    for cls in _item_classes():
        hook(cls._get_connection().connection.client.meta.events)

    make_session = pynamodb_connection.get_session

    def session_with_hook() -> botocore.session.Session:
        session = make_session()
        hook(session.get_component("event_emitter"))
        return session

    pynamodb_connection.get_session = session_with_hook  # type: ignore[assignment]
    try:
        yield calls
    finally:
        pynamodb_connection.get_session = make_session
        for events in hooked:
            events.unregister(EVENT, calls.record)
