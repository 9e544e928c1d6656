"""Which offers concern a product, with what they save on it and what would complete them.

Pure: the product comes in as the engine's cart lines (one unit of one variant), and each
offer is priced by the engine alone on that line, so the shopper reads the same sentences
and savings the cart will show ("complete the series: add volumes 2 and 3 and save 15%",
"add 2 more books to get one free"). Only offers on items count here: order-level
discounts, tiers and free shipping concern the whole cart, not a product.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from commerce.pricing.engine import apply_promotions
from commerce.pricing.explain import describe
from commerce.pricing.model import (
    Bundle,
    BuyXGetY,
    CartLine,
    CodeRefusal,
    ItemsOff,
    MixAndMatch,
    PricingContext,
    Promotion,
    SeriesSet,
)
from commerce.pricing.near_miss import CartReading, shortfall
from commerce.pricing.selectors import matches

ITEM_OFFERS = (ItemsOff, BuyXGetY, SeriesSet, Bundle, MixAndMatch)


@dataclass(frozen=True, slots=True)
class ProductOffer:
    """An offer on a product: what it saves on one unit now, and what would unlock more."""

    promotion: Promotion
    summary: str
    saving: int
    next_step: str | None


def product_offers(
    line: CartLine, promotions: Iterable[Promotion], context: PricingContext
) -> list[ProductOffer]:
    """The item offers open to this shopper that concern the product, in priority order."""
    unit = replace(line, quantity=1)
    shopper = replace(context, codes=())
    found: list[ProductOffer] = []
    ordered = sorted(promotions, key=lambda p: (-p.priority, p.id))
    for promotion in ordered:
        if not isinstance(promotion.offer, ITEM_OFFERS) or promotion.conditions.requires_code:
            continue
        cart = apply_promotions([unit], shopper, [promotion])
        reading = CartReading([unit], {p.line_id: p for p in cart.lines}, shopper, matches)
        if shortfall(promotion, reading) is CodeRefusal.NOT_FOR_THESE_ITEMS:
            continue
        saving = cart.subtotal - cart.merchandise_total
        misses = [n.text for n in cart.near_misses if n.promotion_id == promotion.id]
        if not saving and not misses:
            continue  # Not for this shopper (conditions), or nothing to gain on this product.
        summary = describe(promotion.offer, promotion.currency or context.currency)
        found.append(ProductOffer(promotion, summary, saving, misses[0] if misses else None))
    return found
