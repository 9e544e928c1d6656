"""Promotion inputs and their conversion into the engine's terms.

Amounts are decimals in major units of the promotion's ``currencyCode``; ids are global ids.
Every malformed value becomes a problem at its field, so staff see all mistakes at once;
an input with any of them becomes no command.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import strawberry

from commerce.catalog import model as catalog_model
from commerce.catalog.api.enums import VariantKind
from commerce.graphql.channels import SalesChannel
from commerce.graphql.inputs import InputErrors
from commerce.graphql.money import CurrencyCode, MoneyInput
from commerce.money import Currency
from commerce.pricing import model
from commerce.promotions.api.types import PromotionKind, SelectorMatch
from commerce.promotions.codec import OfferKind
from commerce.promotions.errors import PromotionErrorCode as Code

Field = tuple[str, ...]


@strawberry.input(description="An attribute value items must have, e.g. author = 'Le Guin'.")
class AttributeValueInput:
    name: str = strawberry.field(description="The attribute, e.g. 'author', 'series'.")
    value: str = strawberry.field(description="The value.")


@strawberry.input(description="Which items an offer concerns; no criteria: every item.")
class SelectorInput:
    product_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Products (global ids)."
    )
    variant_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Product variants (ProductVariant global ids)."
    )
    collection_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Collections (global ids)."
    )
    attributes: list[AttributeValueInput] = strawberry.field(
        default_factory=list, description="Attribute values; one criterion per attribute name."
    )
    tags: list[str] = strawberry.field(default_factory=list, description="Product tags.")
    kinds: list[VariantKind] = strawberry.field(
        default_factory=list, description="Variant kinds: physical (shipped) or digital."
    )
    children: list[SelectorInput] = strawberry.field(
        default_factory=list,
        description=(
            "Nested selectors, each one more criterion, met when the nested selector "
            "matches by its own match (e.g. ALL of: a collection, and ANY of two tags)."
        ),
    )
    match: SelectorMatch = strawberry.field(
        default=model.Match.ANY, description="Whether one criterion or all must hold."
    )


@strawberry.input(description="A tier: from this subtotal on, this much off.")
class TierInput:
    threshold: Decimal = strawberry.field(description="The subtotal that reaches the tier.")
    percent: Decimal | None = strawberry.field(default=None, description="Percent off.")
    amount: Decimal | None = strawberry.field(default=None, description="Amount off.")


@strawberry.input(description="One part of a bundle.")
class BundleComponentInput:
    selector: SelectorInput = strawberry.field(description="The items that can fill it.")
    quantity: int = strawberry.field(default=1, description="How many units it takes.")
    label: str = strawberry.field(default="", description="Its name in near misses.")


@strawberry.input(
    description=(
        "A promotion, whole. Fields that do not concern its kind are ignored: ITEMS_OFF "
        "(selector, percent or amount), ORDER_OFF (percent or amount, minSubtotal, "
        "minQuantity, selector), TIERED_OFF (tiers, selector), BUY_X_GET_Y (selector, buy, "
        "get, percent, noun), SERIES_SET (series, volumes, percent), BUNDLE (components, "
        "price or percent), MIX_AND_MATCH (selector, count, price, noun), FREE_SHIPPING "
        "(minSubtotal, zoneIds)."
    )
)
class PromotionInput:
    name: str = strawberry.field(description="Its name; shoppers see it in code refusals.")
    kind: PromotionKind = strawberry.field(description="What it offers.")
    currency_code: CurrencyCode | None = strawberry.field(
        default=None,
        description="Needed for amounts and thresholds; it then applies only to carts in it.",
    )
    priority: int = strawberry.field(default=0, description="Higher applies first, wins ties.")
    exclusive: bool = strawberry.field(default=False, description="Never combined with others.")
    selector: SelectorInput | None = strawberry.field(default=None, description="Items concerned.")
    percent: Decimal | None = strawberry.field(default=None, description="Percent off (0-100].")
    amount: Decimal | None = strawberry.field(default=None, description="Amount off.")
    min_subtotal: Decimal | None = strawberry.field(default=None, description="Minimum subtotal.")
    min_quantity: int = strawberry.field(default=0, description="Minimum number of items.")
    tiers: list[TierInput] = strawberry.field(default_factory=list, description="Tiers.")
    buy: int = strawberry.field(default=1, description="Units to buy.")
    get: int = strawberry.field(default=1, description="Units discounted (the cheapest).")
    noun: str = strawberry.field(default="item", description="What units are called in texts.")
    series: str = strawberry.field(default="", description="The series' attribute value.")
    volumes: list[str] = strawberry.field(default_factory=list, description="Its volumes.")
    components: list[BundleComponentInput] = strawberry.field(
        default_factory=list, description="A bundle's parts."
    )
    price: Decimal | None = strawberry.field(default=None, description="A bundle's price.")
    count: int = strawberry.field(default=0, description="Mix-and-match: how many units.")
    zone_ids: list[str] = strawberry.field(default_factory=list, description="Shipping zones.")
    starts_at: datetime | None = strawberry.field(default=None, description="Start (inclusive).")
    ends_at: datetime | None = strawberry.field(default=None, description="End (exclusive).")
    channels: list[SalesChannel] = strawberry.field(
        default_factory=list, description="Only these channels (none: all)."
    )
    customer_segments: list[str] = strawberry.field(
        default_factory=list,
        description=(
            "Only signed-in customers in one of these segments: first-time, returning, "
            "loyal, country:<code>, age:<band>, gender:<value> (see CustomerMarketing), "
            "or segment:<handle> for a rule segment staff defined (customerSegments)."
        ),
    )
    customer_tags: list[str] = strawberry.field(
        default_factory=list, description="Only signed-in customers with one of these tags."
    )
    first_order_only: bool = strawberry.field(default=False, description="First orders only.")
    affiliate_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="Only carts referred by these affiliate partners (Partner ids).",
    )
    requires_code: bool = strawberry.field(default=False, description="Only with a code.")

    def to_command(self, errors: InputErrors) -> model.Promotion | None:
        """The promotion to create (the service gives it its id), or None when any field
        could not be converted."""
        return _promotion(self, errors, ("input",))


@strawberry.input(
    description=(
        "A promotion's new definition, whole, with the id of the promotion it replaces. "
        "Fields as in PromotionInput."
    )
)
class PromotionUpdateInput(PromotionInput):
    id: strawberry.ID = strawberry.field(description="The Promotion to replace.")

    def to_command(self, errors: InputErrors) -> model.Promotion | None:
        """The promotion's new definition under its id; None when any field is wrong."""
        promotion_id = errors.id(self.id, "Promotion", "id")
        draft = _promotion(self, errors, ("input",))
        if promotion_id is None or draft is None:
            return None
        return replace(draft, id=promotion_id)


@strawberry.input(description="The promotion to delete.")
class PromotionDeleteInput:
    id: strawberry.ID = strawberry.field(description="The Promotion.")

    def to_command(self, errors: InputErrors) -> str | None:
        """The promotion's id, or None when it is not a Promotion id."""
        return errors.id(self.id, "Promotion", "id")


def _item_kind(kind: catalog_model.VariantKind) -> model.ItemKind:
    """Selectors match the kind the catalog gives a variant."""
    return model.ItemKind(kind.value)


class _Reader:
    """Converts one input's ids and amounts; every failure is recorded in ``errors``."""

    def __init__(self, errors: InputErrors, currency: Currency | None) -> None:
        self.errors = errors
        self.currency = currency

    def ids(self, values: list[strawberry.ID], type_name: str, at: Field) -> frozenset[str]:
        return frozenset(self.errors.ids(values, type_name, at) or ())

    def selector(self, value: SelectorInput | None, at: Field) -> model.Selector:
        if value is None:
            return model.EVERYTHING
        return model.Selector(
            product_ids=self.ids(value.product_ids, "Product", (*at, "productIds")),
            variant_ids=frozenset(
                self.errors.variants(value.variant_ids, (*at, "variantIds")) or ()
            ),
            collection_ids=self.ids(value.collection_ids, "Collection", (*at, "collectionIds")),
            attributes=frozenset((a.name, a.value) for a in value.attributes),
            tags=frozenset(value.tags),
            kinds=frozenset(_item_kind(k) for k in value.kinds),
            match=value.match,
            children=tuple(
                self.selector(child, (*at, "children", str(i)))
                for i, child in enumerate(value.children)
            ),
        )

    def minor(self, value: Decimal | None, at: Field) -> int | None:
        """The amount in minor units of the promotion's currency; None when not given or
        not convertible (then recorded)."""
        if value is None:
            return None
        if self.currency is None:
            self.errors.add(Code.CURRENCY_REQUIRED, "Amounts need a currencyCode", at)
            return None
        money = self.errors.money(
            MoneyInput(amount=value, currency_code=self.currency), at, Code.INVALID_AMOUNT
        )
        return None if money is None else money.amount


def _promotion(value: PromotionInput, errors: InputErrors, at: Field) -> model.Promotion | None:
    """The promotion an input describes, without its id; None when any field is wrong.

    Every field is read before giving up, so staff see all their mistakes at once.
    """
    read = _Reader(errors, value.currency_code)
    selector = read.selector(value.selector, (*at, "selector"))
    amount = read.minor(value.amount, (*at, "amount"))
    offer: model.Offer
    kind: OfferKind = value.kind
    match kind:
        case OfferKind.ITEMS_OFF:
            offer = model.ItemsOff(selector, value.percent, amount)
        case OfferKind.ORDER_OFF:
            minimum = read.minor(value.min_subtotal, (*at, "minSubtotal")) or 0
            offer = model.OrderOff(value.percent, amount, minimum, value.min_quantity, selector)
        case OfferKind.TIERED_OFF:
            tiers = tuple(
                model.Tier(
                    read.minor(t.threshold, (*at, "tiers", str(i), "threshold")) or 0,
                    t.percent,
                    read.minor(t.amount, (*at, "tiers", str(i), "amount")),
                )
                for i, t in enumerate(value.tiers)
            )
            offer = model.TieredOff(tiers, selector)
        case OfferKind.BUY_X_GET_Y:
            percent = Decimal(100) if value.percent is None else value.percent
            offer = model.BuyXGetY(selector, value.buy, value.get, percent, value.noun)
        case OfferKind.SERIES_SET:
            offer = model.SeriesSet(value.series, tuple(value.volumes), value.percent or Decimal(0))
        case OfferKind.BUNDLE:
            components = tuple(
                model.BundleComponent(
                    read.selector(c.selector, (*at, "components", str(i), "selector")),
                    c.quantity,
                    c.label,
                )
                for i, c in enumerate(value.components)
            )
            offer = model.Bundle(components, read.minor(value.price, (*at, "price")), value.percent)
        case OfferKind.MIX_AND_MATCH:
            price = read.minor(value.price, (*at, "price")) or 0
            offer = model.MixAndMatch(selector, value.count, price, value.noun)
        case OfferKind.FREE_SHIPPING:
            minimum = read.minor(value.min_subtotal, (*at, "minSubtotal")) or 0
            offer = model.FreeShipping(minimum, frozenset(value.zone_ids))
    conditions = model.Conditions(
        starts_at=value.starts_at,
        ends_at=value.ends_at,
        channels=frozenset(value.channels),
        # Matched as customers carry them: trimmed, single-spaced, lower-cased.
        customer_segments=frozenset(
            " ".join(t.split()).casefold() for t in value.customer_segments
        ),
        customer_tags=frozenset(" ".join(t.split()).casefold() for t in value.customer_tags),
        first_order_only=value.first_order_only,
        affiliate_ids=read.ids(value.affiliate_ids, "Partner", (*at, "affiliateIds")),
        requires_code=value.requires_code,
    )
    if errors:
        # The offer and conditions above were read only to find every mistake.
        return None
    return model.Promotion(
        # A draft's id: the service gives a new promotion its own.
        id="",
        name=value.name,
        offer=offer,
        conditions=conditions,
        priority=value.priority,
        exclusive=value.exclusive,
        currency=value.currency_code,
    )
