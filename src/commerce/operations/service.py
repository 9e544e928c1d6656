"""Persisted queries (Apollo's APQ) and the allow-list of a client build's operations.

Documents are kept by hash in DynamoDB, shared by every instance, and remembered in
process: a warm instance answers a known hash with no DynamoDB call.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from commerce.operations import store
from commerce.operations.model import Operation

# Documents clients registered themselves (APQ) go away when unused for this long;
# allow-listed ones stay until replaced.
APQ_LIFETIME = timedelta(days=30)
MAX_REMEMBERED = 1_024


def _utcnow() -> datetime:
    return datetime.now(UTC)


class OperationsService:
    """Finds and registers documents by their SHA-256."""

    def __init__(self, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self._clock = clock
        self._remembered: OrderedDict[str, Operation] = OrderedDict()
        self._lock = threading.Lock()

    def find(self, sha256: str) -> Operation | None:
        """The document registered under ``sha256``, if any."""
        with self._lock:
            known = self._remembered.get(sha256)
            if known is not None:
                self._remembered.move_to_end(sha256)
                return known
        found = store.get_operation(sha256, self._clock())
        if found is not None:
            self._remember(found)
        return found

    def register_persisted(self, sha256: str, document: str) -> Operation:
        """Keep a document a client sent with its (verified) hash, for its next requests."""
        operation = Operation(sha256, document, allowed=False, registered_at=self._clock())
        store.put_operation(operation, expires_at=operation.registered_at + APQ_LIFETIME)
        self._remember(operation)
        return operation

    def register_manifest(self, documents: Mapping[str, str]) -> int:
        """Allow-list every document of a client build's manifest; how many there were."""
        now = self._clock()
        for sha256, document in documents.items():
            operation = Operation(sha256, document, allowed=True, registered_at=now)
            store.put_operation(operation, expires_at=None)
            self._remember(operation)
        return len(documents)

    def list_operations(self) -> list[Operation]:
        """Every registered document."""
        return store.list_operations()

    def _remember(self, operation: Operation) -> None:
        with self._lock:
            self._remembered[operation.sha256] = operation
            self._remembered.move_to_end(operation.sha256)
            while len(self._remembered) > MAX_REMEMBERED:
                self._remembered.popitem(last=False)
