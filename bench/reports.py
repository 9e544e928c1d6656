"""Store report figures over DynamoDB Local: ``python -m bench --only reports [--lines N]``.

1. order lines written per second through the project's writers, 1 to 10 lines an order
   over 200 variants in 12 collections and 3 channels, paid on one of 90 days, a tenth
   of them partly refunded a day later:
   - one by one, the first ``SAMPLE`` lines: each order put by ``OrdersService.add_new``
     (the writer checkout uses), paid by ``OrdersService.payment_succeeded`` (the Stripe
     webhook's) and refunded by ``OrdersService.refunded``;
   - the rest imported: the same orders, paid and refunded by the same lifecycle rules,
     put by ``OrdersService.import_settled`` 25 to a request (a store bringing its order
     history over), so that a million lines load in minutes;
2. rollup throughput: order lines per second added to the rollups by
   ``ReportsService.record_orders``, the stream in time order (each payment, then each
   refund a day later) in batches of 25 records as the events function gets them, each
   batch's orders read together;
3. 90-day reports in process, p50 and p95: sales per day by currency, per week by
   variant, best sellers by revenue, the margin report.

The issue's scale is 1,000,000 order lines; ``--lines`` sets the count (default 20,000 so
a run fits a shared two-core machine in minutes). The per-order rollup cost does not
depend on how many orders came before (every read is by key); a report's cost grows with
the distinct keys a day holds, not with the orders.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

from commerce.catalog.model import VariantKind
from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.db.writes import WriteSet
from commerce.ids import new_id
from commerce.money import Currency, Money
from commerce.orders import lifecycle
from commerce.orders.model import Order, OrderLine, OrderStatus, StatusChange, StockState
from commerce.orders.service import OrdersService
from commerce.reports.model import DateRange, Granularity, GroupBy, Ranking
from commerce.settings import Settings

Row = tuple[str, str, str]
LINES = 20_000
SAMPLE = 10_000
STREAM_BATCH = 25
IMPORT_BATCH = 500
VARIANTS = 200
COLLECTIONS = 12
DAYS = 90
REPORTS = 30
WRITERS = 4
FIRST_DAY = date(2026, 9, 1)
CHANNELS = ("WEB", "MOBILE", "PARTNER_API")


def _order(rnd: random.Random, number: int) -> Order:
    day = FIRST_DAY + timedelta(days=rnd.randrange(DAYS))
    at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(seconds=rnd.randrange(86000))
    lines = []
    for i in range(rnd.randint(1, 10)):
        v = rnd.randrange(VARIANTS)
        price = 500 + 100 * (v % 30)
        quantity = rnd.randint(1, 3)
        saved = price * quantity // 10 if rnd.random() < 0.2 else 0
        lines.append(
            OrderLine(
                id=f"l{i}",
                product_id=f"P{v // 2:05d}",
                variant_id=f"V{v:05d}",
                kind=VariantKind.DIGITAL,
                title=f"Book {v // 2}",
                variant_title="E-book" if v % 2 else "Audiobook",
                sku=f"SKU-{v:05d}",
                quantity=quantity,
                unit_price=Money(price, Currency.USD),
                total=Money(price * quantity - saved, Currency.USD),
                tax=None,
                unit_cost=Money(price * 2 // 5, Currency.USD),
                collection_ids=(f"C{v % COLLECTIONS:02d}",),
            )
        )
    total = sum(line.total.amount for line in lines)
    return Order(
        id=new_id(int(at.timestamp() * 1000)),
        number=number,
        created_at=at,
        updated_at=at,
        currency=Currency.USD,
        email="bench@example.com",
        phone=None,
        customer_id=None,
        lines=tuple(lines),
        subtotal=Money(total, Currency.USD),
        shipping=Money(0, Currency.USD),
        shipping_tax=None,
        tax=None,
        total=Money(total, Currency.USD),
        taxes_included=False,
        shipping_address=None,
        delivery=None,
        status=OrderStatus.AWAITING_PAYMENT,
        stock=StockState.COMMITTED,
        reserved_until=at + timedelta(minutes=15),
        history=(StatusChange(at, None, OrderStatus.AWAITING_PAYMENT, "checkout", "Order placed"),),
        payment_intent_id=f"pi_{number}",
        sales_channel=rnd.choice(CHANNELS),
    )


def _write(services: Services, order: Order, refund: bool) -> None:
    # The orders service on a clock at the order's own moment: paid a minute after it was
    # placed, refunded (if at all) a day later, so the 90 days fill as in a real store.
    paid_at = order.created_at + timedelta(minutes=1)
    clock = [paid_at]
    orders = OrdersService(services.inventory, services.gateway, clock=lambda: clock[0])
    writes = WriteSet()
    orders.add_new(writes, order)
    writes.commit()
    intent = order.payment_intent_id or ""
    orders.payment_succeeded(order_id=order.id, intent_id=intent, amount=order.total)
    if refund:
        clock[0] = paid_at + timedelta(days=1)
        part = Money(order.total.amount // 4 or 1, Currency.USD)
        orders.refunded(order_id=order.id, intent_id=intent, amount_refunded=part)


def _settled(order: Order, refund: bool) -> Order:
    """The order as the writers above leave it, by the same lifecycle rules."""
    paid_at = order.created_at + timedelta(minutes=1)
    intent = order.payment_intent_id or ""
    plan = lifecycle.payment_succeeded(
        order, at=paid_at, intent_id=intent, amount=order.total, stock_available=True
    )
    assert plan is not None
    settled = plan.order
    if refund:
        part = Money(order.total.amount // 4 or 1, Currency.USD)
        later = lifecycle.refunded(
            settled, at=paid_at + timedelta(days=1), amount_refunded=part, stock_available=True
        )
        assert later is not None
        settled = later.order
    return settled


def _stream(orders: list[Order], refunds: set[str]) -> list[list[str]]:
    """The order ids of the stream's records in time order, in the events function's
    batches: each order's payment, and a day later its refund."""
    records = [(o.created_at + timedelta(minutes=1), o.id) for o in orders]
    records += [(o.created_at + timedelta(days=1), o.id) for o in orders if o.id in refunds]
    ids = [order_id for _, order_id in sorted(records)]
    return [ids[i : i + STREAM_BATCH] for i in range(0, len(ids), STREAM_BATCH)]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def reports_rows(endpoint: str, lines: int = LINES) -> list[Row]:
    services = build_services(
        Settings(table_name=f"bench-{uuid.uuid4().hex[:8]}", dynamodb_endpoint=endpoint)
    )
    create_table_if_missing()
    rnd = random.Random(21)
    orders: list[Order] = []
    count = 0
    while count < lines:
        order = _order(rnd, len(orders) + 1)
        orders.append(order)
        count += len(order.lines)
    refunds = {o.id for o in orders if rnd.random() < 0.1}

    sampled, counted = [], 0
    for order in orders:
        if counted >= SAMPLE:
            break
        sampled.append(order)
        counted += len(order.lines)
    started = time.perf_counter()
    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(lambda o: _write(services, o, o.id in refunds), sampled))
    written = time.perf_counter() - started

    rest = [_settled(o, o.id in refunds) for o in orders[len(sampled) :]]
    chunks = [rest[i : i + IMPORT_BATCH] for i in range(0, len(rest), IMPORT_BATCH)]
    started = time.perf_counter()
    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(services.orders.import_settled, chunks))
    imported = time.perf_counter() - started

    batches = _stream(orders, refunds)
    started = time.perf_counter()
    for batch in batches:
        found = services.orders.orders_by_id(batch)
        services.reports.record_orders([found[order_id] for order_id in batch])
    rolled = time.perf_counter() - started

    window = DateRange(FIRST_DAY, FIRST_DAY + timedelta(days=DAYS - 1))
    reports = {
        "sales by day, currency": lambda: services.reports.sales(
            window, Granularity.DAY, GroupBy.CURRENCY
        ),
        "sales by week, variant": lambda: services.reports.sales(
            window, Granularity.WEEK, GroupBy.VARIANT
        ),
        "best sellers by revenue": lambda: services.reports.best_sellers(
            window, Ranking.REVENUE, 10, Currency.USD
        ),
        "margin": lambda: services.reports.margin(window, Currency.USD),
    }
    expected_units = sum(line.quantity for o in orders for line in o.lines)
    sold = services.reports.sales(window, Granularity.MONTH, GroupBy.CURRENCY)
    assert sum(r.figures.units for r in sold) == expected_units, "rollups lost units"

    rows: list[Row] = [
        (
            f"orders written one by one (add_new + paid, {WRITERS} threads)",
            f"{counted / written:,.0f} lines/s",
            f"{counted:,} lines in {len(sampled):,} orders, {written:.1f} s",
        ),
        (
            f"orders imported (import_settled, 25 a request, {WRITERS} threads)",
            f"{(count - counted) / imported:,.0f} lines/s" if rest else "-",
            f"{count - counted:,} lines in {len(rest):,} orders, {imported:.1f} s",
        ),
        (
            f"rollups (ReportsService.record_orders, {STREAM_BATCH} records a batch)",
            f"{count / rolled:,.0f} lines/s",
            f"{len(orders) / rolled:,.0f} orders/s, {count:,} lines in {len(orders):,} orders "
            f"over {DAYS} days, {len(refunds):,} refunds, {rolled:.1f} s",
        ),
    ]
    for name, report in reports.items():
        samples = []
        for _ in range(REPORTS):
            began = time.perf_counter()
            report()
            samples.append(time.perf_counter() - began)
        p50, p95 = _percentiles(samples)
        rows.append(
            (f"90-day report: {name}", f"p50 {p50 * 1000:.0f} ms", f"p95 {p95 * 1000:.0f} ms")
        )
    return rows
