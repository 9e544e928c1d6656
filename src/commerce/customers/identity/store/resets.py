"""Password reset codes: ``PWRESET#<sha256 of code> / PWRESET``, single use (``used_at``),
expiring with ``ttl``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import UpdateError

from commerce.db.table import TableItem
from commerce.db.writes import WriteSet

RESET_SK = "PWRESET"


def reset_pk(digest: str) -> str:
    return f"PWRESET#{digest}"


class ResetItem(TableItem, discriminator="PasswordReset"):
    """A password reset code, by its digest."""

    customer_id = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute()
    used_at = UTCDateTimeAttribute(null=True)


def reset_item(digest: str, customer_id: str, expires_at: datetime) -> ResetItem:
    """The item to put for a new reset code (alone or with its notification)."""
    return ResetItem(
        pk=reset_pk(digest),
        sk=RESET_SK,
        customer_id=customer_id,
        expires_at=expires_at,
        ttl=expires_at,
    )


def put_reset(item: ResetItem, extra: list[tuple[TableItem, Any]] | None = None) -> None:
    """Store a reset code, with ``extra`` items (its notification) in the same transaction."""
    writes = WriteSet()
    writes.put(item, ResetItem.pk.does_not_exist(), label="reset")
    for other, condition in extra or []:
        writes.put(other, condition, label="extra")
    writes.commit()


def consume_reset(digest: str, now: datetime) -> str | None:
    """Use a reset code once: the customer id, or None if unknown, used or expired."""
    item = ResetItem(pk=reset_pk(digest), sk=RESET_SK)
    try:
        item.update(
            actions=[ResetItem.used_at.set(now)],
            condition=(
                ResetItem.pk.exists()
                & ResetItem.used_at.does_not_exist()
                & (ResetItem.expires_at > now)
            ),
        )
    except UpdateError as exc:
        if _failed_condition(exc):
            return None
        raise
    return str(item.customer_id)


def _failed_condition(exc: UpdateError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"
