"""Whole responses of storefront queries that read nothing but the catalog view.

A shopper's listing or product page is computed from the in-memory catalog view
alone, so while that view stays the same, the same operation with the same
variables gives the same bytes. Keeping them skips the GraphQL execution, which
is most of the cost of a 50-product page (see
``docs/decisions/0003-response-cache.md``). Entries belong to the view they were
computed from and die with it: a cached response is never older than the view
that a fresh execution would read.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import FieldNode, OperationDefinitionNode
from graphql.language import OperationType

from commerce.web.documents import parsed

MAX_ENTRIES = 256
MAX_BODY_BYTES = 256 * 1024


def reads_only(query: str, operation_name: str | None, root_fields: frozenset[str]) -> bool:
    """Whether the chosen operation is a query whose root fields are all in ``root_fields``."""
    document = parsed(query)
    if document is None:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [
            o for o in operations if o.name is not None and o.name.value == operation_name
        ]
    if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
        return False
    selections = operations[0].selection_set.selections
    return all(
        isinstance(s, FieldNode) and (s.name.value in root_fields or s.name.value == "__typename")
        for s in selections
    )


@dataclass(frozen=True, slots=True)
class _Entry:
    """A stored body and the catalog view it was computed from, which it lives as long as."""

    version: object
    body: bytes


class ResponseCache:
    """An LRU of response bodies, each valid while its catalog view is current."""

    def __init__(
        self,
        root_fields: frozenset[str],
        current_version: Callable[[], object | None],
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self._root_fields = root_fields
        self._current_version = current_version
        self._max_entries = max_entries
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def key(
        self,
        query: str,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        media_type: str,
    ) -> tuple[Hashable, object] | None:
        """The cache key and view of a cacheable request, or None when it must execute."""
        version = self._current_version()
        if version is None or not reads_only(query, operation_name, self._root_fields):
            return None
        try:
            encoded = json.dumps(variables or {}, sort_keys=True, separators=(",", ":"))
        except (TypeError, ValueError):
            return None
        return (query, encoded, operation_name, media_type), version

    def get(self, key: Hashable, version: object) -> bytes | None:
        """The stored body, if it was computed from this very view."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.version is not version:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry.body

    def put(self, key: Hashable, version: object, body: bytes) -> None:
        """Keep a successful response computed from ``version``."""
        if len(body) > MAX_BODY_BYTES:
            return
        with self._lock:
            self._entries[key] = _Entry(version, body)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
