"""Stripe events already applied, one item per event id.

Keys (see ``docs/data-model.md``):

- ``STRIPE_EVENT#<event id> / EVENT``: written once an event has been applied to its
  order, with ``ttl`` 30 days later (Stripe retries a delivery for up to 3 days).
  Written *after* the order changed, never before: a failure leaves no marker behind,
  so Stripe's retry runs the handlers again (they are idempotent).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError

from commerce.db.table import TableItem

EVENT_SK = "EVENT"
# Longer than Stripe's retry window (3 days), short enough not to grow forever.
EVENT_RETENTION = timedelta(days=30)


class StripeEventItem(TableItem, discriminator="StripeEvent"):
    """A Stripe event that has been applied."""

    event_type = UnicodeAttribute()
    processed_at = UTCDateTimeAttribute()


def event_pk(event_id: str) -> str:
    return f"STRIPE_EVENT#{event_id}"


def event_applied(event_id: str, now: datetime) -> bool:
    """Whether this event was applied already (a marker past its ``ttl`` does not count)."""
    try:
        item = StripeEventItem.get(event_pk(event_id), EVENT_SK, consistent_read=True)
    except StripeEventItem.DoesNotExist:
        return False
    return item.ttl is None or item.ttl > now


def mark_event_applied(event_id: str, event_type: str, now: datetime) -> bool:
    """Record the event as applied; False when a concurrent delivery recorded it first."""
    item = StripeEventItem(
        pk=event_pk(event_id),
        sk=EVENT_SK,
        event_type=event_type,
        processed_at=now,
        ttl=now + EVENT_RETENTION,
    )
    try:
        item.save(condition=StripeEventItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
