"""Small builders for pricing tests: lines, contexts and promotions in USD."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from commerce.money import Currency, Money
from commerce.pricing.engine import apply_promotions
from commerce.pricing.model import (
    ALWAYS,
    CartLine,
    Conditions,
    DiscountCode,
    ItemKind,
    Offer,
    PricedCart,
    PricingContext,
    Promotion,
    Selector,
)
from commerce.variant_refs import VariantRef

USD = Currency.USD
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def line(
    line_id: str,
    price: int,
    quantity: int = 1,
    *,
    product: str | None = None,
    variant: str | None = None,
    collections: tuple[str, ...] = ("books",),
    attributes: tuple[tuple[str, str], ...] = (),
    tags: tuple[str, ...] = (),
    kind: ItemKind = ItemKind.PHYSICAL,
) -> CartLine:
    return CartLine(
        line_id=line_id,
        product_id=product or f"p-{line_id}",
        variant_id=variant or f"v-{line_id}",
        quantity=quantity,
        unit_price=Money(price, USD),
        collection_ids=frozenset(collections),
        attributes=frozenset(attributes),
        tags=frozenset(tags),
        kind=kind,
    )


def variants(*line_ids: str) -> frozenset[VariantRef]:
    """The variants of lines made by ``line`` with their default product and variant."""
    return frozenset(VariantRef(f"p-{i}", f"v-{i}") for i in line_ids)


def volume(line_id: str, series: str, number: int, price: int) -> CartLine:
    return line(line_id, price, attributes=(("series", series), ("volume", str(number))))


def context(
    *,
    codes: tuple[str, ...] = (),
    shipping: int | None = None,
    zone: str | None = None,
    **others: object,
) -> PricingContext:
    return PricingContext(
        now=NOW,
        currency=USD,
        codes=codes,
        shipping=shipping,
        shipping_zone_id=zone,
        **others,  # type: ignore[arg-type]
    )


def promo(
    pid: str,
    offer: Offer,
    *,
    name: str | None = None,
    priority: int = 0,
    exclusive: bool = False,
    conditions: Conditions = ALWAYS,
    currency: Currency | None = USD,
) -> Promotion:
    return Promotion(
        id=pid,
        name=name or pid,
        offer=offer,
        conditions=conditions,
        priority=priority,
        exclusive=exclusive,
        currency=currency,
    )


def code(text: str, promotion_id: str, **others: object) -> DiscountCode:
    return DiscountCode(text, promotion_id, **others)  # type: ignore[arg-type]


def pct(value: str) -> Decimal:
    return Decimal(value)


BOOKS = Selector(collection_ids=frozenset({"books"}))


def price(
    lines: list[CartLine],
    promotions: list[Promotion],
    ctx: PricingContext | None = None,
    codes: list[DiscountCode] | None = None,
) -> PricedCart:
    return apply_promotions(lines, ctx or context(), promotions, codes or [])
