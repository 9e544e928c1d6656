"""Webhook endpoints and deliveries in the single table.

Keys (see ``docs/data-model.md``):

- ``WEBHOOK#<endpoint id> / ENDPOINT``: one endpoint, its sealed secret (and the previous
  one while it is still honoured). GSI1 ``WEBHOOKS#STAFF`` or ``WEBHOOKS#PARTNER#<id>`` /
  ``<created>#<id>``: an owner's endpoints, one Query (the fan-out reads the staff's and
  the partner's).
- ``WEBHOOKDELIVERY#<delivery id> / DELIVERY``: one event for one endpoint, its payload
  and its attempts. The id of an event's first delivery is derived from (endpoint, event
  id), and the put is conditional, so publishing an event twice writes it once. Its
  INSERT reaches the events function through the table's stream, which sends it.
  GSI1 ``WEBHOOK#<endpoint id>#DELIVERIES`` / ``<created>#<id>``: the endpoint's delivery
  log, newest first. GSI2 ``WEBHOOKS#DUE`` / ``<next attempt>#<id>``: set only while a
  retry is scheduled (a sparse index), so the retry job Queries exactly the due ones.
  ``ttl``: ``RETENTION_DAYS`` after creation.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.expressions.condition import Condition

from commerce.db.table import TableItem
from commerce.db.writes import WriteSet
from commerce.webhooks.model import (
    Attempt,
    Delivery,
    DeliveryStatus,
    DisabledReason,
    Endpoint,
    EventType,
    Owner,
)

ENDPOINT_SK = "ENDPOINT"
DELIVERY_SK = "DELIVERY"
DUE_PARTITION = "WEBHOOKS#DUE"
RETENTION_DAYS = 30
DELIVERY_LABEL = "webhook-delivery"


def endpoint_pk(endpoint_id: str) -> str:
    return f"WEBHOOK#{endpoint_id}"


def owner_partition(owner: Owner) -> str:
    return "WEBHOOKS#STAFF" if owner.is_staff else f"WEBHOOKS#PARTNER#{owner.partner_id}"


def delivery_pk(delivery_id: str) -> str:
    return f"WEBHOOKDELIVERY#{delivery_id}"


def log_partition(endpoint_id: str) -> str:
    return f"WEBHOOK#{endpoint_id}#DELIVERIES"


def _instant(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class WebhookEndpointItem(TableItem, discriminator="WebhookEndpoint"):
    """An endpoint and its sealed signing secret."""

    endpoint_id = UnicodeAttribute()
    partner_id = UnicodeAttribute(null=True)
    url = UnicodeAttribute()
    event_types = UnicodeAttribute()  # comma-separated EventType values
    description = UnicodeAttribute(default="")
    contact_email = UnicodeAttribute(null=True)
    sealed_secret = UnicodeAttribute()
    previous_sealed_secret = UnicodeAttribute(null=True)
    previous_secret_until = UTCDateTimeAttribute(null=True)
    disabled_reason = UnicodeAttribute(null=True)
    consecutive_failures = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class WebhookDeliveryItem(TableItem, discriminator="WebhookDelivery"):
    """One event for one endpoint, with its attempts (JSON, newest last)."""

    delivery_id = UnicodeAttribute()
    endpoint_id = UnicodeAttribute()
    partner_id = UnicodeAttribute(null=True)
    event_type = UnicodeAttribute()
    event_id = UnicodeAttribute()
    message_id = UnicodeAttribute()
    payload = UnicodeAttribute()
    status = UnicodeAttribute()
    attempts = UnicodeAttribute(default="[]")
    attempt_count = NumberAttribute(default=0)
    next_attempt_at = UTCDateTimeAttribute(null=True)
    # Set while one sender holds the delivery, so that the stream and the retry job
    # never POST it at the same time; a sender that died lets it go when this passes.
    sending_until = UTCDateTimeAttribute(null=True)
    replay_of = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()


# -- endpoints ---------------------------------------------------------------------------


def endpoint_item(
    endpoint: Endpoint,
    sealed_secret: str,
    previous: tuple[str, datetime] | None = None,
) -> WebhookEndpointItem:
    return WebhookEndpointItem(
        pk=endpoint_pk(endpoint.id),
        sk=ENDPOINT_SK,
        gsi1pk=owner_partition(endpoint.owner),
        gsi1sk=f"{_instant(endpoint.created_at)}#{endpoint.id}",
        endpoint_id=endpoint.id,
        partner_id=endpoint.owner.partner_id,
        url=endpoint.url,
        event_types=",".join(sorted(t.value for t in endpoint.event_types)),
        description=endpoint.description,
        contact_email=endpoint.contact_email,
        sealed_secret=sealed_secret,
        previous_sealed_secret=None if previous is None else previous[0],
        previous_secret_until=None if previous is None else previous[1],
        disabled_reason=None
        if endpoint.disabled_reason is None
        else endpoint.disabled_reason.value,
        consecutive_failures=endpoint.consecutive_failures,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )


def _endpoint(item: WebhookEndpointItem) -> Endpoint:
    reason = item.disabled_reason
    return Endpoint(
        id=item.endpoint_id,
        owner=Owner(item.partner_id),
        url=item.url,
        event_types=frozenset(EventType(t) for t in item.event_types.split(",") if t),
        description=item.description or "",
        contact_email=item.contact_email,
        created_at=item.created_at,
        updated_at=item.updated_at,
        disabled_reason=None if reason is None else DisabledReason(reason),
        consecutive_failures=int(item.consecutive_failures or 0),
    )


def get_endpoint_item(endpoint_id: str) -> WebhookEndpointItem | None:
    if not endpoint_id or len(endpoint_id) > 64:
        return None
    try:
        return WebhookEndpointItem.get(endpoint_pk(endpoint_id), ENDPOINT_SK, consistent_read=True)
    except WebhookEndpointItem.DoesNotExist:
        return None


def get_endpoint(endpoint_id: str) -> Endpoint | None:
    item = get_endpoint_item(endpoint_id)
    return None if item is None else _endpoint(item)


def endpoint_of(item: WebhookEndpointItem) -> Endpoint:
    return _endpoint(item)


def owner_endpoints(owner: Owner) -> list[Endpoint]:
    """An owner's endpoints, oldest first (one GSI1 Query; at most a few dozen)."""
    return [
        _endpoint(item)
        for item in WebhookEndpointItem.gsi1.query(owner_partition(owner))
        if isinstance(item, WebhookEndpointItem)
    ]


def owner_endpoint_items(owner: Owner) -> list[WebhookEndpointItem]:
    return [
        item
        for item in WebhookEndpointItem.gsi1.query(owner_partition(owner))
        if isinstance(item, WebhookEndpointItem)
    ]


def insert_endpoint(endpoint: Endpoint, sealed_secret: str) -> None:
    endpoint_item(endpoint, sealed_secret).save(condition=WebhookEndpointItem.pk.does_not_exist())


def save_endpoint(
    endpoint: Endpoint, sealed_secret: str, previous: tuple[str, datetime] | None, updated: datetime
) -> bool:
    """Write ``endpoint`` over the stored one unless that changed since it was read
    (``updated`` is its ``updated_at`` then); False when it did (or is gone)."""
    item = endpoint_item(endpoint, sealed_secret, previous)
    try:
        item.save(condition=WebhookEndpointItem.updated_at == updated)
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def delete_endpoint(endpoint_id: str) -> bool:
    item = WebhookEndpointItem(pk=endpoint_pk(endpoint_id), sk=ENDPOINT_SK)
    try:
        item.delete(condition=WebhookEndpointItem.pk.exists())
    except DeleteError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def count_failure(endpoint_id: str) -> int:
    """One more failed attempt in a row; the new count (0 if the endpoint is gone)."""
    item = WebhookEndpointItem(pk=endpoint_pk(endpoint_id), sk=ENDPOINT_SK)
    try:
        item.update(
            actions=[WebhookEndpointItem.consecutive_failures.add(1)],
            condition=WebhookEndpointItem.pk.exists(),
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return 0
        raise
    return int(item.consecutive_failures or 0)


def reset_failures(endpoint_id: str) -> None:
    item = WebhookEndpointItem(pk=endpoint_pk(endpoint_id), sk=ENDPOINT_SK)
    try:
        item.update(
            actions=[WebhookEndpointItem.consecutive_failures.set(0)],
            condition=WebhookEndpointItem.pk.exists()
            & (WebhookEndpointItem.consecutive_failures > 0),
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def disable_for_failures(writes: WriteSet, endpoint_id: str, now: datetime) -> None:
    """Disable the endpoint in ``writes``, only if it is still enabled (label ``enabled``)."""
    writes.update(
        WebhookEndpointItem(pk=endpoint_pk(endpoint_id), sk=ENDPOINT_SK),
        [
            WebhookEndpointItem.disabled_reason.set(DisabledReason.FAILING.value),
            WebhookEndpointItem.updated_at.set(now),
        ],
        WebhookEndpointItem.pk.exists() & WebhookEndpointItem.disabled_reason.does_not_exist(),
        label="enabled",
    )


# -- deliveries --------------------------------------------------------------------------


def delivery_item(delivery: Delivery) -> WebhookDeliveryItem:
    due = delivery.next_attempt_at if delivery.status is DeliveryStatus.PENDING else None
    return WebhookDeliveryItem(
        pk=delivery_pk(delivery.id),
        sk=DELIVERY_SK,
        gsi1pk=log_partition(delivery.endpoint_id),
        gsi1sk=f"{_instant(delivery.created_at)}#{delivery.id}",
        gsi2pk=None if due is None else DUE_PARTITION,
        gsi2sk=None if due is None else f"{_instant(due)}#{delivery.id}",
        delivery_id=delivery.id,
        endpoint_id=delivery.endpoint_id,
        partner_id=delivery.partner_id,
        event_type=delivery.event_type,
        event_id=delivery.event_id,
        message_id=delivery.message_id,
        payload=delivery.payload,
        status=delivery.status.value,
        attempts=_attempts_json(delivery.attempts),
        attempt_count=len(delivery.attempts),
        next_attempt_at=delivery.next_attempt_at,
        replay_of=delivery.replay_of,
        created_at=delivery.created_at,
        ttl=delivery.created_at + timedelta(days=RETENTION_DAYS),
    )


def add_delivery(writes: WriteSet, delivery: Delivery) -> None:
    """Put ``delivery`` in ``writes``; an id already in the outbox fails its label."""
    writes.put(
        delivery_item(delivery), WebhookDeliveryItem.pk.does_not_exist(), label=DELIVERY_LABEL
    )


def insert_delivery(delivery: Delivery) -> bool:
    """Put ``delivery`` alone; False when its id is in the outbox already."""
    try:
        delivery_item(delivery).save(condition=WebhookDeliveryItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _attempts_json(attempts: tuple[Attempt, ...]) -> str:
    return json.dumps(
        [
            {"at": _instant(a.at), "s": a.status_code, "ms": a.duration_ms, "e": a.error}
            for a in attempts
        ]
    )


def _attempts(raw: str) -> tuple[Attempt, ...]:
    return tuple(
        Attempt(
            at=datetime.fromisoformat(a["at"].replace("Z", "+00:00")),
            status_code=a["s"],
            duration_ms=int(a["ms"]),
            error=a["e"],
        )
        for a in json.loads(raw or "[]")
    )


def _delivery(item: WebhookDeliveryItem) -> Delivery:
    return Delivery(
        id=item.delivery_id,
        endpoint_id=item.endpoint_id,
        event_type=item.event_type,
        event_id=item.event_id,
        message_id=item.message_id,
        payload=item.payload,
        created_at=item.created_at,
        status=DeliveryStatus(item.status),
        attempts=_attempts(item.attempts),
        next_attempt_at=item.next_attempt_at,
        replay_of=item.replay_of,
        partner_id=item.partner_id,
    )


def get_delivery(delivery_id: str) -> Delivery | None:
    if not delivery_id or len(delivery_id) > 64:
        return None
    try:
        item = WebhookDeliveryItem.get(delivery_pk(delivery_id), DELIVERY_SK, consistent_read=True)
    except WebhookDeliveryItem.DoesNotExist:
        return None
    return _delivery(item)


def claim(delivery: Delivery, now: datetime, hold: timedelta) -> bool:
    """Take ``delivery`` for one attempt; False if another sender holds it, it is no longer
    pending, or an attempt was recorded since it was read."""
    item = WebhookDeliveryItem(pk=delivery_pk(delivery.id), sk=DELIVERY_SK)
    free: Condition = WebhookDeliveryItem.sending_until.does_not_exist() | (
        WebhookDeliveryItem.sending_until < now
    )
    try:
        item.update(
            actions=[WebhookDeliveryItem.sending_until.set(now + hold)],
            condition=(WebhookDeliveryItem.status == DeliveryStatus.PENDING.value)
            & (WebhookDeliveryItem.attempt_count == len(delivery.attempts))
            & free,
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def record_attempt(delivery: Delivery) -> None:
    """Store ``delivery`` as it is after an attempt (or after giving up), and let it go."""
    item = delivery_item(delivery)
    actions: list[Any] = [
        WebhookDeliveryItem.status.set(item.status),
        WebhookDeliveryItem.attempts.set(item.attempts),
        WebhookDeliveryItem.attempt_count.set(len(delivery.attempts)),
        WebhookDeliveryItem.sending_until.remove(),
    ]
    if item.gsi2pk is None:
        actions += [
            WebhookDeliveryItem.gsi2pk.remove(),
            WebhookDeliveryItem.gsi2sk.remove(),
            WebhookDeliveryItem.next_attempt_at.remove(),
        ]
    else:
        actions += [
            WebhookDeliveryItem.gsi2pk.set(item.gsi2pk),
            WebhookDeliveryItem.gsi2sk.set(item.gsi2sk or ""),
            WebhookDeliveryItem.next_attempt_at.set(item.next_attempt_at),
        ]
    WebhookDeliveryItem(pk=delivery_pk(delivery.id), sk=DELIVERY_SK).update(actions=actions)


def due_deliveries(now: datetime, limit: int) -> list[str]:
    """Ids of pending deliveries whose next attempt is due, the most overdue first
    (one Query of the sparse GSI2 partition)."""
    rows: Iterator[TableItem] = WebhookDeliveryItem.gsi2.query(
        DUE_PARTITION,
        range_key_condition=WebhookDeliveryItem.gsi2sk <= f"{_instant(now)}~",
        limit=limit,
    )
    return [item.delivery_id for item in rows if isinstance(item, WebhookDeliveryItem)]


def endpoint_deliveries(
    endpoint_id: str, first: int, after: str | None
) -> tuple[list[tuple[Delivery, str]], bool]:
    """Up to ``first`` of an endpoint's deliveries newest first, with their cursor keys."""
    high = "~" if after is None else after
    rows: Iterator[TableItem] = WebhookDeliveryItem.gsi1.query(
        log_partition(endpoint_id),
        range_key_condition=WebhookDeliveryItem.gsi1sk < high,
        scan_index_forward=False,
        limit=first + 1,
    )
    found = [
        (_delivery(item), item.gsi1sk or "")
        for item in rows
        if isinstance(item, WebhookDeliveryItem)
    ]
    return found[:first], len(found) > first


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(f"delivery:{key}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeError, ValueError):
        return None
    prefix, _, key = raw.partition(":")
    if prefix != "delivery" or "#" not in key or len(key) > 100:
        return None
    return key
