"""How events and staff actions move an order: pure decisions, in any order, once."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from commerce.catalog.model import VariantKind
from commerce.money import Currency, Money
from commerce.orders import lifecycle
from commerce.orders.model import (
    Order,
    OrderLine,
    OrderStatus,
    RefundState,
    StockState,
    may_read,
    physical_quantities,
    token_digest,
)
from commerce.problems import Rejected

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def usd(cents: int) -> Money:
    return Money(cents, Currency.USD)


def line(variant: str, quantity: int, kind: VariantKind = VariantKind.PHYSICAL) -> OrderLine:
    return OrderLine(
        id=f"l-{variant}",
        product_id="p",
        variant_id=variant,
        kind=kind,
        title="Dune",
        variant_title="Hardcover",
        sku=f"SKU-{variant}",
        quantity=quantity,
        unit_price=usd(1000),
        total=usd(1000 * quantity),
        tax=None,
    )


def order(**changes: object) -> Order:
    base = Order(
        id="o1",
        number=1001,
        created_at=T0,
        updated_at=T0,
        currency=Currency.USD,
        email="a@example.com",
        phone=None,
        customer_id=None,
        lines=(line("v1", 2), line("e1", 1, VariantKind.DIGITAL)),
        subtotal=usd(3000),
        shipping=usd(500),
        shipping_tax=None,
        tax=None,
        total=usd(3500),
        taxes_included=False,
        shipping_address=None,
        delivery=None,
        status=OrderStatus.AWAITING_PAYMENT,
        stock=StockState.RESERVED,
        reserved_until=T0 + timedelta(minutes=15),
        history=(),
        payment_intent_id="pi_1",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_only_physical_lines_take_stock() -> None:
    assert physical_quantities(
        (line("v1", 2), line("v1", 1), line("e", 1, VariantKind.DIGITAL))
    ) == {("p", "v1"): 3}


def test_success_commits_reserved_stock_and_drops_the_reservation() -> None:
    plan = lifecycle.payment_succeeded(
        order(), at=T0, intent_id="pi_1", amount=usd(3500), stock_available=True
    )
    assert plan is not None
    assert (plan.order.status, plan.order.stock) == (OrderStatus.PAID, StockState.COMMITTED)
    assert (plan.take_stock, plan.return_stock, plan.drop_reservation) == (False, False, True)
    again = lifecycle.payment_succeeded(
        plan.order, at=T0, intent_id="pi_1", amount=usd(3500), stock_available=True
    )
    assert again is None


def test_success_after_release_takes_again_or_flags_short() -> None:
    released = order(status=OrderStatus.EXPIRED, stock=StockState.RELEASED)
    taken = lifecycle.payment_succeeded(
        released, at=T0, intent_id="pi_1", amount=usd(3500), stock_available=True
    )
    assert taken is not None
    assert taken.take_stock
    assert taken.order.stock is StockState.COMMITTED
    short = lifecycle.payment_succeeded(
        released, at=T0, intent_id="pi_1", amount=usd(3500), stock_available=False
    )
    assert short is not None
    assert not short.take_stock
    assert (short.order.status, short.order.stock) == (OrderStatus.PAID, StockState.SHORT)
    assert short.order.attention


def test_a_wrong_amount_is_paid_but_flagged() -> None:
    plan = lifecycle.payment_succeeded(
        order(), at=T0, intent_id="pi_1", amount=usd(100), stock_available=True
    )
    assert plan is not None
    assert plan.order.attention


def test_release_returns_stock_once_and_never_from_a_paid_order() -> None:
    plan = lifecycle.released(order(), at=T0, status=OrderStatus.CANCELLED, actor="x", note="n")
    assert plan is not None
    assert plan.return_stock
    assert (
        lifecycle.released(plan.order, at=T0, status=OrderStatus.CANCELLED, actor="x", note="n")
        is None
    )
    assert (
        lifecycle.released(
            order(status=OrderStatus.PAID), at=T0, status=OrderStatus.CANCELLED, actor="x", note="n"
        )
        is None
    )


def test_expiry_waits_for_the_end_of_the_window() -> None:
    assert lifecycle.expired(order(), at=T0) is None
    plan = lifecycle.expired(order(), at=T0 + timedelta(minutes=15))
    assert plan is not None
    assert plan.order.status is OrderStatus.EXPIRED


def test_refunds_are_cumulative_whatever_their_order() -> None:
    paid = order(status=OrderStatus.PAID, stock=StockState.COMMITTED)
    full = lifecycle.refunded(paid, at=T0, amount_refunded=usd(3500), stock_available=True)
    assert full is not None
    assert full.order.status is OrderStatus.REFUNDED
    assert (
        lifecycle.refunded(full.order, at=T0, amount_refunded=usd(1000), stock_available=True)
        is None
    )


def test_refund_request_over_what_is_left_is_refused() -> None:
    paid = order(status=OrderStatus.PAID, stock=StockState.COMMITTED)
    plan, request = lifecycle.request_refund(paid, at=T0, actor="s", amount=usd(3000), reason="r")
    assert request.state is RefundState.PENDING
    assert plan.order.refundable == usd(500)
    with pytest.raises(Rejected) as refused:
        lifecycle.request_refund(plan.order, at=T0, actor="s", amount=usd(501), reason="r")
    assert [p.code.value for p in refused.value.problems] == ["REFUND_EXCEEDS_REMAINING"]
    settled = lifecycle.refunded(plan.order, at=T0, amount_refunded=usd(3000), stock_available=True)
    assert settled is not None
    assert settled.order.refund_pending == usd(0)
    assert settled.order.status is OrderStatus.PARTIALLY_REFUNDED


def test_guest_token_and_owner_read_the_order() -> None:
    guest = order(access_digest=token_digest("secret"))
    assert may_read(guest, access_token="secret", customer_id=None)
    assert not may_read(guest, access_token="other", customer_id=None)
    owned = order(customer_id="c1")
    assert may_read(owned, access_token=None, customer_id="c1")
    assert not may_read(owned, access_token=None, customer_id="c2")


def test_a_dispute_is_recorded_once_and_closed_once_and_holds_what_it_disputes() -> None:
    paid = order(status=OrderStatus.PAID, stock=StockState.COMMITTED)
    opened = lifecycle.dispute_opened(paid, at=T0, dispute_id="dp_1", amount=usd(1200))
    assert opened is not None
    assert opened.order.status is OrderStatus.PAID
    assert opened.order.disputed == usd(1200)
    # The same dispute again (a new event id for it) changes nothing.
    assert (
        lifecycle.dispute_opened(opened.order, at=T0, dispute_id="dp_1", amount=usd(1200)) is None
    )
    won = lifecycle.dispute_closed(
        opened.order, at=T0, dispute_id="dp_1", amount=usd(1200), won=True
    )
    assert won is not None
    assert won.order.disputed == usd(0)
    assert won.order.disputes[0].closed_at == T0
    assert (
        lifecycle.dispute_closed(won.order, at=T0, dispute_id="dp_1", amount=usd(1200), won=False)
        is None
    )
    # A close that arrives before its opening records the dispute as closed.
    lost = lifecycle.dispute_closed(paid, at=T0, dispute_id="dp_2", amount=usd(9999), won=False)
    assert lost is not None
    assert lost.order.disputed == usd(3500)
    assert lifecycle.dispute_opened(lost.order, at=T0, dispute_id="dp_2", amount=usd(10)) is None


def test_an_unpaid_order_or_another_currency_has_no_dispute() -> None:
    unpaid = order()
    assert lifecycle.dispute_opened(unpaid, at=T0, dispute_id="dp_1", amount=usd(100)) is None
    paid = order(status=OrderStatus.PAID, stock=StockState.COMMITTED)
    euros = Money(100, Currency.EUR)
    assert lifecycle.dispute_opened(paid, at=T0, dispute_id="dp_1", amount=euros) is None
    assert lifecycle.dispute_opened(paid, at=T0, dispute_id="dp_1", amount=usd(0)) is None
