"""Paid orders as the orders service gives them, and an affiliates service on a clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from commerce.affiliates.service import AffiliatesService
from commerce.catalog.model import VariantKind
from commerce.composition import Services
from commerce.money import Currency, Money
from commerce.orders.model import (
    Order,
    OrderLine,
    OrderStatus,
    StatusChange,
    StockState,
)

USD = Currency.USD
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class RecordingTransfers:
    """The transfers port's double: localstripe has no Transfer API."""

    made: list[tuple[str, Money, str]] = field(default_factory=list)

    def transfer(
        self, *, destination: str, amount: Money, idempotency_key: str, description: str
    ) -> str:
        self.made.append((destination, amount, idempotency_key))
        return f"tr_{len(self.made)}"


def affiliates_on(
    services: Services, clock: Clock, transfers: RecordingTransfers
) -> AffiliatesService:
    return AffiliatesService(
        lambda partner_id: services.access.partner(partner_id) is not None,
        transfers,
        services.catalog,
        pseudonym_key=b"test pseudonyms",
        clock=clock,
    )


def paid_order(
    lines: list[int],
    *,
    paid_at: datetime,
    customer_id: str | None = None,
    affiliate_id: str | None = None,
    shipping: int = 0,
    number: int = 1,
) -> Order:
    """A paid order of digital lines at these totals (after discounts), plus shipping."""
    order_lines = tuple(
        OrderLine(
            id=f"line-{i}",
            product_id=f"product-{i}",
            variant_id="v1",
            kind=VariantKind.DIGITAL,
            title="E-book",
            variant_title="",
            sku=f"SKU-{i}",
            quantity=1,
            unit_price=Money(total, USD),
            total=Money(total, USD),
            tax=None,
        )
        for i, total in enumerate(lines)
    )
    subtotal = sum(lines)
    total = Money(subtotal + shipping, USD)
    return Order(
        id=uuid.uuid4().hex,
        number=number,
        created_at=paid_at,
        updated_at=paid_at,
        currency=USD,
        email=None,
        phone=None,
        customer_id=customer_id,
        lines=order_lines,
        subtotal=Money(subtotal, USD),
        shipping=Money(shipping, USD),
        shipping_tax=None,
        tax=None,
        total=total,
        taxes_included=False,
        shipping_address=None,
        delivery=None,
        status=OrderStatus.PAID,
        stock=StockState.COMMITTED,
        reserved_until=paid_at,
        history=(
            StatusChange(paid_at, OrderStatus.AWAITING_PAYMENT, OrderStatus.PAID, "stripe", ""),
        ),
        paid_amount=total,
        affiliate_id=affiliate_id,
    )


def refunded(order: Order, cumulative: int) -> Order:
    """The order once Stripe reports ``cumulative`` refunded."""
    amount = min(cumulative, order.total.amount)
    status = (
        OrderStatus.REFUNDED if amount == order.total.amount else OrderStatus.PARTIALLY_REFUNDED
    )
    return replace(order, refunded_amount=Money(amount, USD), status=status)
