"""Log-ins: a session per refresh-token family, and each refresh token by its digest.

Keys (see ``docs/data-model.md``):

- ``CUSTOMER#<id> / SESSION#<family id>``: a log-in (one refresh-token family), in the
  customer's partition so that one Query finds every session to end; revoked on log-out,
  on a password change or reset, or when a rotated refresh token comes back. ``ttl``
  follows the family's newest refresh token.
- ``REFRESH#<sha256 of token> / REFRESH``: one refresh token of a family; ``used_at`` is set
  when it is rotated, so a second use is recognised as a replay. ``ttl`` is its expiry.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import UpdateError

from commerce.customers.identity.model import RefreshRecord
from commerce.db.table import TableItem
from commerce.db.writes import ConditionsFailed, WriteSet

REFRESH_SK = "REFRESH"
SESSION_PREFIX = "SESSION#"


def session_pk(customer_id: str) -> str:
    # The customer's own partition (the profile's store names it the same way).
    return f"CUSTOMER#{customer_id}"


def refresh_pk(digest: str) -> str:
    return f"REFRESH#{digest}"


class SessionItem(TableItem, discriminator="CustomerSession"):
    """One log-in: the family of refresh tokens rotated from its first one."""

    customer_id = UnicodeAttribute()
    family_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)


class RefreshItem(TableItem, discriminator="RefreshToken"):
    """A refresh token, by its digest."""

    customer_id = UnicodeAttribute()
    family_id = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute()
    used_at = UTCDateTimeAttribute(null=True)


def _refresh_item(record: RefreshRecord) -> RefreshItem:
    return RefreshItem(
        pk=refresh_pk(record.digest),
        sk=REFRESH_SK,
        customer_id=record.customer_id,
        family_id=record.family_id,
        expires_at=record.expires_at,
        used_at=record.used_at,
        ttl=record.expires_at,
    )


def _session_item(
    customer_id: str, family_id: str, created_at: datetime, expires_at: datetime
) -> SessionItem:
    return SessionItem(
        pk=session_pk(customer_id),
        sk=SESSION_PREFIX + family_id,
        customer_id=customer_id,
        family_id=family_id,
        created_at=created_at,
        ttl=expires_at,
    )


def start_session(first: RefreshRecord, now: datetime) -> None:
    """A new log-in: its session and first refresh token, in one transaction."""
    writes = WriteSet()
    writes.put(
        _session_item(first.customer_id, first.family_id, now, first.expires_at),
        SessionItem.pk.does_not_exist(),
        label="session",
    )
    writes.put(_refresh_item(first), RefreshItem.pk.does_not_exist(), label="refresh")
    writes.commit()


def get_refresh(digest: str) -> RefreshRecord | None:
    """A refresh token by its digest, strongly consistent (a replay must see the rotation)."""
    try:
        item = RefreshItem.get(refresh_pk(digest), REFRESH_SK, consistent_read=True)
    except RefreshItem.DoesNotExist:
        return None
    return RefreshRecord(
        digest=digest,
        customer_id=item.customer_id,
        family_id=item.family_id,
        expires_at=item.expires_at,
        used_at=item.used_at,
    )


def session_active(customer_id: str, family_id: str) -> bool:
    """Whether the log-in exists and is not revoked."""
    try:
        item = SessionItem.get(
            session_pk(customer_id), SESSION_PREFIX + family_id, consistent_read=True
        )
    except SessionItem.DoesNotExist:
        return False
    return item.revoked_at is None


def rotate(old: RefreshRecord, new: RefreshRecord, now: datetime) -> bool:
    """Mark ``old`` used and store ``new``, if ``old`` was unused and its session live.

    False when the condition failed: someone used ``old`` first (a replay or a race), or
    the session was revoked meanwhile; nothing was written.
    """
    writes = WriteSet()
    used = RefreshRecord(old.digest, old.customer_id, old.family_id, old.expires_at, now)
    writes.put(
        _refresh_item(used),
        RefreshItem.pk.exists() & RefreshItem.used_at.does_not_exist(),
        label="unused",
    )
    writes.put(_refresh_item(new), RefreshItem.pk.does_not_exist(), label="new")
    session = _session_item(old.customer_id, old.family_id, now, new.expires_at)
    writes.check(
        SessionItem,
        str(session.pk),
        str(session.sk),
        SessionItem.pk.exists() & SessionItem.revoked_at.does_not_exist(),
        label="session",
    )
    try:
        writes.commit()
    except ConditionsFailed:
        return False
    return True


def revoke_session(customer_id: str, family_id: str, now: datetime) -> None:
    """End a log-in (idempotent: the first revocation time stays)."""
    item = SessionItem(pk=session_pk(customer_id), sk=SESSION_PREFIX + family_id)
    try:
        item.update(
            actions=[SessionItem.revoked_at.set(SessionItem.revoked_at | now)],
            condition=SessionItem.pk.exists(),
        )
    except UpdateError as exc:
        if not _failed_condition(exc):
            raise


def revoke_all_sessions(customer_id: str, now: datetime) -> int:
    """End every log-in of a customer (after a password change or reset)."""
    revoked = 0
    for item in SessionItem.query(
        session_pk(customer_id), SessionItem.sk.startswith(SESSION_PREFIX)
    ):
        if isinstance(item, SessionItem) and item.revoked_at is None:
            revoke_session(customer_id, item.family_id, now)
            revoked += 1
    return revoked


def _failed_condition(exc: UpdateError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"
