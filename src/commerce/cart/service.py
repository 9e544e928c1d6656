"""Cart use cases: create a cart, change its lines and details, read it priced.

A cart token is the capability to read and change a cart (anonymous shoppers have
nothing else), so it is 192 random bits. Every change is a read-modify-write of the one
cart item guarded by its version; when another request changed the cart meanwhile, the
change is re-applied to the fresh cart a few times before ``CONCURRENT_UPDATE``, so
two tabs adding different books at once both keep their book.

Prices, availability and products come from the catalog service (never its store):
one BatchGetItem for every product of the cart, whatever the number of lines. A cart
with a shipping address also asks the shipping service for its country's zone and the
tax service for its rate; both keep their few items in a short in-process cache, so
those reads add at most one GetItem and one Query, and none while the cache is fresh.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from commerce.cart import rules, store
from commerce.cart.errors import CartErrorCode as Code
from commerce.cart.model import (
    MAX_QUANTITY,
    Address,
    BuyerIdentity,
    Cart,
    LineRequest,
    PricedCart,
    is_cart_token,
    merge_lines,
    price_cart,
    remove_lines,
    set_quantities,
)
from commerce.cart.totals import NOWHERE, Destination
from commerce.catalog.model import Product
from commerce.catalog.service import CatalogService
from commerce.ids import new_id
from commerce.money import Currency
from commerce.problems import Problem, Rejected
from commerce.shipping.service import ShippingService
from commerce.tax.service import TaxService

# Each attempt is a GetItem and a PutItem (a few ms locally); the pause between attempts
# grows and is jittered so that racing writers fall out of step.
MAX_ATTEMPTS = 10
_PAUSE_SECONDS = 0.005

Edit = Callable[[Cart, "ProductCache"], Cart]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def new_cart_token() -> str:
    """An unguessable cart token (``secrets.token_urlsafe(24)``: 192 random bits)."""
    return secrets.token_urlsafe(24)


class ProductCache:
    """Published products read through the catalog, each id at most once per use case."""

    def __init__(self, catalog: CatalogService) -> None:
        self._catalog = catalog
        self._found: dict[str, Product] = {}
        self._asked: set[str] = set()

    def get(self, product_ids: Sequence[str]) -> dict[str, Product]:
        """The published products among ``product_ids``; one batch read for new ids."""
        missing = [pid for pid in dict.fromkeys(product_ids) if pid not in self._asked]
        if missing:
            self._found.update(self._catalog.products(missing, include_unpublished=False))
            self._asked.update(missing)
        return {pid: self._found[pid] for pid in product_ids if pid in self._found}


class CartService:
    """The cart's use cases, over the single table and the catalog service."""

    def __init__(
        self,
        catalog: CatalogService,
        shipping: ShippingService,
        taxes: TaxService,
        *,
        ttl_seconds: int,
        default_currency: Currency,
        clock: Callable[[], datetime] = _utcnow,
        new_token: Callable[[], str] = new_cart_token,
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        self._catalog = catalog
        self._shipping = shipping
        self._taxes = taxes
        self._ttl = timedelta(seconds=ttl_seconds)
        self._default_currency = default_currency
        self._clock = clock
        self._new_token = new_token
        self._pause = pause

    # -- reads -------------------------------------------------------------------------

    def cart(self, token: str) -> PricedCart | None:
        """The cart priced now; None when unknown. ``Rejected`` with CART_EXPIRED when expired."""
        record = self._live_record(token, ("id",))
        return None if record is None else self._price(record.cart, ProductCache(self._catalog))

    # -- changes -----------------------------------------------------------------------

    def create(
        self,
        *,
        currency: Currency | None = None,
        lines: Sequence[LineRequest] = (),
        buyer_identity: BuyerIdentity | None = None,
        input_problems: Sequence[Problem] = (),
    ) -> PricedCart:
        """A new cart, with lines and a buyer when given; nothing is stored when refused."""
        identity = _normalized(buyer_identity or BuyerIdentity())
        problems = [
            *_line_request_problems(lines),
            *rules.check_buyer_identity(identity, ("buyerIdentity",)),
        ]
        now = self._clock()
        empty = Cart(
            id=self._new_token(),
            currency=currency or self._default_currency,
            created_at=now,
            updated_at=now,
            expires_at=self._expiry(now),
            buyer_identity=identity,
        )
        products = ProductCache(self._catalog)
        problems = _merged(problems, input_problems)
        if problems:
            raise Rejected(problems)
        cart = _with_added_lines(empty, lines, products) if lines else empty
        try:
            store.insert_cart(cart)
        except store.CartChanged:  # a token collision: 192 random bits make it theoretical
            raise Rejected([_concurrent_update()]) from None
        return self._price(cart, products)

    def add_lines(
        self, token: str, lines: Sequence[LineRequest], input_problems: Sequence[Problem] = ()
    ) -> PricedCart:
        """Add variants; a variant already in the cart gets its quantity raised."""
        problems = _merged(_line_request_problems(lines), input_problems)
        if not lines:
            problems.append(Problem(Code.INVALID, "Give at least one line", ("lines",)))
        if problems:
            raise Rejected(problems)
        return self._change(token, lambda cart, products: _with_added_lines(cart, lines, products))

    def update_lines(
        self,
        token: str,
        quantities: Sequence[tuple[str, int]],
        input_problems: Sequence[Problem] = (),
    ) -> PricedCart:
        """Set the quantity of lines by id; 0 removes a line."""
        problems: list[Problem] = []
        seen: set[str] = set()
        for i, (line_id, quantity) in enumerate(quantities):
            problems += rules.check_new_quantity(quantity, ("lines", str(i), "quantity"))
            if line_id in seen:
                problems.append(Problem(Code.INVALID, "Line given twice", ("lines", str(i), "id")))
            seen.add(line_id)
        problems = _merged(problems, input_problems)
        if problems:
            raise Rejected(problems)

        def edit(cart: Cart, _: ProductCache) -> Cart:
            ids = [line_id for line_id, _ in quantities]
            _require_lines(cart, ids, lambda i: ("lines", str(i), "id"))
            return replace(cart, lines=set_quantities(cart.lines, dict(quantities)))

        return self._change(token, edit)

    def remove_lines(
        self, token: str, line_ids: Sequence[str], input_problems: Sequence[Problem] = ()
    ) -> PricedCart:
        """Take lines out of the cart by id."""
        if input_problems:
            raise Rejected(input_problems)

        def edit(cart: Cart, _: ProductCache) -> Cart:
            _require_lines(cart, line_ids, lambda i: ("lineIds", str(i)))
            return replace(cart, lines=remove_lines(cart.lines, line_ids))

        return self._change(token, edit)

    def update_buyer_identity(self, token: str, identity: BuyerIdentity) -> PricedCart:
        """Replace who is buying (email, phone, marketing consent) as a whole."""
        normalized = _normalized(identity)
        problems = rules.check_buyer_identity(normalized, ("buyerIdentity",))
        if problems:
            raise Rejected(problems)
        return self._change(token, lambda cart, _: replace(cart, buyer_identity=normalized))

    def update_shipping_address(self, token: str, address: Address) -> PricedCart:
        """Set where a physical order would be shipped."""
        normalized = replace(address, country_code=address.country_code.strip().upper())
        problems = rules.check_address(normalized, ("address",))
        if problems:
            raise Rejected(problems)
        return self._change(token, lambda cart, _: replace(cart, shipping_address=normalized))

    def update_currency(self, token: str, currency: Currency) -> PricedCart:
        """Price the cart in another currency from now on."""
        return self._change(token, lambda cart, _: replace(cart, currency=currency))

    def select_delivery_option(self, token: str, option_id: str) -> PricedCart:
        """Choose one of the delivery options the cart is offered now."""

        def edit(cart: Cart, products: ProductCache) -> Cart:
            offered = self._price(cart, products).totals.delivery_options
            if not any(option.id == option_id for option in offered):
                raise Rejected(
                    [
                        Problem(
                            Code.DELIVERY_OPTION_NOT_AVAILABLE,
                            "The cart is not offered this delivery option",
                            ("deliveryOptionId",),
                        )
                    ]
                )
            return replace(cart, delivery_option_id=option_id)

        return self._change(token, edit)

    # -- helpers ---------------------------------------------------------------------

    def _live_record(self, token: str, field: tuple[str, ...]) -> store.CartRecord | None:
        record = store.get_cart_record(token) if is_cart_token(token) else None
        if record is not None and record.cart.is_expired(self._clock()):
            raise Rejected([Problem(Code.CART_EXPIRED, "The cart has expired", field)])
        return record

    def _expiry(self, now: datetime) -> datetime:
        # Whole seconds: the table's ttl attribute is epoch seconds, and a cart read back
        # must say the same as the cart a mutation returned.
        return (now + self._ttl).replace(microsecond=0)

    def _change(self, token: str, edit: Edit) -> PricedCart:
        """Apply ``edit`` to the current cart and store it, re-reading after a conflict."""
        products = ProductCache(self._catalog)
        for attempt in range(MAX_ATTEMPTS):
            record = self._live_record(token, ("cartId",))
            if record is None:
                raise Rejected([Problem(Code.CART_NOT_FOUND, "Cart not found", ("cartId",))])
            now = self._clock()
            changed = replace(
                edit(record.cart, products), updated_at=now, expires_at=self._expiry(now)
            )
            try:
                store.replace_cart(record, changed)
            except store.CartChanged:
                self._pause(_PAUSE_SECONDS * (attempt + 1) * (1 + secrets.randbelow(100) / 100))
                continue
            return self._price(changed, products)
        raise Rejected([_concurrent_update()])

    def _price(self, cart: Cart, products: ProductCache) -> PricedCart:
        found = products.get([ln.product_id for ln in cart.lines])
        return price_cart(
            cart,
            found,
            self._destination(cart, found),
            prices_include_tax=self._taxes.prices_include_tax,
        )

    def _destination(self, cart: Cart, products: dict[str, Product]) -> Destination:
        """The zone and tax rate of the cart's address (the zone only for physical goods)."""
        address = cart.shipping_address
        if address is None:
            return NOWHERE
        physical = False
        for line in cart.lines:
            product = products.get(line.product_id)
            variant = None if product is None else product.variant(line.variant_id)
            physical = physical or (variant is not None and variant.tracks_stock)
        zone = self._shipping.zone_for_country(address.country_code) if physical else None
        rate = self._taxes.rate_for(address.country_code, address.province)
        return Destination(has_address=True, zone=zone, tax_rate=rate)


def _concurrent_update() -> Problem:
    return Problem(
        Code.CONCURRENT_UPDATE, "The cart is being changed elsewhere; read it again and retry"
    )


def _normalized(identity: BuyerIdentity) -> BuyerIdentity:
    return replace(
        identity,
        email=rules.normalized_email(identity.email),
        phone=rules.normalized_phone(identity.phone),
    )


def _line_request_problems(lines: Sequence[LineRequest]) -> list[Problem]:
    problems: list[Problem] = []
    for i, wish in enumerate(lines):
        problems += rules.check_added_quantity(wish.quantity, ("lines", str(i), "quantity"))
    return problems


def _with_added_lines(cart: Cart, lines: Sequence[LineRequest], products: ProductCache) -> Cart:
    """``cart`` with ``lines`` merged in, or ``Rejected`` naming each line at fault."""
    found = products.get([ln.product_id for ln in cart.lines] + [w.product_id for w in lines])
    problems: list[Problem] = []
    for i, wish in enumerate(lines):
        product = found.get(wish.product_id)
        if product is None or product.variant(wish.variant_id) is None:
            problems.append(
                Problem(
                    Code.MERCHANDISE_NOT_FOUND,
                    "No such product variant is for sale",
                    ("lines", str(i), "merchandiseId"),
                )
            )
    merged = merge_lines(cart.lines, lines, new_id)
    by_variant = {(ln.product_id, ln.variant_id): ln for ln in merged}
    for i, wish in enumerate(lines):
        line = by_variant[(wish.product_id, wish.variant_id)]
        if line.quantity > MAX_QUANTITY and 0 < wish.quantity <= MAX_QUANTITY:
            problems.append(
                Problem(
                    Code.TOO_LARGE,
                    f"That makes {line.quantity}; at most {MAX_QUANTITY} of one item",
                    ("lines", str(i), "quantity"),
                )
            )
    problems += rules.check_line_count(merged, ("lines",))
    if problems:
        raise Rejected(problems)
    return replace(cart, lines=merged)


def _require_lines(
    cart: Cart, line_ids: Sequence[str], field: Callable[[int], tuple[str, ...]]
) -> None:
    problems = [
        Problem(Code.LINE_NOT_FOUND, "The cart has no such line", field(i))
        for i, line_id in enumerate(line_ids)
        if cart.line(line_id) is None
    ]
    if problems:
        raise Rejected(problems)


def _merged(found: list[Problem], input_problems: Sequence[Problem]) -> list[Problem]:
    """The service's problems and the caller's, one per field (the caller's wins)."""
    reported = {p.field for p in input_problems}
    return [p for p in found if p.field not in reported] + list(input_problems)
