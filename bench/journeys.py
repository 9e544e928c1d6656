"""Journey figures over DynamoDB Local: ``python -m bench --only journeys``.

1. events written per second through ``JourneysService.record`` (the writer behind
   ``eventsRecord`` and ``POST /events``): batches of 50 events, two batches per
   visitor (the second is the steady state: the visitor's token, a profile read, a
   keys-only BatchGetItem and the BatchWriteItem calls), a touch on every fifth event,
   spread over 90 days, sent by ``WRITERS`` storefront clients at once; beside it, the
   same events as plain BatchWriteItem calls of 25 from one client (the floor: what
   DynamoDB Local itself takes);
2. rollup lag: how long crediting one paid order takes in the events function
   (``AttributionService.credit_paid_order``: read the journey, credit every model,
   one transaction with the day rollup), p50 and p95, ``WRITERS`` orders at once (the
   shards of the stream); the stream's own delivery delay (typically well under a
   second on AWS) comes on top;
3. a 90-day channel report (``AttributionService.report``, one Query of 90 day rollups),
   p50 and p95 in process.

The issue's scale is 1,000,000 events and 20,000 orders (``--events 1000000 --orders
20000``, about a quarter of an hour on a shared two-core machine); the default is scaled
down so a run takes a minute. The per-event and per-order costs do not depend on the
table's size (every read is by key).
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from commerce.attribution import Model
from commerce.composition import build_services
from commerce.db.table import TableItem, create_table_if_missing
from commerce.journeys.commands import RecordEvents, RequestFacts
from commerce.journeys.crediting import Dimension, PaidOrder
from commerce.journeys.model import Event, EventDraft, EventKind, TouchContext
from commerce.journeys.store.events import MAX_BATCH_WRITE, attributes_of
from commerce.money import Currency
from commerce.principals import Channel
from commerce.settings import Settings

Row = tuple[str, str, str]
T = TypeVar("T")
EVENTS = 20_000
ORDERS = 400
BATCH = 50
BATCHES_PER_VISITOR = 2
WRITERS = 4
REPORTS = 50
REFERENCE_EVENTS = 10_000
NOW = datetime.now(UTC).replace(microsecond=0)
TOUCHES = [
    TouchContext(utm_source="google", utm_medium="cpc", utm_campaign="spring"),
    TouchContext(utm_source="newsletter", utm_medium="email", utm_campaign="weekly"),
    TouchContext(referrer_host="www.instagram.com"),
    TouchContext(affiliate_id="01jbenchpartner00000000000"),
    TouchContext(),
]


def _quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _timed_at_once(jobs: Sequence[Callable[[], T]], workers: int) -> tuple[list[float], float]:
    """Run ``jobs`` on ``workers`` threads: each job's seconds, and the wall time."""

    def timed(job: Callable[[], T]) -> float:
        began = time.perf_counter()
        job()
        return time.perf_counter() - began

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        seconds = list(pool.map(timed, jobs))
    return seconds, time.perf_counter() - started


def _drafts(rnd: random.Random, first: int, count: int, at: datetime) -> tuple[EventDraft, ...]:
    return tuple(
        EventDraft(
            event_id=f"e{first + i}",
            kind=EventKind.PAGE_VIEW,
            at=at + timedelta(minutes=i),
            path="/",
            touch=TOUCHES[rnd.randrange(len(TOUCHES))] if i % 5 == 0 else None,
        )
        for i in range(count)
    )


def _reference_rate(endpoint: str, table: str, events: int) -> float:
    """Events per second as plain BatchWriteItem calls of 25, one after the other."""
    client = TableItem._get_connection().connection.client
    rnd = random.Random(11)
    maps = [
        attributes_of(
            Event(f"ref{i // BATCH}", d.event_id, d.kind, d.at, Channel.WEB, path=d.path),
            timedelta(days=365),
        )
        for i, d in enumerate(_drafts(rnd, 0, events, NOW - timedelta(days=3)))
    ]
    started = time.perf_counter()
    for start in range(0, len(maps), MAX_BATCH_WRITE):
        chunk = [{"PutRequest": {"Item": m}} for m in maps[start : start + MAX_BATCH_WRITE]]
        answer = client.batch_write_item(RequestItems={table: chunk})
        assert not answer.get("UnprocessedItems")
    return events / (time.perf_counter() - started)


def journeys_rows(endpoint: str, events: int = EVENTS, orders: int = ORDERS) -> list[Row]:
    """Seed ``events`` events and ``orders`` paid orders, and time the three figures."""
    settings = Settings(
        table_name=f"bench-journeys-{uuid.uuid4().hex[:8]}",
        dynamodb_endpoint=endpoint,
        rate_limits=False,
        visitor_event_budget=10**9,
        visitor_event_restore_rate=10**9,
    )
    services = build_services(settings)
    create_table_if_missing()
    rnd = random.Random(7)
    facts = RequestFacts(sales_channel=Channel.WEB, user_agent="Mozilla/5.0 Chrome/131.0")
    starts = list(range(0, events, BATCH * BATCHES_PER_VISITOR))
    plans = [
        (start, NOW - timedelta(days=rnd.uniform(1, 90)), random.Random(start)) for start in starts
    ]
    visitors: list[tuple[str, datetime]] = [("", NOW)] * len(plans)

    def visit(index: int) -> Callable[[], None]:
        def send() -> None:
            start, at, own = plans[index]
            token = None
            for batch in range(BATCHES_PER_VISITOR):
                first = start + batch * BATCH
                count = min(BATCH, events - first)
                if count <= 0:
                    break
                drafts = _drafts(own, first, count, at + timedelta(hours=batch))
                recorded = services.journeys.record(RecordEvents(token, drafts), facts)
                token = recorded.visitor_token
                last = drafts[-1].at
            visitor = services.journeys.visitor_of(token or "")
            assert visitor is not None
            visitors[index] = (visitor, last)

        return send

    _, written = _timed_at_once([visit(i) for i in range(len(plans))], WRITERS)
    reference = _reference_rate(endpoint, settings.table_name, min(events, REFERENCE_EVENTS))

    def paid(index: int) -> Callable[[], object]:
        visitor, last_seen = visitors[index % len(visitors)]
        order = PaidOrder(
            order_id=f"bench-{index}",
            value=rnd.randint(500, 9000),
            currency=Currency.USD,
            # an hour after the visitor's last batch: orders land on every day of the 90
            paid_at=min(last_seen + timedelta(hours=1), NOW),
            customer_id=None,
            visitor_id=visitor,
            affiliate_id=None,
            payment_method=rnd.choice(["visa", "mastercard", "apple_pay"]),
        )
        return lambda: services.attribution.credit_paid_order(order)

    lags, credited = _timed_at_once([paid(i) for i in range(orders)], WRITERS)
    reports: list[float] = []
    end = NOW.date() + timedelta(days=1)
    for _ in range(REPORTS):
        began = time.perf_counter()
        rows = services.attribution.report(
            Model.LINEAR, Dimension.CHANNEL, end - timedelta(days=90), end, Currency.USD
        )
        reports.append(time.perf_counter() - began)
    assert sum(r.revenue for r in rows) > 0
    lag50, lag95 = _quantiles(lags)
    rep50, rep95 = _quantiles(reports)
    return [
        (
            "journeys: events written",
            f"{events / written:,.0f} events/s",
            f"{events:,} events, {WRITERS} clients, {written:,.0f} s",
        ),
        (
            "journeys: plain BatchWriteItem (floor)",
            f"{reference:,.0f} events/s",
            f"{min(events, REFERENCE_EVENTS):,} events, 1 client",
        ),
        (
            "journeys: rollup lag p50 / p95",
            f"{lag50 * 1e3:.1f} / {lag95 * 1e3:.1f} ms",
            f"{orders:,} orders, {WRITERS} at once, {orders / credited:,.0f} orders/s",
        ),
        (
            "journeys: 90-day report p50 / p95",
            f"{rep50 * 1e3:.1f} / {rep95 * 1e3:.1f} ms",
            "in process",
        ),
    ]
