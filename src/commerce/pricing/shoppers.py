"""A shopper as the pricing engine sees them: channel, customer, segments and tags.

Carts, checkout, a cart's offers and a product's offers all start pricing here, so a
promotion limited to a channel, a segment or a customer shows alike everywhere; the
cart and promotions contexts both read it, and neither owns the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from commerce.money import Currency
from commerce.pricing.model import PricingContext
from commerce.pricing.segments import CustomerFacts, SegmentRule, rule_segments
from commerce.principals import Shopper


@dataclass(frozen=True, slots=True)
class ShopperProfile:
    """What promotions may target about a signed-in customer (the customers context keeps
    it): derived segments, staff tags, and whether the next paid order is their first;
    with the store's rule segments and the facts they are decided from (``segments.py``),
    read in the same BatchGetItem."""

    segments: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    first_order: bool = False
    facts: CustomerFacts | None = None
    rules: tuple[SegmentRule, ...] = ()


def shopper_context(
    shopper: Shopper,
    now: datetime,
    currency: Currency,
    profile: ShopperProfile | None = None,
    affiliate_id: str | None = None,
) -> PricingContext:
    """Who buys, as the pricing engine sees them: the channel and the customer.

    The one place a shopper becomes an engine context: cart totals, checkout (which prices
    through the cart), the cart's offers and a product's offers all start from it, so a
    promotion limited to a channel or a customer shows alike everywhere. A guest has no
    profile: promotions for segments, tags or first orders need a signed-in customer
    (docs/decisions/0010).
    """
    known = profile or ShopperProfile()
    # Rule segments are decided at the pricing's own moment ("no order for 60 days").
    segments = known.segments | rule_segments(known.rules, known.facts, now)
    return PricingContext(
        now=now,
        currency=currency,
        channel=shopper.channel,
        customer_id=shopper.customer_id,
        customer_segments=segments,
        customer_tags=known.tags,
        first_order=profile is not None and profile.first_order,
        affiliate_id=affiliate_id,
    )
