"""Journey figures over DynamoDB Local: ``python -m bench --only journeys``.

1. events written per second through ``JourneysService.record`` (the writer behind
   ``eventsRecord`` and ``POST /events``): batches of 50 events of one visitor each, a
   touch on every fifth event, spread over 90 days;
2. rollup lag: how long crediting one paid order takes in the events function
   (``AttributionService.credit_paid_order``: read the journey, credit every model,
   one transaction with the day rollup), p50 and p95; the stream's own delivery delay
   (typically well under a second on AWS) comes on top;
3. a 90-day channel report (``AttributionService.report``, one Query of 90 day rollups),
   p50 and p95 in process.

The issue's scale is 1,000,000 events and 20,000 orders; the defaults here are scaled
down (``EVENTS``, ``ORDERS``) so a run fits a shared two-core machine in minutes. The
per-event and per-order costs do not depend on the table's size (every read is by key).
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

from commerce.attribution import Model
from commerce.composition import build_services
from commerce.db.table import create_table_if_missing
from commerce.journeys.commands import RecordEvents, RequestFacts
from commerce.journeys.crediting import Dimension, PaidOrder
from commerce.journeys.model import EventDraft, EventKind, TouchContext
from commerce.money import Currency
from commerce.principals import Channel
from commerce.settings import Settings

Row = tuple[str, str, str]
EVENTS = 20_000
ORDERS = 400
BATCH = 50
REPORTS = 50
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
    visitors: list[tuple[str, datetime]] = []
    started = time.perf_counter()
    for start in range(0, events, BATCH):
        offset = timedelta(days=rnd.uniform(1, 90))
        drafts = tuple(
            EventDraft(
                event_id=f"e{start + i}",
                kind=EventKind.PAGE_VIEW,
                at=NOW - offset + timedelta(minutes=i),
                path="/",
                touch=TOUCHES[rnd.randrange(len(TOUCHES))] if i % 5 == 0 else None,
            )
            for i in range(min(BATCH, events - start))
        )
        recorded = services.journeys.record(RecordEvents(None, drafts), facts)
        visitor = services.journeys.visitor_of(recorded.visitor_token)
        assert visitor is not None
        visitors.append((visitor, drafts[-1].at))
    written = time.perf_counter() - started
    lags: list[float] = []
    for index in range(orders):
        visitor, last_seen = visitors[index % len(visitors)]
        order = PaidOrder(
            order_id=f"bench-{index}",
            value=rnd.randint(500, 9000),
            currency=Currency.USD,
            # an hour after the visitor's batch: orders land on every day of the 90
            paid_at=min(last_seen + timedelta(hours=1), NOW),
            customer_id=None,
            visitor_id=visitor,
            affiliate_id=None,
            payment_method=rnd.choice(["visa", "mastercard", "apple_pay"]),
        )
        began = time.perf_counter()
        services.attribution.credit_paid_order(order)
        lags.append(time.perf_counter() - began)
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
        ("journeys: events written", f"{events / written:,.0f} events/s", f"{events:,} events"),
        (
            "journeys: rollup lag p50 / p95",
            f"{lag50 * 1e3:.1f} / {lag95 * 1e3:.1f} ms",
            f"{orders} orders",
        ),
        (
            "journeys: 90-day report p50 / p95",
            f"{rep50 * 1e3:.1f} / {rep95 * 1e3:.1f} ms",
            "in process",
        ),
    ]
