"""Promotions and discount codes as staff see them."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from commerce.catalog.api.enums import VariantKind
from commerce.graphql.channels import SalesChannel
from commerce.graphql.ids import to_global_id, variant_global_id
from commerce.graphql.money import CurrencyCode, Money
from commerce.graphql.relay import Node
from commerce.graphql.user_errors import UserError
from commerce.money import Currency
from commerce.money import Money as DomainMoney
from commerce.pricing import model
from commerce.pricing.explain import describe
from commerce.principals import Channel
from commerce.promotions import product_offers
from commerce.promotions.codec import OfferKind, kind_of, offer_to_json
from commerce.promotions.errors import PromotionErrorCode as DomainPromotionErrorCode

PromotionKind = strawberry.enum(
    OfferKind,
    name="PromotionKind",
    description=(
        "What a promotion offers: ITEMS_OFF (percent or amount off each matching unit), "
        "ORDER_OFF (off the order, with minimums), TIERED_OFF (spend X save Y tiers), "
        "BUY_X_GET_Y, SERIES_SET (every volume of a series), BUNDLE (a fixed set), "
        "MIX_AND_MATCH (any K for one price), FREE_SHIPPING."
    ),
)
SelectorMatch = strawberry.enum(
    model.Match,
    name="SelectorMatch",
    description="ANY: one criterion of a selector is enough; ALL: every one must hold.",
)
PromotionErrorCode = strawberry.enum(
    DomainPromotionErrorCode,
    name="PromotionErrorCode",
    description="Why a promotion or discount code change was refused.",
)


def _channel_order(channel: Channel) -> str:
    return channel.value


def promotion_global_id(promotion_id: str) -> str:
    return to_global_id("Promotion", promotion_id)


@strawberry.type(description="An attribute value a selector asks for, e.g. author = 'Le Guin'.")
class SelectorAttribute:
    name: str = strawberry.field(description="The attribute.")
    value: str = strawberry.field(description="The value.")


@strawberry.type(
    name="PromotionSelector",
    description=(
        "Which items an offer concerns, with the global ids staff gave (as in SelectorInput); "
        "no criteria: every item."
    ),
)
class SelectorType:
    product_ids: list[strawberry.ID] = strawberry.field(description="Products.")
    variant_ids: list[strawberry.ID] = strawberry.field(description="ProductVariants.")
    collection_ids: list[strawberry.ID] = strawberry.field(description="Collections.")
    attributes: list[SelectorAttribute] = strawberry.field(description="Attribute values.")
    tags: list[str] = strawberry.field(description="Product tags.")
    kinds: list[VariantKind] = strawberry.field(description="Variant kinds.")
    children: list[SelectorType] = strawberry.field(
        description="Nested selectors, each one criterion."
    )
    match: SelectorMatch = strawberry.field(description="Whether one criterion or all must hold.")

    @classmethod
    def from_domain(cls, s: model.Selector) -> SelectorType:
        def ids(type_name: str, values: frozenset[str]) -> list[strawberry.ID]:
            return [strawberry.ID(to_global_id(type_name, v)) for v in sorted(values)]

        return cls(
            product_ids=ids("Product", s.product_ids),
            variant_ids=[strawberry.ID(variant_global_id(v)) for v in sorted(s.variant_ids)],
            collection_ids=ids("Collection", s.collection_ids),
            attributes=[SelectorAttribute(name=n, value=v) for n, v in sorted(s.attributes)],
            tags=sorted(s.tags),
            kinds=[VariantKind(k.value) for k in sorted(s.kinds, key=lambda k: k.value)],
            children=[cls.from_domain(c) for c in s.children],
            match=s.match,
        )


@strawberry.type(name="PromotionBundleComponent", description="One part of a bundle.")
class BundleComponentType:
    selector: SelectorType = strawberry.field(description="The items that can fill it.")
    quantity: int = strawberry.field(description="How many units it takes.")
    label: str = strawberry.field(description="Its name in near misses.")


def _selector_of(offer: model.Offer) -> model.Selector | None:
    match offer:
        case (
            model.ItemsOff()
            | model.OrderOff()
            | model.TieredOff()
            | model.BuyXGetY()
            | model.MixAndMatch()
        ):
            return offer.selector
        case _:
            return None


def _components_of(offer: model.Offer) -> list[BundleComponentType]:
    if not isinstance(offer, model.Bundle):
        return []
    return [
        BundleComponentType(
            selector=SelectorType.from_domain(c.selector), quantity=c.quantity, label=c.label
        )
        for c in offer.components
    ]


@strawberry.type(description="Why a promotion change was refused, and which input field.")
class PromotionUserError(UserError):
    code: PromotionErrorCode = strawberry.field(description="What is wrong, for programs.")


@strawberry.type(description="A promotion: an offer, who it is for, and how it stacks.")
class Promotion(Node):
    id: strawberry.ID = strawberry.field(description="The promotion's global id.")
    name: str = strawberry.field(description="Its name; shoppers see it in code refusals.")
    kind: PromotionKind = strawberry.field(description="What it offers.")
    summary: str = strawberry.field(
        description="The offer in one sentence, as discounts explain it ('Buy 3, get one free')."
    )
    offer: JSON = strawberry.field(
        description=(
            "The offer's whole definition as stored: percentages as decimal strings, "
            "amounts in minor units."
        )
    )
    priority: int = strawberry.field(description="Higher applies first and wins ties.")
    exclusive: bool = strawberry.field(description="Never combined with any other promotion.")
    currency_code: CurrencyCode | None = strawberry.field(
        description="The currency of its amounts; it applies only to carts in it."
    )
    starts_at: datetime | None = strawberry.field(description="When it starts (inclusive).")
    ends_at: datetime | None = strawberry.field(description="When it ends (exclusive).")
    channels: list[SalesChannel] = strawberry.field(description="Only these channels (none: all).")
    customer_segments: list[str] = strawberry.field(description="Only these segments (none: all).")
    customer_tags: list[str] = strawberry.field(description="Only customers with these tags.")
    first_order_only: bool = strawberry.field(description="Only a customer's first order.")
    affiliate_ids: list[strawberry.ID] = strawberry.field(
        description="Only carts referred by these affiliate partners (Partner ids)."
    )
    requires_code: bool = strawberry.field(description="Applies only with one of its codes.")
    selector: SelectorType | None = strawberry.field(
        description="The items its offer concerns; null for kinds without a selector."
    )
    components: list[BundleComponentType] = strawberry.field(
        description="A BUNDLE's parts, in order; empty for other kinds."
    )

    @classmethod
    def from_domain(cls, p: model.Promotion) -> Promotion:
        c = p.conditions
        selector = _selector_of(p.offer)
        return cls(
            selector=None if selector is None else SelectorType.from_domain(selector),
            components=_components_of(p.offer),
            id=strawberry.ID(promotion_global_id(p.id)),
            name=p.name,
            kind=kind_of(p.offer),
            summary=describe(p.offer, p.currency or Currency.USD),
            offer=offer_to_json(p.offer),  # type: ignore[arg-type]
            priority=p.priority,
            exclusive=p.exclusive,
            currency_code=p.currency,
            starts_at=c.starts_at,
            ends_at=c.ends_at,
            channels=sorted(c.channels, key=_channel_order),
            customer_segments=sorted(c.customer_segments),
            customer_tags=sorted(c.customer_tags),
            first_order_only=c.first_order_only,
            affiliate_ids=sorted(
                strawberry.ID(to_global_id("Partner", a)) for a in c.affiliate_ids
            ),
            requires_code=c.requires_code,
        )


@strawberry.type(description="A discount code and how much it has been used.")
class DiscountCode:
    code: str = strawberry.field(description="The code, upper-case; shoppers may type any case.")
    promotion_id: strawberry.ID = strawberry.field(description="The promotion it unlocks.")
    usage_limit: int | None = strawberry.field(description="Uses allowed in all (none: no limit).")
    per_customer_limit: int | None = strawberry.field(description="Uses allowed per customer.")
    times_used: int = strawberry.field(description="Uses by placed orders not given back.")
    starts_at: datetime | None = strawberry.field(description="Valid from (inclusive).")
    ends_at: datetime | None = strawberry.field(description="Valid until (exclusive).")
    customer_id: strawberry.ID | None = strawberry.field(
        description="A personal offer's owner, the one customer who may apply it."
    )

    @classmethod
    def from_domain(cls, c: model.DiscountCode) -> DiscountCode:
        return cls(
            code=c.code,
            promotion_id=strawberry.ID(promotion_global_id(c.promotion_id)),
            usage_limit=c.usage_limit,
            per_customer_limit=c.per_customer_limit,
            times_used=c.times_used,
            starts_at=c.starts_at,
            ends_at=c.ends_at,
            customer_id=None
            if c.customer_id is None
            else strawberry.ID(to_global_id("Customer", c.customer_id)),
        )


@strawberry.type(description="An offer on a product, priced for this shopper by the cart's engine.")
class ProductOffer:
    promotion_id: strawberry.ID = strawberry.field(description="The promotion.")
    name: str = strawberry.field(description="The promotion's name.")
    kind: PromotionKind = strawberry.field(description="What it offers.")
    summary: str = strawberry.field(description="The offer in one sentence.")
    saving: Money = strawberry.field(
        description="What it takes off one unit of the product on its own (0 until completed)."
    )
    next_step: str | None = strawberry.field(
        description=(
            "What would unlock (more of) it, e.g. 'complete the series: add volumes 2 and 3 "
            "and save 15%', 'add 2 more books to get one free'; null when nothing is missing."
        )
    )

    @classmethod
    def from_domain(cls, offer: product_offers.ProductOffer, currency: Currency) -> ProductOffer:
        return cls(
            promotion_id=strawberry.ID(promotion_global_id(offer.promotion.id)),
            name=offer.promotion.name,
            kind=kind_of(offer.promotion.offer),
            summary=offer.summary,
            saving=Money.from_domain(DomainMoney(offer.saving, currency)),
            next_step=offer.next_step,
        )
