"""The cart's domain types and pure logic: merging lines, pricing them, adding them up.

A cart stores only what the shopper chose (variant, product, quantity); prices come
from the catalog each time the cart is read, so a cart can never hold a price a
client made up, and a price change in the catalog shows at once.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from commerce.cart.errors import CartWarningCode
from commerce.cart.totals import NOWHERE, CartTotals, Destination, LineCharge, cart_totals
from commerce.catalog.model import Product, Variant, VariantKind
from commerce.money import Currency, Money
from commerce.pricing import model as pricing
from commerce.pricing.engine import apply_promotions
from commerce.pricing.points import PointsValue, Redemption, redeem_points
from commerce.pricing.selectors import matches
from commerce.pricing.shoppers import ShopperProfile, shopper_context
from commerce.principals import Shopper
from commerce.variant_refs import VariantRef

# Checkout writes, in one TransactWriteItems (at most 100 items): per physical line one
# conditional stock decrement, the order, its reservation, the idempotency record and the
# cart deletion, and per applied discount code 2 items (3 for a customer: their counter).
# 25 + 4 + MAX_CODES * 3 = 44 < 100, which leaves headroom instead of a cart that fails
# at the last step.
MAX_LINES = 25
# A shopper buying more than this of one book is a wholesaler, or a typo.
MAX_QUANTITY = 99
# Discount codes a cart may hold at once (each adds 2-3 items to checkout's transaction).
MAX_CODES = 5

# ``secrets.token_urlsafe(24)``: 24 random bytes, 32 URL-safe characters.
TOKEN_LENGTH = 32
_TOKEN_ALPHABET = frozenset(string.ascii_letters + string.digits + "-_")


def cart_digest(token: str) -> str:
    """SHA-256 of a cart token: what a code bound to one cart and an order placed from
    it keep, never the token (a capability) itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_cart_token(value: str) -> bool:
    """Whether ``value`` has the shape of a cart token (not whether such a cart exists)."""
    return len(value) == TOKEN_LENGTH and set(value) <= _TOKEN_ALPHABET


@dataclass(frozen=True, slots=True)
class CartLine:
    """One variant in a cart and how many of it; never a price."""

    id: str
    product_id: str
    variant_id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class LineRequest:
    """A shopper's wish to add ``quantity`` of a variant."""

    product_id: str
    variant_id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class BuyerIdentity:
    """Who is buying: how to reach them and what they agreed to receive."""

    email: str | None = None
    phone: str | None = None
    accepts_email_marketing: bool = False
    accepts_sms_marketing: bool = False


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address; ``country_code`` is ISO 3166-1 alpha-2."""

    first_name: str
    last_name: str
    address1: str
    address2: str
    city: str
    province: str
    zip: str
    country_code: str


@dataclass(frozen=True, slots=True)
class Cart:
    """A shopper's cart, as stored: lines in the order they were first added."""

    id: str
    currency: Currency
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    lines: tuple[CartLine, ...] = ()
    buyer_identity: BuyerIdentity = BuyerIdentity()
    shipping_address: Address | None = None
    # The delivery option (a shipping rate id) the shopper chose; checked on every read.
    delivery_option_id: str | None = None
    # The customer whose cart this is; None for a guest's cart (its token is the capability).
    owner_id: str | None = None
    # Discount codes as the shopper entered them (normalised), in the order entered.
    discount_codes: tuple[str, ...] = ()
    # The affiliate partner that referred the shopper, fixed when the cart is made (first
    # touch): promotions may be limited to it, and its order carries it for commissions.
    affiliate_id: str | None = None
    # Loyalty points the owner asked to spend on this cart (cartLoyaltyPointsApply).
    loyalty_points: int = 0
    # The first-party visitor (journeys) whose cart this is, from a verified visitor token
    # at creation: a guest's dwell times for recovery offers come from its journey.
    visitor_id: str | None = None

    def is_expired(self, now: datetime) -> bool:
        """Whether the cart sat idle past its expiry (DynamoDB may not have removed it yet)."""
        return now >= self.expires_at

    def visible_to(self, shopper: Shopper) -> bool:
        """Whether ``shopper`` may read and change this cart: a customer's cart is theirs alone."""
        return self.owner_id is None or self.owner_id == shopper.customer_id

    def line(self, line_id: str) -> CartLine | None:
        """The line with this id, if the cart has it."""
        return next((line for line in self.lines if line.id == line_id), None)


def merge_lines(
    lines: Sequence[CartLine], additions: Iterable[LineRequest], new_line_id: Callable[[], str]
) -> tuple[CartLine, ...]:
    """``lines`` with ``additions`` added: one line per variant, quantities summed.

    Existing lines keep their place and id; variants new to the cart follow in the order
    they were asked for.
    """
    merged: dict[tuple[str, str], CartLine] = {(ln.product_id, ln.variant_id): ln for ln in lines}
    for wish in additions:
        key = (wish.product_id, wish.variant_id)
        current = merged.get(key)
        if current is None:
            merged[key] = CartLine(new_line_id(), wish.product_id, wish.variant_id, wish.quantity)
        else:
            merged[key] = CartLine(
                current.id, current.product_id, current.variant_id, current.quantity + wish.quantity
            )
    return tuple(merged.values())


def absorb_guest_cart(cart: Cart, guest: Cart, new_line_id: Callable[[], str]) -> Cart:
    """``cart`` with a guest cart's lines added: quantities summed and capped at
    ``MAX_QUANTITY``, lines past ``MAX_LINES`` left out. A referral is kept (first touch:
    ``cart``'s own, else the guest's)."""
    additions = [LineRequest(ln.product_id, ln.variant_id, ln.quantity) for ln in guest.lines]
    merged = merge_lines(cart.lines, additions, new_line_id)
    capped = tuple(replace(ln, quantity=min(ln.quantity, MAX_QUANTITY)) for ln in merged)
    referral = cart.affiliate_id or guest.affiliate_id
    visitor = cart.visitor_id or guest.visitor_id
    return replace(cart, lines=capped[:MAX_LINES], affiliate_id=referral, visitor_id=visitor)


def set_quantities(
    lines: Sequence[CartLine], quantities: Mapping[str, int]
) -> tuple[CartLine, ...]:
    """``lines`` with new quantities by line id; a quantity of 0 removes the line."""
    changed = (
        CartLine(ln.id, ln.product_id, ln.variant_id, quantities.get(ln.id, ln.quantity))
        for ln in lines
    )
    return tuple(ln for ln in changed if ln.quantity > 0)


def remove_lines(lines: Sequence[CartLine], line_ids: Iterable[str]) -> tuple[CartLine, ...]:
    """``lines`` without the lines with these ids."""
    gone = set(line_ids)
    return tuple(ln for ln in lines if ln.id not in gone)


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A cart line with what the catalog says about it now.

    ``product`` and ``variant`` are None when the variant is gone or unpublished;
    ``unit_price`` is None when it cannot be priced in the cart's currency, and then
    ``warning`` says why. Stock is not judged here (see ``stock_warning``).
    """

    line: CartLine
    product: Product | None
    variant: Variant | None
    unit_price: Money | None
    warning: CartWarningCode | None

    @property
    def total(self) -> Money | None:
        """Unit price times quantity, or None when the line cannot be priced."""
        if self.unit_price is None:
            return None
        return Money(self.unit_price.amount * self.line.quantity, self.unit_price.currency)

    @property
    def requires_shipping(self) -> bool:
        """Whether the line is a physical good that must be shipped."""
        return self.variant is not None and self.variant.tracks_stock

    @property
    def charge(self) -> LineCharge:
        """What the cart's totals need of this line (a variant without weight weighs 0 g)."""
        weight = 0 if self.variant is None else (self.variant.weight_grams or 0)
        return LineCharge(self.total, self.requires_shipping, weight * self.line.quantity)


@dataclass(frozen=True, slots=True)
class PricingInput:
    """What pricing needs beyond the catalog: the live promotions, the cart's codes as the
    store knows them (use counts included), and who buys, where and when."""

    promotions: Sequence[pricing.Promotion]
    codes: Sequence[pricing.DiscountCode]
    now: datetime
    shopper: Shopper = field(default_factory=Shopper)
    # The signed-in owner's segments, tags and first-order status (None: a guest).
    profile: ShopperProfile | None = None
    # What loyalty points are worth in the cart's currency (None: they buy nothing).
    points_value: PointsValue | None = None


@dataclass(frozen=True, slots=True)
class PricedCart:
    """A cart priced from the catalog and the promotions as they are now.

    ``promotions`` is the engine's answer (None when priced without promotions): per-line
    discounts, order discounts allocated to lines, the shipping discount, refused codes
    and near misses. ``totals`` already counts every discount.
    """

    cart: Cart
    lines: tuple[PricedLine, ...]
    subtotal: Money
    totals: CartTotals
    promotions: pricing.PricedCart | None = None
    # The cart's codes the store knows (for which promotion each code is).
    known_codes: tuple[pricing.DiscountCode, ...] = ()
    # The owner's loyalty points this cart spends, and their discount (None: none).
    points: Redemption | None = None

    @property
    def total(self) -> Money:
        """What the shopper pays: subtotal, discounts, shipping and tax (see ``cart.totals``)."""
        return self.totals.total

    @property
    def total_quantity(self) -> int:
        """Units across every line, bought now or not."""
        return sum(p.line.quantity for p in self.lines)

    @property
    def requires_shipping(self) -> bool:
        """Whether any line is a physical good."""
        return any(p.requires_shipping for p in self.lines)

    def line_pricing(self, line_id: str) -> pricing.PricedLine | None:
        """The engine's view of one line (its discounts); None for unpriceable lines."""
        if self.promotions is None:
            return None
        return next((p for p in self.promotions.lines if p.line_id == line_id), None)

    def applied_codes(self) -> list[pricing.DiscountCode]:
        """The cart's codes that lowered the price (the ones checkout counts a use of)."""
        if self.promotions is None:
            return []
        refused = {r.code for r in self.promotions.refused_codes}
        return [c for c in self.known_codes if c.code not in refused]

    def code_for(self, promotion_id: str) -> str | None:
        """The applied code that unlocked ``promotion_id``; None for an automatic offer."""
        return next((c.code for c in self.applied_codes() if c.promotion_id == promotion_id), None)


def price_line(line: CartLine, products: Mapping[str, Product], currency: Currency) -> PricedLine:
    """A line priced against the published products found (hidden ones are absent)."""
    product = products.get(line.product_id)
    variant = None if product is None else product.variant(line.variant_id)
    if product is None or variant is None:
        return PricedLine(line, None, None, None, CartWarningCode.MERCHANDISE_NOT_FOUND)
    price = variant.price_in(currency)
    if price is None:
        return PricedLine(line, product, variant, None, CartWarningCode.NOT_PRICED_IN_CURRENCY)
    return PricedLine(line, product, variant, price, None)


def subtotal(lines: Iterable[PricedLine], currency: Currency) -> Money:
    """The sum of the line totals that can be priced; unpriceable lines add nothing."""
    amount = 0
    for priced in lines:
        total = priced.total
        if total is not None:
            amount += total.amount
    return Money(amount, currency)


def engine_line(priced: PricedLine) -> pricing.CartLine | None:
    """A priceable line as the pricing engine sees it (what selectors match on)."""
    product, variant, unit = priced.product, priced.variant, priced.unit_price
    if product is None or variant is None or unit is None:
        return None
    return _engine_item(product, variant, unit, priced.line.id, priced.line.quantity)


def _engine_item(
    product: Product, variant: Variant, unit: Money, line_id: str = "", quantity: int = 1
) -> pricing.CartLine:
    return pricing.CartLine(
        line_id=line_id,
        product_id=product.id,
        variant_id=variant.id,
        quantity=quantity,
        unit_price=unit,
        collection_ids=frozenset(product.collection_ids),
        attributes=frozenset((a.name, v) for a in product.attributes for v in a.values),
        tags=frozenset(product.tags),
        kind=pricing.ItemKind.PHYSICAL
        if variant.kind is VariantKind.PHYSICAL
        else pricing.ItemKind.DIGITAL,
    )


def price_cart(
    cart: Cart,
    products: Mapping[str, Product],
    destination: Destination = NOWHERE,
    *,
    prices_include_tax: bool = False,
    offers: PricingInput | None = None,
) -> PricedCart:
    """Every line of ``cart`` priced in its currency, with promotions, shipping, tax, totals.

    Shipping depends on the discounted merchandise and a free-shipping offer on the
    shipping price, so the engine runs first without shipping, then, once a delivery
    option is priced, again with it; the second answer is the one shown.
    """
    lines = tuple(price_line(line, products, cart.currency) for line in cart.lines)

    def totals(promoted: pricing.PricedCart | None) -> CartTotals:
        discounts = (
            {} if promoted is None else {p.line_id: p.subtotal - p.total for p in promoted.lines}
        )
        charges = [replace(p.charge, discount=discounts.get(p.line.id, 0)) for p in lines]
        shipping_off = 0
        if promoted is not None and promoted.shipping_discount is not None:
            shipping_off = promoted.shipping_discount.amount
        return cart_totals(
            charges,
            cart.currency,
            destination,
            cart.delivery_option_id,
            prices_include_tax=prices_include_tax,
            shipping_discount=shipping_off,
        )

    if offers is None:
        return PricedCart(cart, lines, subtotal(lines, cart.currency), totals(None))
    engine_lines = [e for p in lines if (e := engine_line(p)) is not None]
    context = replace(
        shopper_context(
            offers.shopper, offers.now, cart.currency, offers.profile, cart.affiliate_id
        ),
        codes=cart.discount_codes,
        cart_digest=cart_digest(cart.id),
    )
    wanted = cart.loyalty_points if cart.owner_id is not None else 0

    def promote(context: pricing.PricingContext) -> tuple[pricing.PricedCart, Redemption | None]:
        # Points come last: after every promotion, on what the goods still cost.
        promoted = apply_promotions(engine_lines, context, offers.promotions, offers.codes)
        return redeem_points(promoted, wanted, offers.points_value)

    promoted, points = promote(context)
    first = totals(promoted)
    if first.shipping is not None and first.shipping.amount > 0:
        promoted, points = promote(replace(context, shipping=first.shipping.amount))
        first = totals(promoted)
    return PricedCart(
        cart, lines, subtotal(lines, cart.currency), first, promoted, tuple(offers.codes), points
    )


@dataclass(frozen=True, slots=True)
class BundleRefusal:
    """Why one set of a bundle cannot be added: ``named`` is False when a component names
    no item (the shopper chooses it), True when a named item cannot be sold now."""

    named: bool
    message: str


def bundle_product_ids(bundle: pricing.Bundle) -> list[str]:
    """Every product the bundle's components name, directly or through a variant."""
    ids: list[str] = []
    for component in bundle.components:
        products, variants = _named(component.selector)
        ids += sorted(products) + sorted({v.product_id for v in variants})
    return list(dict.fromkeys(ids))


def bundle_lines(
    bundle: pricing.Bundle, products: Mapping[str, Product], currency: Currency
) -> list[LineRequest] | BundleRefusal:
    """The lines that make one set of ``bundle``, or why there are none.

    A component names its items by variant or product (at any depth of its selector);
    its candidates are the named variants, then the named products' variants in the
    order the product lists them, kept when priced in ``currency`` and matched by the
    whole selector. A component chosen by tag or collection is a choice for the shopper.
    Components with fewer candidates choose first, each taking its first candidate no
    other component took, so two components that can take different variants do.
    """
    candidates: list[list[tuple[Product, Variant]]] = []
    for index, component in enumerate(bundle.components):
        label = f" ({component.label})" if component.label else ""
        name = f"Bundle component {index + 1}{label}"
        product_ids, variant_refs = _named(component.selector)
        if not product_ids and not variant_refs:
            message = f"{name} is for the shopper to choose: add it with cartLinesAdd"
            return BundleRefusal(named=False, message=message)
        named = _named_variants(product_ids, variant_refs, products)
        if not named:
            return BundleRefusal(named=True, message=f"{name} is no longer for sale")
        fitting = [
            (product, variant)
            for product, variant in named
            if (unit := variant.price_in(currency)) is not None
            and matches(component.selector, _engine_item(product, variant, unit))
        ]
        if not fitting:
            message = f"{name} is not for sale in {currency.value}"
            return BundleRefusal(named=True, message=message)
        candidates.append(fitting)
    taken: set[tuple[str, str]] = set()
    chosen: dict[int, tuple[Product, Variant]] = {}
    for index in sorted(range(len(candidates)), key=lambda i: (len(candidates[i]), i)):
        options = candidates[index]
        pick = next(((p, v) for p, v in options if (p.id, v.id) not in taken), options[0])
        taken.add((pick[0].id, pick[1].id))
        chosen[index] = pick
    return [
        LineRequest(chosen[i][0].id, chosen[i][1].id, component.quantity)
        for i, component in enumerate(bundle.components)
    ]


def _named(selector: pricing.Selector) -> tuple[set[str], set[VariantRef]]:
    """The products and variants a selector names anywhere in its tree."""
    products, variants = set(selector.product_ids), set(selector.variant_ids)
    for child in selector.children:
        more_products, more_variants = _named(child)
        products |= more_products
        variants |= more_variants
    return products, variants


def _named_variants(
    product_ids: set[str], variant_refs: set[VariantRef], products: Mapping[str, Product]
) -> list[tuple[Product, Variant]]:
    """The named variants that exist, then the named products' variants, each once."""
    found: dict[tuple[str, str], tuple[Product, Variant]] = {}
    for ref in sorted(variant_refs):
        product = products.get(ref.product_id)
        variant = None if product is None else product.variant(ref.variant_id)
        if product is not None and variant is not None:
            found.setdefault((product.id, variant.id), (product, variant))
    for product_id in sorted(product_ids):
        owner = products.get(product_id)
        if owner is None:
            continue
        for variant in owner.variants:
            found.setdefault((product_id, variant.id), (owner, variant))
    return list(found.values())


def stock_warning(priced: PricedLine, available: int | None) -> CartWarningCode | None:
    """Why the line cannot be bought now, given units ``available`` (None: not limited)."""
    if priced.warning is not None:
        return priced.warning
    if available is not None and available < priced.line.quantity:
        return CartWarningCode.OUT_OF_STOCK
    return None
