"""What promotions do to a cart, as clients see it: discounts, codes, near misses."""

from __future__ import annotations

import strawberry

from commerce.cart import model
from commerce.cart.pricer import CartOffer as DomainCartOffer
from commerce.graphql.ids import to_global_id
from commerce.graphql.money import Money
from commerce.money import Currency
from commerce.money import Money as DomainMoney
from commerce.pricing import model as pricing
from commerce.promotions.api.types import PromotionKind
from commerce.promotions.codec import kind_of

DiscountCodeRefusal = strawberry.enum(
    pricing.CodeRefusal,
    name="DiscountCodeRefusal",
    description="Why a discount code on a cart does not lower its price.",
)
NearMissKind = strawberry.enum(
    pricing.NearMissKind,
    name="NearMissKind",
    description="What the shopper would have to add to unlock an offer.",
)


def promotion_global_id(promotion_id: str) -> strawberry.ID:
    return strawberry.ID(to_global_id("Promotion", promotion_id))


@strawberry.type(description="A promotion's saving on a line, the order or shipping.")
class CartDiscountAllocation:
    promotion_id: strawberry.ID = strawberry.field(description="The promotion that gives it.")
    code: str | None = strawberry.field(
        description="The discount code that unlocked it; null for an automatic offer."
    )
    amount: Money = strawberry.field(description="How much it takes off.")
    explanation: str = strawberry.field(
        description="What it is, for shoppers, e.g. 'Buy 3 books, get the cheapest free'."
    )

    @classmethod
    def from_domain(
        cls, discount: pricing.Discount, priced: model.PricedCart
    ) -> CartDiscountAllocation:
        return cls(
            promotion_id=promotion_global_id(discount.promotion_id),
            code=priced.code_for(discount.promotion_id),
            amount=Money.from_domain(DomainMoney(discount.amount, priced.cart.currency)),
            explanation=discount.text,
        )


@strawberry.type(description="A discount code entered on the cart, and whether it applies.")
class CartDiscountCode:
    code: str = strawberry.field(description="The code, normalised (upper case, trimmed).")
    applicable: bool = strawberry.field(description="Whether it lowers the cart's price now.")
    reason: DiscountCodeRefusal | None = strawberry.field(
        description="Why it does not apply; null when it does."
    )
    message: str = strawberry.field(description="What happened to the code, for shoppers.")


@strawberry.type(description="An offer the cart is close to, and what would unlock it.")
class CartNearMiss:
    promotion_id: strawberry.ID = strawberry.field(description="The promotion.")
    kind: NearMissKind = strawberry.field(description="What is missing.")
    message: str = strawberry.field(
        description="The sentence to show, e.g. 'Add 1 more book to get one free'."
    )
    amount_missing: Money | None = strawberry.field(
        description="How much more to spend (SPEND_MORE); null otherwise."
    )
    items_missing: int = strawberry.field(description="How many more items (0: not counted).")

    @classmethod
    def from_domain(cls, miss: pricing.NearMiss, currency: Currency) -> CartNearMiss:
        return cls(
            promotion_id=promotion_global_id(miss.promotion_id),
            kind=miss.kind,
            message=miss.text,
            amount_missing=(
                Money.from_domain(DomainMoney(miss.amount_missing, currency))
                if miss.amount_missing
                else None
            ),
            items_missing=miss.items_missing,
        )


def discount_codes(priced: model.PricedCart) -> list[CartDiscountCode]:
    """Every code on the cart, in the order entered, applied or refused with the reason."""
    promoted = priced.promotions
    refused = {} if promoted is None else {r.code: r for r in promoted.refused_codes}
    names = {} if promoted is None else {a.promotion_id: a.name for a in promoted.applied}
    known = {c.code: c for c in priced.known_codes}
    found: list[CartDiscountCode] = []
    for code in priced.cart.discount_codes:
        refusal = refused.get(code)
        if refusal is not None:
            found.append(
                CartDiscountCode(
                    code=code, applicable=False, reason=refusal.reason, message=refusal.message
                )
            )
            continue
        stored = known.get(code)
        name = None if stored is None else names.get(stored.promotion_id)
        if promoted is None or name is None:
            # Priced without promotions (or the engine said nothing): not applied.
            found.append(
                CartDiscountCode(
                    code=code,
                    applicable=False,
                    reason=pricing.CodeRefusal.UNKNOWN,
                    message=f"Code {code} is not recognised.",
                )
            )
            continue
        found.append(
            CartDiscountCode(
                code=code, applicable=True, reason=None, message=f"Code {code} applied: {name}."
            )
        )
    return found


def line_saving(priced: model.PricedCart, line_id: str) -> int:
    """What promotions take off one line, in minor units."""
    engine_line = priced.line_pricing(line_id)
    return 0 if engine_line is None else engine_line.subtotal - engine_line.total


def line_discounts(priced: model.PricedCart, line_id: str) -> list[CartDiscountAllocation]:
    """The line's own discounts, then its shares of order-level discounts."""
    engine_line = priced.line_pricing(line_id)
    if engine_line is None:
        return []
    return [
        CartDiscountAllocation.from_domain(d, priced)
        for d in (*engine_line.discounts, *engine_line.order_discounts)
    ]


@strawberry.type(description="An offer on the cart's products, for this shopper.")
class CartOffer:
    promotion_id: strawberry.ID = strawberry.field(
        description="The promotion (a BUNDLE can be added whole with cartBundleAdd)."
    )
    name: str = strawberry.field(description="The promotion's name.")
    kind: PromotionKind = strawberry.field(description="What it offers.")
    summary: str = strawberry.field(description="The offer in one sentence.")
    saving: Money = strawberry.field(description="What it takes off this cart now (0: not yet).")
    next_step: str | None = strawberry.field(
        description=(
            "What the cart lacks for it, e.g. 'complete the series: add volumes 2 and 3 and "
            "save 15%'; null when nothing is missing."
        )
    )

    @classmethod
    def from_domain(cls, found: DomainCartOffer, currency: Currency) -> CartOffer:
        promotion = found.offer.promotion
        return cls(
            promotion_id=promotion_global_id(promotion.id),
            name=promotion.name,
            kind=kind_of(promotion.offer),
            summary=found.offer.summary,
            saving=Money.from_domain(DomainMoney(found.saving, currency)),
            next_step=found.next_step,
        )
