"""What the pricing engine reads: a priced cart's lines, its context, the live promotions.

Plain frozen data, so the cart, checkout and previews can all build it without the engine
knowing where it came from. Amounts are integers in minor units of the context's currency;
percentages are ``Decimal`` (``Decimal("12.5")`` is 12.5 %), never floats.

A promotion's fixed amounts and thresholds are in its own ``currency``: it applies only to
carts in that currency. A percentage-only promotion may leave ``currency`` None and then
applies in every currency its conditions allow.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from commerce.money import Currency, Money
from commerce.principals import Channel
from commerce.variant_refs import VariantRef


class ItemKind(enum.Enum):
    """Whether a line ships."""

    PHYSICAL = "PHYSICAL"
    DIGITAL = "DIGITAL"


class Match(enum.Enum):
    """How a selector combines its criteria."""

    ANY = "ANY"
    ALL = "ALL"


@dataclass(frozen=True, slots=True)
class CartLine:
    """One line of a priced cart, with what selectors can match on."""

    line_id: str
    product_id: str
    variant_id: str
    quantity: int
    unit_price: Money
    collection_ids: frozenset[str] = frozenset()
    # (name, value) pairs such as ("author", "Le Guin"), ("series", "Earthsea"), ("volume", "2").
    attributes: frozenset[tuple[str, str]] = frozenset()
    tags: frozenset[str] = frozenset()
    kind: ItemKind = ItemKind.PHYSICAL

    def __post_init__(self) -> None:
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise TypeError("CartLine.quantity must be an int")
        if self.quantity < 1:
            raise ValueError("CartLine.quantity must be at least 1")
        if self.unit_price.amount < 0:
            raise ValueError("CartLine.unit_price cannot be negative")

    def attribute_values(self, name: str) -> frozenset[str]:
        """The line's values of one attribute (a book may have two authors)."""
        return frozenset(v for n, v in self.attributes if n == name)


@dataclass(frozen=True, slots=True)
class PricingContext:
    """Who is buying, where, when, with which codes, and what shipping costs before offers."""

    now: datetime
    currency: Currency
    channel: Channel = Channel.WEB
    customer_id: str | None = None
    customer_segments: frozenset[str] = frozenset()
    customer_tags: frozenset[str] = frozenset()
    first_order: bool = False
    affiliate_id: str | None = None
    codes: tuple[str, ...] = ()
    shipping_zone_id: str | None = None
    # SHA-256 of the cart's token: a code bound to one cart works only in it.
    cart_digest: str | None = None
    # None: shipping not chosen yet (free-shipping offers then show as near misses only).
    shipping: int | None = None


@dataclass(frozen=True, slots=True)
class Selector:
    """Which items an offer concerns.

    Each non-empty field is one criterion (a line meets it when it has any of the listed
    values; attributes form one criterion per attribute name), and so is each child
    selector. ``ANY`` needs one criterion met, ``ALL`` every one. A selector without
    criteria matches every item. Variants are named as everywhere else, by the pair
    (product id, variant id).
    """

    product_ids: frozenset[str] = frozenset()
    variant_ids: frozenset[VariantRef] = frozenset()
    collection_ids: frozenset[str] = frozenset()
    attributes: frozenset[tuple[str, str]] = frozenset()
    tags: frozenset[str] = frozenset()
    kinds: frozenset[ItemKind] = frozenset()
    match: Match = Match.ANY
    children: tuple[Selector, ...] = ()

    def __post_init__(self) -> None:
        # A bare variant id would be a criterion no line ever meets: refuse it loudly.
        if not all(isinstance(v, VariantRef) for v in self.variant_ids):
            raise TypeError("Selector.variant_ids holds VariantRef(product id, variant id)")


EVERYTHING = Selector()


@dataclass(frozen=True, slots=True)
class ItemsOff:
    """A percentage or a fixed amount off each matching unit."""

    selector: Selector
    percent: Decimal | None = None
    amount: int | None = None


@dataclass(frozen=True, slots=True)
class OrderOff:
    """A percentage or fixed amount off the matching items' subtotal, above minimums."""

    percent: Decimal | None = None
    amount: int | None = None
    min_subtotal: int = 0
    min_quantity: int = 0
    selector: Selector = EVERYTHING


@dataclass(frozen=True, slots=True)
class Tier:
    """From ``threshold`` on, this much off."""

    threshold: int
    percent: Decimal | None = None
    amount: int | None = None


@dataclass(frozen=True, slots=True)
class TieredOff:
    """Spend 50 save 5, spend 100 save 15: the highest tier reached applies."""

    tiers: tuple[Tier, ...]
    selector: Selector = EVERYTHING


@dataclass(frozen=True, slots=True)
class BuyXGetY:
    """Buy ``buy`` matching units, get ``get`` more (the cheapest of the group) ``percent`` off.

    Repeated as many times as the cart qualifies. ``noun`` names the units in texts.
    """

    selector: Selector
    buy: int
    get: int = 1
    percent: Decimal = Decimal(100)
    noun: str = "item"


@dataclass(frozen=True, slots=True)
class SeriesSet:
    """One unit of every listed volume of a series: ``percent`` off the whole set."""

    series: str
    volumes: tuple[str, ...]
    percent: Decimal
    series_attribute: str = "series"
    volume_attribute: str = "volume"


@dataclass(frozen=True, slots=True)
class BundleComponent:
    """``quantity`` units matching ``selector`` make one part of a bundle."""

    selector: Selector
    quantity: int = 1
    label: str = ""


@dataclass(frozen=True, slots=True)
class Bundle:
    """A fixed set of items for a fixed ``price``, or ``percent`` off the set."""

    components: tuple[BundleComponent, ...]
    price: int | None = None
    percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class MixAndMatch:
    """Any ``count`` matching units for ``price``."""

    selector: Selector
    count: int
    price: int
    noun: str = "item"


@dataclass(frozen=True, slots=True)
class FreeShipping:
    """Shipping for nothing, above ``min_subtotal``, for the listed zones (none: every zone)."""

    min_subtotal: int = 0
    zone_ids: frozenset[str] = frozenset()


Offer = ItemsOff | OrderOff | TieredOff | BuyXGetY | SeriesSet | Bundle | MixAndMatch | FreeShipping
# Offers whose units take part in one application at a time: the engine searches them.
UnitOffer = BuyXGetY | SeriesSet | Bundle | MixAndMatch


@dataclass(frozen=True, slots=True)
class Conditions:
    """Who, when and where a promotion applies; an empty set means no restriction."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    channels: frozenset[Channel] = frozenset()
    customer_segments: frozenset[str] = frozenset()
    customer_tags: frozenset[str] = frozenset()
    first_order_only: bool = False
    affiliate_ids: frozenset[str] = frozenset()
    requires_code: bool = False


ALWAYS = Conditions()


@dataclass(frozen=True, slots=True)
class Promotion:
    """A named offer with its conditions and its place in stacking.

    Higher ``priority`` applies first where discounts stack on what earlier ones left, and
    wins ties. An ``exclusive`` promotion is never combined with any other.
    """

    id: str
    name: str
    offer: Offer
    conditions: Conditions = ALWAYS
    priority: int = 0
    exclusive: bool = False
    currency: Currency | None = None


@dataclass(frozen=True, slots=True)
class DiscountCode:
    """A code entered by the shopper as the store knows it, usage counts included."""

    code: str
    promotion_id: str
    usage_limit: int | None = None
    per_customer_limit: int | None = None
    times_used: int = 0
    times_used_by_customer: int = 0
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    # A personal offer's owner: only that signed-in customer may apply it.
    customer_id: str | None = None
    # A guest's personal offer: only the cart with this token digest may apply it.
    cart_digest: str | None = None


def normalize_code(code: str) -> str:
    """Codes are matched without regard to case or surrounding spaces."""
    return code.strip().upper()


# -- what the engine answers -------------------------------------------------------------


class CodeRefusal(enum.Enum):
    """Why an entered code did not lower the price."""

    UNKNOWN = "UNKNOWN"
    EXPIRED = "EXPIRED"
    NOT_YET_VALID = "NOT_YET_VALID"
    USED_UP = "USED_UP"
    NOT_YOUR_CODE = "NOT_YOUR_CODE"
    NOT_ELIGIBLE = "NOT_ELIGIBLE"
    MINIMUM_NOT_REACHED = "MINIMUM_NOT_REACHED"
    NOT_FOR_THESE_ITEMS = "NOT_FOR_THESE_ITEMS"
    BETTER_OFFER_APPLIED = "BETTER_OFFER_APPLIED"


class NearMissKind(enum.Enum):
    """What the shopper would have to add."""

    SPEND_MORE = "SPEND_MORE"
    ADD_ITEMS = "ADD_ITEMS"
    COMPLETE_SET = "COMPLETE_SET"


@dataclass(frozen=True, slots=True)
class Discount:
    """One promotion's saving on a line, the order or shipping, with its explanation."""

    promotion_id: str
    amount: int
    text: str


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A line after promotions.

    ``discounts`` are the line's own offers; ``order_discounts`` are its shares of
    order-level discounts (they add up, across lines, to each order discount exactly).
    """

    line_id: str
    quantity: int
    unit_price: int
    subtotal: int
    discounts: tuple[Discount, ...]
    order_discounts: tuple[Discount, ...]
    total: int


@dataclass(frozen=True, slots=True)
class AppliedPromotion:
    """A promotion that lowered the price, and by how much in all."""

    promotion_id: str
    name: str
    amount: int


@dataclass(frozen=True, slots=True)
class RefusedCode:
    """An entered code that did not apply, and why, in the shopper's words."""

    code: str
    reason: CodeRefusal
    message: str


@dataclass(frozen=True, slots=True)
class NearMiss:
    """An offer the cart is close to: what is missing, and the sentence to show."""

    promotion_id: str
    kind: NearMissKind
    text: str
    amount_missing: int = 0
    items_missing: int = 0


@dataclass(frozen=True, slots=True)
class PricedCart:
    """The cart after promotions: every part adds up to ``total`` exactly."""

    currency: Currency
    lines: tuple[PricedLine, ...]
    subtotal: int
    line_discounts: int
    order_discounts: tuple[Discount, ...]
    merchandise_total: int
    shipping: int | None
    shipping_discount: Discount | None
    total: int
    applied: tuple[AppliedPromotion, ...]
    refused_codes: tuple[RefusedCode, ...]
    near_misses: tuple[NearMiss, ...] = field(default=())
    # True when competing unit offers held more units than the exact search takes on
    # (``pricing/search.py``): ``total`` is then a best effort, at most
    # ``best_effort_bound`` above the lowest total. False: ``total`` is the lowest.
    best_effort: bool = False
    best_effort_bound: int = 0
