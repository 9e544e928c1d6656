"""Registered documents in the single table.

Keys (see ``docs/data-model.md``):

- ``OPERATION#<sha256> / OPERATION``: one document, found by the hash a request carries
- GSI1 ``OPERATIONS / <sha256>``: every registered document, for ``commerce operations list``
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute, UTCDateTimeAttribute

from commerce.db.table import TableItem
from commerce.operations.model import Operation

OPERATIONS_PARTITION = "OPERATIONS"


def operation_pk(sha256: str) -> str:
    return f"OPERATION#{sha256}"


class OperationItem(TableItem, discriminator="Operation"):
    """A GraphQL document registered under its hash."""

    sha256 = UnicodeAttribute()
    document = UnicodeAttribute()
    allowed = BooleanAttribute(default=False)
    registered_at = UTCDateTimeAttribute()


def _to_domain(item: OperationItem) -> Operation:
    return Operation(
        sha256=item.sha256,
        document=item.document,
        allowed=bool(item.allowed),
        registered_at=item.registered_at,
    )


def get_operation(sha256: str, now: datetime) -> Operation | None:
    """A registered document by hash; one past its ``ttl`` counts as gone."""
    try:
        item = OperationItem.get(operation_pk(sha256), "OPERATION")
    except OperationItem.DoesNotExist:
        return None
    if item.ttl is not None and item.ttl <= now:
        return None
    return _to_domain(item)


def put_operation(operation: Operation, expires_at: datetime | None) -> None:
    """Register a document. An allow-listed one is never downgraded by a later APQ put."""
    item = OperationItem(
        pk=operation_pk(operation.sha256),
        sk="OPERATION",
        gsi1pk=OPERATIONS_PARTITION,
        gsi1sk=operation.sha256,
        sha256=operation.sha256,
        document=operation.document,
        allowed=operation.allowed,
        registered_at=operation.registered_at,
        ttl=expires_at,
    )
    if operation.allowed:
        item.save()
        return
    try:
        item.save(
            condition=OperationItem.pk.does_not_exist() | (OperationItem.allowed == False)  # noqa: E712
        )
    except Exception as exc:
        if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise


def list_operations() -> list[Operation]:
    """Every registered document, by hash."""
    return [
        _to_domain(item)
        for item in TableItem.gsi1.query(OPERATIONS_PARTITION)
        if isinstance(item, OperationItem)
    ]
