"""Sales deltas: what one paid order and its refunds add, shared among its lines exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from commerce.catalog.model import VariantKind
from commerce.money import Currency, Money
from commerce.orders.model import (
    Order,
    OrderLine,
    OrderStatus,
    StatusChange,
    StockState,
)
from commerce.reports.model import (
    COST,
    DISCOUNTS,
    GROSS,
    ORDERS,
    REFUNDS,
    UNCOSTED,
    UNITS,
    DateRange,
    GroupBy,
    refund_delta,
    refund_shares,
    sale_delta,
)

AT = datetime(2026, 12, 1, 10, tzinfo=UTC)
USD = Currency.USD


def line(i: int, quantity: int, price: int, saved: int, cost: Money | None) -> OrderLine:
    return OrderLine(
        id=f"l{i}",
        product_id=f"p{i % 2}",
        variant_id=f"v{i}",
        kind=VariantKind.PHYSICAL,
        title=f"Book {i % 2}",
        variant_title="Hardcover",
        sku=f"SKU-{i}",
        quantity=quantity,
        unit_price=Money(price, USD),
        total=Money(price * quantity - saved, USD),
        tax=None,
        unit_cost=cost,
        collection_ids=("c1",) if i % 2 else (),
    )


def order(lines: list[OrderLine], channel: str | None = "WEB") -> Order:
    total = sum(x.total.amount for x in lines)
    return Order(
        id="o1",
        number=1,
        created_at=AT,
        updated_at=AT,
        currency=USD,
        email=None,
        phone=None,
        customer_id=None,
        lines=tuple(lines),
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
        reserved_until=AT,
        history=(StatusChange(AT, None, OrderStatus.PAID, "stripe", "Payment received"),),
        sales_channel=channel,
    )


def test_an_order_adds_its_units_gross_discounts_and_cost_once_per_group() -> None:
    placed = order(
        [
            line(0, 2, 2000, 400, Money(800, USD)),
            line(1, 1, 1500, 0, None),
            line(2, 1, 1000, 0, Money(300, Currency.EUR)),
        ]
    )
    delta, labels = sale_delta(placed)
    cell = delta[GroupBy.CURRENCY]["USD"]
    assert (cell[UNITS], cell[GROSS], cell[DISCOUNTS], cell[COST]) == (4, 6500, 400, 1600)
    # The 15.00 line has no cost and the 10.00 one a cost in another currency.
    assert (cell[ORDERS], cell[UNCOSTED]) == (1, 2)
    assert set(delta[GroupBy.COLLECTION]) == {"c1", "(none)"}
    assert delta[GroupBy.PRODUCT]["p0"][ORDERS] == 1
    assert delta[GroupBy.PRODUCT]["p0"][UNITS] == 3
    assert labels[GroupBy.VARIANT]["p0.v0"] == "Book 0 (Hardcover) SKU-0"
    assert set(delta[GroupBy.CHANNEL]) == {"WEB"}


def test_an_order_without_a_recorded_channel_counts_under_none() -> None:
    delta, _ = sale_delta(order([line(0, 1, 1000, 0, None)], channel=None))
    assert set(delta[GroupBy.CHANNEL]) == {"(none)"}


@settings(derandomize=True, max_examples=300)
@given(
    totals=st.lists(st.integers(0, 100_000), min_size=1, max_size=25),
    amount=st.integers(0, 2_500_000),
)
def test_refund_shares_add_up_to_the_refund_exactly(totals: list[int], amount: int) -> None:
    placed = order([line(i, 1, t, 0, None) for i, t in enumerate(totals)])
    shares = refund_shares(placed, amount)
    assert sum(shares) == amount
    assert all(s >= 0 for s in shares)
    delta, _ = refund_delta(placed, amount)
    assert delta[GroupBy.CURRENCY]["USD"][REFUNDS] == amount


def test_a_range_is_at_most_400_days_and_runs_forwards() -> None:
    day = AT.date()
    assert DateRange(day, day).problem() is None
    assert DateRange(day, day.replace(day=2)).problem() is None
    assert DateRange(day.replace(day=2), day).problem() == "from must be on or before to"
    assert DateRange(day - timedelta(days=399), day).problem() is None
    assert DateRange(day - timedelta(days=400), day).problem() == "A report covers at most 400 days"
