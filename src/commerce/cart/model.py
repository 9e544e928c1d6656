"""The cart's domain types and pure logic: merging lines, pricing them, adding them up.

A cart stores only what the shopper chose (variant, product, quantity); prices come
from the catalog each time the cart is read, so a cart can never hold a price a
client made up, and a price change in the catalog shows at once.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from commerce.cart.errors import CartWarningCode
from commerce.cart.totals import NOWHERE, CartTotals, Destination, LineCharge, cart_totals
from commerce.catalog.model import Product, Variant
from commerce.money import Currency, Money

# Checkout writes, in one TransactWriteItems (at most 100 items): the order, the stock
# reservation, and per line one conditional stock decrement, plus room for the later
# slices' per-line items (a line snapshot or a promotion usage each) and a few fixed
# items (idempotency record, order number, cart deletion). 25 lines * 3 + 10 = 85 < 100,
# which leaves headroom instead of a cart that fails at the last step.
MAX_LINES = 25
# A shopper buying more than this of one book is a wholesaler, or a typo.
MAX_QUANTITY = 99

# ``secrets.token_urlsafe(24)``: 24 random bytes, 32 URL-safe characters.
TOKEN_LENGTH = 32
_TOKEN_ALPHABET = frozenset(string.ascii_letters + string.digits + "-_")


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

    def is_expired(self, now: datetime) -> bool:
        """Whether the cart sat idle past its expiry (DynamoDB may not have removed it yet)."""
        return now >= self.expires_at

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
class PricedCart:
    """A cart priced from the catalog as it is now."""

    cart: Cart
    lines: tuple[PricedLine, ...]
    subtotal: Money
    totals: CartTotals

    @property
    def total(self) -> Money:
        """What the shopper pays: subtotal, shipping and tax (see ``cart.totals``)."""
        return self.totals.total

    @property
    def total_quantity(self) -> int:
        """Units across every line, bought now or not."""
        return sum(p.line.quantity for p in self.lines)

    @property
    def requires_shipping(self) -> bool:
        """Whether any line is a physical good."""
        return any(p.requires_shipping for p in self.lines)


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


def price_cart(
    cart: Cart,
    products: Mapping[str, Product],
    destination: Destination = NOWHERE,
    *,
    prices_include_tax: bool = False,
) -> PricedCart:
    """Every line of ``cart`` priced in its currency, with shipping, tax and totals."""
    lines = tuple(price_line(line, products, cart.currency) for line in cart.lines)
    totals = cart_totals(
        [p.charge for p in lines],
        cart.currency,
        destination,
        cart.delivery_option_id,
        prices_include_tax=prices_include_tax,
    )
    return PricedCart(cart, lines, subtotal(lines, cart.currency), totals)


def stock_warning(priced: PricedLine, available: int | None) -> CartWarningCode | None:
    """Why the line cannot be bought now, given units ``available`` (None: not limited)."""
    if priced.warning is not None:
        return priced.warning
    if available is not None and available < priced.line.quantity:
        return CartWarningCode.OUT_OF_STOCK
    return None
