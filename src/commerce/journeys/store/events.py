"""A visitor's events, written in batches of 25 (BatchWriteItem) without conditions.

Keys (see ``docs/data-model.md``):

- ``VISITOR#<visitor id> / EVENT#<client event id>``: one event. The client's event id
  is the key, so a batch sent twice (a beacon retried, an app flushing again after a
  lost answer) writes the same items again: a duplicate counts once, and needs no
  condition, which BatchWriteItem cannot carry. The service reads the keys first
  (one BatchGetItem, keys only) to say how many were duplicates.
  ``ttl`` is the look-back window after the event: what no journey may reach expires.

Attribute names are short and the touch context is one compact JSON string, so that
the largest event the rules allow stays under 1 KB: one write unit.

Writing is the hot path (every storefront batch), so it skips the item classes: each
event becomes DynamoDB's own attribute map directly (``attributes_of``, kept equal to
``item_of(...).serialize()`` by a unit test), and the calls of 25 go out at once on a
few threads. Building and serialising a PynamoDB model per event, and sending the calls
one after the other, cost about two thirds of the time of a batch (decision 0015).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from commerce.db.table import MAX_BATCH_GET_KEYS, TTL_ATTRIBUTE, TYPE_ATTRIBUTE, TableItem
from commerce.journeys.model import ClickIdKind, Event, EventKind, TouchContext, ViewPhase
from commerce.journeys.store.visitors import visitor_pk
from commerce.principals import Channel

EVENT_PREFIX = "EVENT#"
EVENT_TYPE = "JourneyEvent"
# DynamoDB's own limit on the requests of one BatchWriteItem call.
MAX_BATCH_WRITE = 25
# Calls of one batch sent at once: a batch is at most 100 events (4 calls); the
# connection pool holds 10.
_SENDERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="journey-events")
# Unprocessed items (throttling) are sent again after 50, 100, 200... ms, this often.
_UNPROCESSED_ATTEMPTS = 8


class UnprocessedEvents(RuntimeError):
    """DynamoDB kept refusing part of a batch (throttled): the client retries it whole."""


class EventItem(TableItem, discriminator=EVENT_TYPE):
    """One storefront event."""

    kind = UnicodeAttribute(attr_name="k")
    at_ms = NumberAttribute(attr_name="at")
    sales_channel = UnicodeAttribute(attr_name="sc")
    app = UnicodeAttribute(null=True)
    product_id = UnicodeAttribute(null=True, attr_name="p")
    phase = UnicodeAttribute(null=True, attr_name="ph")
    search_terms = UnicodeAttribute(null=True, attr_name="q")
    path = UnicodeAttribute(null=True)
    quantity = NumberAttribute(null=True, attr_name="n")
    touch = UnicodeAttribute(null=True, attr_name="t")
    marketing_channel = UnicodeAttribute(null=True, attr_name="mc")


def event_sk(event_id: str) -> str:
    return f"{EVENT_PREFIX}{event_id}"


_TOUCH_FIELDS = (
    ("s", "utm_source"),
    ("m", "utm_medium"),
    ("c", "utm_campaign"),
    ("t", "utm_term"),
    ("o", "utm_content"),
    ("ck", "click_id_kind"),
    ("ci", "click_id"),
    ("r", "referrer_host"),
    ("a", "affiliate_id"),
)


def _touch_json(touch: TouchContext) -> str:
    values: dict[str, str] = {}
    for short, name in _TOUCH_FIELDS:
        value = getattr(touch, name)
        if value is not None:
            values[short] = value.value if isinstance(value, ClickIdKind) else value
    return json.dumps(values, separators=(",", ":"), ensure_ascii=False)


def _touch(raw: str) -> TouchContext:
    values: dict[str, Any] = json.loads(raw)
    fields = {name: values.get(short) for short, name in _TOUCH_FIELDS}
    kind = fields.pop("click_id_kind")
    return TouchContext(click_id_kind=ClickIdKind(kind) if kind else None, **fields)


def affiliate_click_of(
    keys: Mapping[str, Any], image: Mapping[str, Any]
) -> tuple[str, str, str, datetime] | None:
    """(visitor id, event id, partner id, when) of a stored touch that came through a
    partner's link, read from its stream record; None for any other event."""
    raw = image.get("t")
    pk, sk = str(keys.get("PK", "")), str(keys.get("SK", ""))
    if not isinstance(raw, str) or not pk.startswith("VISITOR#"):
        return None
    try:
        partner = json.loads(raw).get("a")
        at = datetime.fromtimestamp(int(image["at"]) / 1000, UTC)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not isinstance(partner, str) or not partner:
        return None
    return pk.removeprefix("VISITOR#"), sk.removeprefix(EVENT_PREFIX), partner, at


def item_of(event: Event, keep: timedelta) -> EventItem:
    """The stored item of ``event``, expiring ``keep`` after it happened."""
    return EventItem(
        pk=visitor_pk(event.visitor_id),
        sk=event_sk(event.event_id),
        kind=event.kind.value,
        at_ms=int(event.at.timestamp() * 1000),
        sales_channel=event.sales_channel.value,
        app=event.app,
        product_id=event.product_id,
        phase=event.phase.value if event.phase else None,
        search_terms=event.query,
        path=event.path,
        quantity=event.quantity,
        touch=_touch_json(event.touch) if event.touch is not None else None,
        marketing_channel=event.marketing_channel,
        ttl=event.at + keep,
    )


def attributes_of(event: Event, keep: timedelta) -> dict[str, dict[str, str]]:
    """The event as DynamoDB's attribute map: what ``item_of(event, keep).serialize()``
    gives, built without a model instance (the writer's hot path)."""
    values: dict[str, dict[str, str]] = {
        "PK": {"S": visitor_pk(event.visitor_id)},
        "SK": {"S": event_sk(event.event_id)},
        TYPE_ATTRIBUTE: {"S": EVENT_TYPE},
        "k": {"S": event.kind.value},
        "at": {"N": str(int(event.at.timestamp() * 1000))},
        "sc": {"S": event.sales_channel.value},
        TTL_ATTRIBUTE: {"N": str(int((event.at + keep).timestamp()))},
    }
    optional = (
        ("app", event.app),
        ("p", event.product_id),
        ("ph", event.phase.value if event.phase else None),
        ("q", event.query),
        ("path", event.path),
        ("t", _touch_json(event.touch) if event.touch is not None else None),
        ("mc", event.marketing_channel),
    )
    for name, text in optional:
        if text is not None:
            values[name] = {"S": text}
    if event.quantity is not None:
        values["n"] = {"N": str(event.quantity)}
    return values


def _event(visitor_id: str, item: EventItem) -> Event:
    return Event(
        visitor_id=visitor_id,
        event_id=item.sk.removeprefix(EVENT_PREFIX),
        kind=EventKind(item.kind),
        at=datetime.fromtimestamp(int(item.at_ms) / 1000, UTC),
        sales_channel=Channel(item.sales_channel),
        app=item.app,
        product_id=item.product_id,
        phase=ViewPhase(item.phase) if item.phase else None,
        query=item.search_terms,
        path=item.path,
        quantity=int(item.quantity) if item.quantity is not None else None,
        touch=_touch(item.touch) if item.touch else None,
        marketing_channel=item.marketing_channel,
    )


def existing(visitor_id: str, event_ids: Sequence[str]) -> set[str]:
    """Which of these event ids the visitor already has (BatchGetItem, keys only)."""
    found: set[str] = set()
    keys = [(visitor_pk(visitor_id), event_sk(e)) for e in dict.fromkeys(event_ids)]
    for start in range(0, len(keys), MAX_BATCH_GET_KEYS):
        chunk = keys[start : start + MAX_BATCH_GET_KEYS]
        for item in EventItem.batch_get(chunk, attributes_to_get=["PK", "SK"]):
            found.add(str(item.sk).removeprefix(EVENT_PREFIX))
    return found


def write(events: Iterable[Event], keep: timedelta) -> None:
    """Store events: BatchWriteItem calls of 25, sent at once, unprocessed items sent
    again with backoff; ``UnprocessedEvents`` if DynamoDB keeps refusing some."""
    requests = [{"PutRequest": {"Item": attributes_of(e, keep)}} for e in events]
    chunks = [
        requests[start : start + MAX_BATCH_WRITE]
        for start in range(0, len(requests), MAX_BATCH_WRITE)
    ]
    # The client is made here, once, not by the threads at the same moment.
    client = EventItem._get_connection().connection.client
    table = EventItem.Meta.table_name
    if len(chunks) <= 1:
        for chunk in chunks:
            _send(client, table, chunk)
        return
    for sent in [_SENDERS.submit(_send, client, table, chunk) for chunk in chunks]:
        sent.result()


def _send(client: Any, table: str, chunk: list[dict[str, Any]]) -> None:
    pending = chunk
    for attempt in range(_UNPROCESSED_ATTEMPTS):
        answer = client.batch_write_item(RequestItems={table: pending})
        pending = answer.get("UnprocessedItems", {}).get(table, [])
        if not pending:
            return
        time.sleep(0.05 * 2**attempt)
    raise UnprocessedEvents(f"{len(pending)} events still unprocessed")


def of_visitor(visitor_id: str) -> list[Event]:
    """Every event of one visitor still within its look-back (expired ones filtered:
    DynamoDB may keep an expired item for a while)."""
    now = datetime.now(UTC)
    found = []
    for item in EventItem.query(
        visitor_pk(visitor_id), EventItem.sk.startswith(EVENT_PREFIX), consistent_read=True
    ):
        if isinstance(item, EventItem) and (item.ttl is None or item.ttl > now):
            found.append(_event(visitor_id, item))
    return found


def delete_all(visitor_id: str) -> int:
    """Delete every event of the visitor; how many there were."""
    keys = [
        item.sk
        for item in EventItem.query(
            visitor_pk(visitor_id),
            EventItem.sk.startswith(EVENT_PREFIX),
            attributes_to_get=["PK", "SK"],
        )
    ]
    with EventItem.batch_write() as batch:
        for sk in keys:
            batch.delete(EventItem(pk=visitor_pk(visitor_id), sk=sk))
    return len(keys)
