"""The notification outbox in the single table.

Keys (see ``docs/data-model.md``):

- ``NOTIFY#<id> / NOTIFY``: one notification. Written by the context that decides to notify,
  usually in the same transaction as its business change (``outbox_item`` into a
  ``WriteSet``), so an order is never confirmed without its email or the other way round.
  The table's stream carries the INSERT to the events function, which delivers it.
  ``claimed_at`` is set by a conditional update before sending and ``sent_at`` after it: a
  redelivered stream record finds the claim and sends nothing. ``ttl`` removes the item
  ``RETENTION_DAYS`` after creation.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import MapAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import UpdateError

from commerce.db.table import TableItem
from commerce.notifications.model import Channel, Notification, TemplateName

NOTIFY_SK = "NOTIFY"
RETENTION_DAYS = 30


def notification_pk(notification_id: str) -> str:
    return f"NOTIFY#{notification_id}"


class NotificationItem(TableItem, discriminator="Notification"):
    """A notification waiting in (or delivered from) the outbox."""

    notification_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    template = UnicodeAttribute()
    recipient = UnicodeAttribute()
    data = MapAttribute[str, Any]()  # type: ignore[no-untyped-call]
    created_at = UTCDateTimeAttribute()
    claimed_at = UTCDateTimeAttribute(null=True)
    sent_at = UTCDateTimeAttribute(null=True)
    # The provider's id of the sent message (SES MessageId, SNS MessageId), for support.
    provider_message_id = UnicodeAttribute(null=True)


def outbox_item(notification: Notification) -> NotificationItem:
    """The item to put (alone or in a caller's ``WriteSet``) to enqueue ``notification``."""
    return NotificationItem(
        pk=notification_pk(notification.id),
        sk=NOTIFY_SK,
        notification_id=notification.id,
        channel=notification.channel.value,
        template=notification.template.value,
        recipient=notification.recipient,
        data=dict(notification.data),
        created_at=notification.created_at,
        ttl=notification.created_at + timedelta(days=RETENTION_DAYS),
    )


def new_item_condition() -> Any:
    """The condition for ``outbox_item``'s put: ids are never reused."""
    return NotificationItem.pk.does_not_exist()


def notification_from_image(image: dict[str, Any]) -> Notification:
    """A notification from a plain mapping: a stream image or an item's attribute values.

    ``KeyError``/``ValueError`` when the image is not a notification's.
    """
    created = image["created_at"]
    return Notification(
        id=str(image["notification_id"]),
        channel=Channel(image["channel"]),
        template=TemplateName(image["template"]),
        recipient=str(image["recipient"]),
        data={str(k): str(v) for k, v in dict(image.get("data") or {}).items()},
        created_at=created if isinstance(created, datetime) else _parse_time(str(created)),
    )


def _parse_time(raw: str) -> datetime:
    # UTCDateTimeAttribute's storage format: 2026-11-23T04:00:00.000000+0000.
    return datetime.strptime(raw, "%Y-%m-%dT%H:%M:%S.%f%z")


def insert(notification: Notification) -> None:
    """Enqueue ``notification`` on its own."""
    outbox_item(notification).save(condition=new_item_condition())


def get(notification_id: str) -> NotificationItem | None:
    try:
        return NotificationItem.get(
            notification_pk(notification_id), NOTIFY_SK, consistent_read=True
        )
    except NotificationItem.DoesNotExist:
        return None


def claim(notification_id: str, now: datetime) -> bool:
    """Take the notification for sending; False if it was claimed before (or is gone)."""
    item = NotificationItem(pk=notification_pk(notification_id), sk=NOTIFY_SK)
    try:
        item.update(
            actions=[NotificationItem.claimed_at.set(now)],
            condition=NotificationItem.pk.exists() & NotificationItem.claimed_at.does_not_exist(),
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def release(notification_id: str) -> None:
    """Give a claim back after a failed send, so the stream's retry can send it."""
    item = NotificationItem(pk=notification_pk(notification_id), sk=NOTIFY_SK)
    try:
        item.update(
            actions=[NotificationItem.claimed_at.remove()],
            condition=NotificationItem.sent_at.does_not_exist(),
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def mark_sent(notification_id: str, now: datetime, provider_message_id: str) -> None:
    item = NotificationItem(pk=notification_pk(notification_id), sk=NOTIFY_SK)
    item.update(
        actions=[
            NotificationItem.sent_at.set(now),
            NotificationItem.provider_message_id.set(provider_message_id),
        ]
    )
