"""Invariants over random sequences, on DynamoDB Local: stock as of any moment is the sum
of the movements up to it, and the sales rollups equal a brute-force recompute from the
orders, however often the stream redelivers (or replays older) records."""

from __future__ import annotations

import dataclasses
import itertools
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commerce.catalog import store as catalog_store
from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.catalog.model import VariantKind
from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.db.writes import ConditionsFailed, WriteSet
from commerce.inventory.commands import AdjustLevel
from commerce.inventory.service import InventoryService
from commerce.money import Currency, Money
from commerce.orders.model import Order, OrderLine, OrderStatus, StatusChange, StockState
from commerce.payments.local import LocalStripe
from commerce.problems import Rejected
from commerce.reports.model import DateRange, Granularity, GroupBy
from commerce.variant_refs import VariantRef
from table_settings import fresh_settings

USD = Currency.USD
_examples = itertools.count()


@pytest.fixture(scope="module")
def services(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Services:
    built = build_services(fresh_settings(dynamodb_endpoint, stripe_server.endpoint, "whsec_x"))
    create_table_if_missing()
    return built


# -- stock ----------------------------------------------------------------------------------

operation = st.tuples(
    st.sampled_from(["adjust", "take", "put_back"]),
    st.integers(1, 6),
    st.booleans(),  # the events function stamps this change's level (twice: a replay)
)


@settings(
    derandomize=True,
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=st.lists(operation, min_size=1, max_size=10))
def test_stock_as_of_each_moment_is_the_sum_of_the_movements_up_to_it(
    services: Services, operations: list[tuple[str, int, bool]]
) -> None:
    product = services.catalog.create_product(
        ProductDraft(
            title=f"Ledger {uuid.uuid4().hex[:8]}",
            variants=(VariantDraft(sku=f"L-{uuid.uuid4().hex[:8]}", prices=(Money(100, USD),)),),
        )
    )
    key = (product.id, product.variants[0].id)
    clock = [datetime(2026, 6, 1, tzinfo=UTC)]
    inventory = InventoryService(services.catalog, clock=lambda: clock[0])
    expected: list[tuple[datetime, int]] = [(clock[0] - timedelta(seconds=1), 0)]
    running = 0
    for kind, quantity, stamp in operations:
        clock[0] += timedelta(minutes=1)
        try:
            if kind == "adjust":
                inventory.adjust(AdjustLevel(VariantRef(*key), quantity, "count"), "staff")
                running += quantity
            else:
                writes = WriteSet()
                if kind == "take":
                    inventory.take(writes, {key: quantity}, order_id="o")
                else:
                    inventory.put_back(writes, {key: quantity}, order_id="o")
                writes.commit()
                running += -quantity if kind == "take" else quantity
        except (ConditionsFailed, Rejected):
            continue  # not enough stock: nothing moved
        if stamp:
            item = catalog_store.StockItem.get(
                catalog_store.product_pk(key[0]), catalog_store.stock_sk(key[1])
            )
            for _ in range(2):
                inventory.counter_changed(
                    key,
                    before=None,
                    after=int(item.available),
                    movement=item.last_move,
                    at=clock[0],
                    token="unused",
                )
        expected.append((clock[0], running))
    for moment, level in expected:
        assert inventory.level_as_of(*key, moment) == level
    movements = inventory.movements(*key)
    assert sum(m.delta for m in movements) == running
    assert services.catalog.stock_level(*key) == running


# -- sales rollups --------------------------------------------------------------------------

order_plan = st.lists(
    st.tuples(st.integers(1, 4), st.integers(100, 5000), st.integers(0, 99)),
    min_size=1,
    max_size=3,
)
event = st.tuples(
    st.integers(0, 2), st.sampled_from(["pay", "refund", "replay"]), st.integers(1, 90)
)


def paid_order(order_id: str, plan: list[tuple[int, int, int]], day: date) -> Order:
    at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=10)
    lines = tuple(
        OrderLine(
            id=f"l{i}",
            product_id=f"p{i}",
            variant_id=f"v{i}",
            kind=VariantKind.PHYSICAL,
            title="Book",
            variant_title="Hardcover",
            sku=f"S{i}",
            quantity=quantity,
            unit_price=Money(price, USD),
            total=Money(price * quantity * (100 - off) // 100, USD),
            tax=None,
            unit_cost=Money(price // 3, USD),
        )
        for i, (quantity, price, off) in enumerate(plan)
    )
    total = sum(line.total.amount for line in lines)
    return Order(
        id=order_id,
        number=1,
        created_at=at,
        updated_at=at,
        currency=USD,
        email=None,
        phone=None,
        customer_id=None,
        lines=lines,
        subtotal=Money(total, USD),
        shipping=Money(0, USD),
        shipping_tax=None,
        tax=None,
        total=Money(total, USD),
        taxes_included=False,
        shipping_address=None,
        delivery=None,
        status=OrderStatus.PAID,
        stock=StockState.COMMITTED,
        reserved_until=at,
        history=(StatusChange(at, None, OrderStatus.PAID, "stripe", "Payment received"),),
        sales_channel="WEB",
    )


def stream_of(orders: list[Order], events: list[tuple[int, str, int]]) -> list[Order]:
    """The snapshots the stream delivers, in order: payments, refunds and replays."""
    delivered: list[list[Order]] = [[] for _ in orders]
    stream: list[Order] = []
    for index, action, percent in events:
        current = orders[index]
        if action == "refund":
            refunded = current.refunded.amount + current.total.amount * percent // 1000
            later = current.updated_at + timedelta(days=1 + percent % 3)
            current = dataclasses.replace(
                current,
                refunded_amount=Money(min(refunded, current.total.amount), USD),
                updated_at=later,
                status=OrderStatus.PARTIALLY_REFUNDED,
            )
            orders[index] = current
        elif action == "replay" and delivered[index]:
            # An older record again (Lambda retries a batch, or a replayed stream).
            current = delivered[index][percent % len(delivered[index])]
        delivered[index].append(current)
        stream.append(current)
    return stream


def assert_rollups_hold(services: Services, start: date, applied: list[Order]) -> None:
    """Brute force: a sale on its paid day once applied; each applied snapshot's refunds
    beyond the most applied before it, on that snapshot's day."""
    per_order: dict[str, list[Order]] = {}
    for snapshot in applied:
        per_order.setdefault(snapshot.id, []).append(snapshot)
    expected: dict[date, list[int]] = {}
    for snapshots in per_order.values():
        first = snapshots[0]
        cell = expected.setdefault(start, [0, 0, 0, 0, 0])
        cell[0] += sum(line.quantity for line in first.lines)
        cell[1] += sum(line.unit_price.amount * line.quantity for line in first.lines)
        cell[2] += sum(
            line.unit_price.amount * line.quantity - line.total.amount for line in first.lines
        )
        cell[4] += sum(
            (line.unit_cost.amount if line.unit_cost else 0) * line.quantity for line in first.lines
        )
        seen = 0
        for snapshot in snapshots:
            if snapshot.refunded.amount > seen:
                day = expected.setdefault(snapshot.updated_at.date(), [0, 0, 0, 0, 0])
                day[3] += snapshot.refunded.amount - seen
                seen = snapshot.refunded.amount
    window = DateRange(start, start + timedelta(days=10))
    rows = services.reports.sales(window, Granularity.DAY, GroupBy.CURRENCY, USD)
    found = {
        r.period: [
            r.figures.units,
            r.figures.gross,
            r.figures.discounts,
            r.figures.refunds,
            r.figures.cost,
        ]
        for r in rows
    }
    assert found == {d: c for d, c in expected.items() if any(c)}
    by_variant = services.reports.sales(window, Granularity.MONTH, GroupBy.VARIANT, USD)
    assert sum(r.figures.refunds for r in by_variant) == sum(c[3] for c in expected.values())
    assert sum(r.figures.units for r in by_variant) == sum(c[0] for c in expected.values())


@settings(
    derandomize=True,
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(plans=st.lists(order_plan, min_size=3, max_size=3), events=st.lists(event, max_size=12))
def test_rollups_equal_a_recompute_from_the_orders_whatever_the_stream_redelivers(
    services: Services, plans: list[list[tuple[int, int, int]]], events: list[tuple[int, str, int]]
) -> None:
    # Each example reports on days of its own, far from the others'.
    start = date(2001, 1, 1) + timedelta(days=50 * next(_examples))
    orders = [paid_order(uuid.uuid4().hex, plan, start) for plan in plans]
    stream = stream_of(orders, events)
    for snapshot in stream:
        services.reports.record_order(snapshot)
    assert_rollups_hold(services, start, stream)


@settings(
    derandomize=True,
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    plans=st.lists(order_plan, min_size=3, max_size=3),
    events=st.lists(event, max_size=12),
    sizes=st.lists(st.integers(1, 5), min_size=1, max_size=6),
    retried=st.integers(0, 3),
)
def test_batches_of_records_fold_into_the_same_rollups_as_one_at_a_time(
    services: Services,
    plans: list[list[tuple[int, int, int]]],
    events: list[tuple[int, str, int]],
    sizes: list[int],
    retried: int,
) -> None:
    start = date(2001, 1, 1) + timedelta(days=50 * next(_examples))
    orders = [paid_order(uuid.uuid4().hex, plan, start) for plan in plans]
    stream = stream_of(orders, events)
    applied: list[Order] = []
    position, batch = 0, 0
    while position < len(stream):
        size = sizes[batch % len(sizes)]
        records = stream[position : position + size]
        services.reports.record_orders(records)
        if batch == retried:
            # Lambda retries the whole batch: nothing is added twice.
            services.reports.record_orders(records)
        # A batch applies, per order, the copy with the most refunded (the last of those).
        chosen: dict[str, Order] = {}
        for snapshot in records:
            known = chosen.get(snapshot.id)
            if known is None or snapshot.refunded.amount >= known.refunded.amount:
                chosen[snapshot.id] = snapshot
        applied.extend(chosen.values())
        position += size
        batch += 1
    assert_rollups_hold(services, start, applied)


def test_a_batch_larger_than_a_transaction_is_added_whole_and_once(services: Services) -> None:
    start = date(2001, 1, 1) + timedelta(days=50 * next(_examples))
    orders = [
        paid_order(uuid.uuid4().hex, [(1 + i % 3, 100 + i, 0)], start + timedelta(days=i % 4))
        for i in range(230)
    ]
    assert services.reports.record_orders(orders) == 230
    assert services.reports.record_orders(orders) == 0
    window = DateRange(start, start + timedelta(days=3))
    rows = services.reports.sales(window, Granularity.DAY, GroupBy.VARIANT, USD)
    assert sum(r.figures.units for r in rows) == sum(1 + i % 3 for i in range(230))
    assert sum(r.figures.orders for r in rows) == 230
