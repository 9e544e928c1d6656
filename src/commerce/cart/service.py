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
Promotions come the same way (one read while the promotions cache is cold, none while
warm); a cart holding discount codes adds one BatchGetItem for them (two for a
customer: their own use counts).
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from commerce.cart import rules, store
from commerce.cart.errors import CartErrorCode as Code
from commerce.cart.model import (
    MAX_CODES,
    MAX_LINES,
    MAX_QUANTITY,
    Address,
    BuyerIdentity,
    Cart,
    LineRequest,
    PricedCart,
    PricingInput,
    ShopperProfile,
    bundle_lines,
    engine_line,
    is_cart_token,
    merge_lines,
    price_cart,
    remove_lines,
    set_quantities,
    shopper_context,
)
from commerce.cart.totals import NOWHERE, Destination
from commerce.catalog.model import Product
from commerce.catalog.service import CatalogService
from commerce.db.writes import WriteSet
from commerce.ids import new_id
from commerce.money import Currency
from commerce.pricing.model import Bundle, normalize_code
from commerce.principals import Shopper
from commerce.problems import Problem, Rejected
from commerce.promotions.product_offers import ProductOffer, product_offers
from commerce.promotions.service import PromotionsService
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
        promotions: PromotionsService | None = None,
        *,
        ttl_seconds: int,
        default_currency: Currency,
        profiles: Callable[[str], ShopperProfile | None] | None = None,
        clock: Callable[[], datetime] = _utcnow,
        new_token: Callable[[], str] = new_cart_token,
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        # A signed-in owner's segments, tags and first-order status (customers context).
        self._profiles = profiles
        self._catalog = catalog
        self._shipping = shipping
        self._taxes = taxes
        self._promotions = promotions
        self._ttl = timedelta(seconds=ttl_seconds)
        self._default_currency = default_currency
        self._clock = clock
        self._new_token = new_token
        self._pause = pause

    # -- reads -------------------------------------------------------------------------

    def cart(self, token: str, viewer: Shopper | None = None) -> PricedCart | None:
        """The cart priced now; None when unknown. ``Rejected`` with CART_EXPIRED when expired.

        With a ``viewer`` (API callers), another customer's cart is None, as if unknown.
        """
        record = self._live_record(token, ("id",), viewer)
        if record is None:
            return None
        return self._price(record.cart, ProductCache(self._catalog), viewer)

    def offers(self, priced: PricedCart, viewer: Shopper) -> list[CartOffer]:
        """The item offers concerning the cart's products for its shopper, with what each
        saves on this cart now and what the cart still lacks for it (its near miss)."""
        if self._promotions is None or priced.promotions is None:
            return []
        promotions = self._promotions.promotions_for_pricing()
        shopper = replace(viewer, customer_id=priced.cart.owner_id)
        context = shopper_context(
            shopper,
            self._clock(),
            priced.cart.currency,
            self.profile(shopper.customer_id),
            priced.cart.affiliate_id,
        )
        saved = {a.promotion_id: a.amount for a in priced.promotions.applied}
        missing = {n.promotion_id: n.text for n in priced.promotions.near_misses}
        found: dict[str, CartOffer] = {}
        for line in priced.lines:
            engine = engine_line(line)
            if engine is None:
                continue
            for offer in product_offers(engine, promotions, context):
                pid = offer.promotion.id
                found.setdefault(pid, CartOffer(offer, saved.get(pid, 0), missing.get(pid)))
        return list(found.values())

    def for_checkout(
        self, token: str, viewer: Shopper | None = None
    ) -> tuple[PricedCart, int] | None:
        """The cart priced now with the version checkout must find unchanged; None: unknown."""
        record = self._live_record(token, ("cartId",), viewer)
        if record is None:
            return None
        return self._price(record.cart, ProductCache(self._catalog), viewer), record.version

    def consume(self, writes: WriteSet, token: str, version: int) -> None:
        """Delete the cart in the checkout's ``writes`` if still at ``version`` (label "cart")."""
        store.add_checkout_deletion(writes, token, version)

    # -- reminders ---------------------------------------------------------------------

    def idle_carts(self, hour: datetime) -> list[Cart]:
        """Carts with lines and a consenting buyer email, last changed in ``hour`` (UTC):
        what the abandoned-cart reminders look at."""
        return store.carts_idle_since(hour)

    def add_unchanged_check(self, writes: WriteSet, cart: Cart, label: str) -> None:
        """Require, in another use case's ``writes``, that the cart is still as ``cart``
        saw it (a reminder is for one change of the cart)."""
        model, pk, sk, unchanged = store.unchanged_check(cart)
        writes.check(model, pk, sk, unchanged, label=label)

    # -- changes -----------------------------------------------------------------------

    def create(
        self,
        *,
        currency: Currency | None = None,
        lines: Sequence[LineRequest] = (),
        buyer_identity: BuyerIdentity | None = None,
        input_problems: Sequence[Problem] = (),
        owner_id: str | None = None,
        viewer: Shopper | None = None,
        affiliate_id: str | None = None,
    ) -> PricedCart:
        """A new cart, with lines and a buyer when given; nothing is stored when refused.

        ``viewer`` is who the new cart is priced for (its channel); the owner is stored.
        """
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
            owner_id=owner_id,
            affiliate_id=affiliate_id,
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
        return self._price(cart, products, viewer)

    def add_lines(
        self,
        token: str,
        lines: Sequence[LineRequest],
        input_problems: Sequence[Problem] = (),
        viewer: Shopper | None = None,
    ) -> PricedCart:
        """Add variants; a variant already in the cart gets its quantity raised."""
        problems = _merged(_line_request_problems(lines), input_problems)
        if not lines:
            problems.append(Problem(Code.INVALID, "Give at least one line", ("lines",)))
        if problems:
            raise Rejected(problems)
        return self._change(
            token, lambda cart, products: _with_added_lines(cart, lines, products), viewer
        )

    def update_lines(
        self,
        token: str,
        quantities: Sequence[tuple[str, int]],
        input_problems: Sequence[Problem] = (),
        viewer: Shopper | None = None,
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

        return self._change(token, edit, viewer)

    def remove_lines(
        self,
        token: str,
        line_ids: Sequence[str],
        input_problems: Sequence[Problem] = (),
        viewer: Shopper | None = None,
    ) -> PricedCart:
        """Take lines out of the cart by id."""
        if input_problems:
            raise Rejected(input_problems)

        def edit(cart: Cart, _: ProductCache) -> Cart:
            _require_lines(cart, line_ids, lambda i: ("lineIds", str(i)))
            return replace(cart, lines=remove_lines(cart.lines, line_ids))

        return self._change(token, edit, viewer)

    def update_buyer_identity(
        self, token: str, identity: BuyerIdentity, viewer: Shopper | None = None
    ) -> PricedCart:
        """Replace who is buying (email, phone, marketing consent) as a whole."""
        normalized = _normalized(identity)
        problems = rules.check_buyer_identity(normalized, ("buyerIdentity",))
        if problems:
            raise Rejected(problems)
        return self._change(token, lambda cart, _: replace(cart, buyer_identity=normalized), viewer)

    def update_shipping_address(
        self, token: str, address: Address, viewer: Shopper | None = None
    ) -> PricedCart:
        """Set where a physical order would be shipped."""
        normalized = replace(address, country_code=address.country_code.strip().upper())
        problems = rules.check_address(normalized, ("address",))
        if problems:
            raise Rejected(problems)
        return self._change(
            token, lambda cart, _: replace(cart, shipping_address=normalized), viewer
        )

    def update_currency(
        self, token: str, currency: Currency, viewer: Shopper | None = None
    ) -> PricedCart:
        """Price the cart in another currency from now on."""
        return self._change(token, lambda cart, _: replace(cart, currency=currency), viewer)

    def select_delivery_option(
        self, token: str, option_id: str, viewer: Shopper | None = None
    ) -> PricedCart:
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

        return self._change(token, edit, viewer)

    def update_discount_codes(
        self, token: str, codes: Sequence[str], viewer: Shopper | None = None
    ) -> PricedCart:
        """Replace the cart's discount codes as a whole (empty: none). Each is kept even
        when it does not apply now: the cart says why, and it may apply later."""
        texts = list(dict.fromkeys(normalize_code(c) for c in codes))
        problems = [
            Problem(Code.BLANK, "A discount code cannot be empty", ("codes", str(i)))
            for i, text in enumerate(texts)
            if not text
        ]
        problems += [
            Problem(Code.TOO_LONG, "A discount code has at most 32 characters", ("codes", str(i)))
            for i, text in enumerate(texts)
            if len(text) > 32
        ]
        if len(texts) > MAX_CODES:
            problems.append(
                Problem(Code.TOO_LARGE, f"At most {MAX_CODES} discount codes", ("codes",))
            )
        if problems:
            raise Rejected(problems)
        return self._change(
            token, lambda cart, _: replace(cart, discount_codes=tuple(texts)), viewer
        )

    def add_bundle(
        self, token: str, promotion_id: str, viewer: Shopper | None = None
    ) -> PricedCart:
        """Add one set of a bundle promotion's components (quantities add to lines the
        cart already has: checkout then decrements the summed quantity, never oversells)."""
        promotion = None
        if self._promotions is not None:
            promotion = next(
                (p for p in self._promotions.promotions_for_pricing() if p.id == promotion_id),
                None,
            )
        if promotion is None:
            raise Rejected(
                [Problem(Code.PROMOTION_NOT_FOUND, "No such live promotion", ("promotionId",))]
            )
        offer = promotion.offer
        if not isinstance(offer, Bundle):
            raise Rejected([_not_a_bundle()])

        def edit(cart: Cart, products: ProductCache) -> Cart:
            ids = [pid for c in offer.components for pid in c.selector.product_ids]
            wanted = bundle_lines(offer, products.get(ids), cart.currency)
            if wanted is None:
                raise Rejected([_not_a_bundle()])
            return _with_added_lines(cart, wanted, products)

        return self._change(token, edit, viewer)

    # -- customers' carts ------------------------------------------------------------

    def take_over(self, guest_token: str, customer_id: str, customer_token: str | None) -> str:
        """The customer's cart once they log in holding ``guest_token``: its token.

        A guest cart becomes the customer's; when the customer already has a live cart,
        the guest's lines are merged into it (quantities added, capped at the per-item
        maximum; lines past the cart's size are left out) and the guest cart is deleted.
        Another customer's cart, an unknown or an expired one is left alone.
        """
        viewer = Shopper(customer_id)
        try:
            guest = self._live_record(guest_token, ("cartId",), viewer)
            own = (
                self._live_record(customer_token, ("cartId",), viewer)
                if customer_token and customer_token != guest_token
                else None
            )
        except Rejected:  # an expired cart: nothing to bring along
            guest, own = None, None
        if guest is None:
            return customer_token or ""
        if own is None:
            claimed = replace(guest.cart, owner_id=customer_id)
            try:
                store.replace_cart(guest, claimed)
            except store.CartChanged:
                return customer_token or ""
            return guest.cart.id
        additions = [
            LineRequest(line.product_id, line.variant_id, line.quantity)
            for line in guest.cart.lines
        ]

        def merge(cart: Cart, _: ProductCache) -> Cart:
            merged = merge_lines(cart.lines, additions, new_id)
            capped = tuple(replace(ln, quantity=min(ln.quantity, MAX_QUANTITY)) for ln in merged)
            # A referral is kept (first touch: the customer's own cart's, else the guest's).
            referral = cart.affiliate_id or guest.cart.affiliate_id
            return replace(cart, lines=capped[:MAX_LINES], affiliate_id=referral)

        self._change(own.cart.id, merge, viewer)
        # Changed in another tab meanwhile: it stays, and stays the guest's.
        with contextlib.suppress(store.CartChanged):
            store.delete_cart(guest)
        return own.cart.id

    # -- helpers ---------------------------------------------------------------------

    def _live_record(
        self, token: str, field: tuple[str, ...], viewer: Shopper | None = None
    ) -> store.CartRecord | None:
        record = store.get_cart_record(token) if is_cart_token(token) else None
        if record is not None and viewer is not None and not record.cart.visible_to(viewer):
            # Another customer's cart answers exactly as an unknown one: nothing leaks.
            return None
        if record is not None and record.cart.is_expired(self._clock()):
            raise Rejected([Problem(Code.CART_EXPIRED, "The cart has expired", field)])
        return record

    def _expiry(self, now: datetime) -> datetime:
        # Whole seconds: the table's ttl attribute is epoch seconds, and a cart read back
        # must say the same as the cart a mutation returned.
        return (now + self._ttl).replace(microsecond=0)

    def _change(self, token: str, edit: Edit, viewer: Shopper | None = None) -> PricedCart:
        """Apply ``edit`` to the current cart and store it, re-reading after a conflict."""
        products = ProductCache(self._catalog)
        for attempt in range(MAX_ATTEMPTS):
            record = self._live_record(token, ("cartId",), viewer)
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
            return self._price(changed, products, viewer)
        raise Rejected([_concurrent_update()])

    def _price(
        self, cart: Cart, products: ProductCache, viewer: Shopper | None = None
    ) -> PricedCart:
        found = products.get([ln.product_id for ln in cart.lines])
        return price_cart(
            cart,
            found,
            self._destination(cart, found),
            prices_include_tax=self._taxes.prices_include_tax,
            offers=self._pricing_input(cart, viewer),
        )

    def _pricing_input(self, cart: Cart, viewer: Shopper | None) -> PricingInput | None:
        """The live promotions (cached) and the cart's codes, for the cart's customer."""
        if self._promotions is None:
            return None
        customer = cart.owner_id
        codes = (
            self._promotions.codes_for_pricing(cart.discount_codes, customer)
            if cart.discount_codes
            else []
        )
        return PricingInput(
            promotions=self._promotions.promotions_for_pricing(),
            codes=codes,
            now=self._clock(),
            shopper=Shopper(customer_id=customer, channel=(viewer or Shopper()).channel),
            profile=self.profile(customer),
        )

    def profile(self, customer_id: str | None) -> ShopperProfile | None:
        """What promotions may target about this customer (None for a guest)."""
        if customer_id is None or self._profiles is None:
            return None
        return self._profiles(customer_id)

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


@dataclass(frozen=True, slots=True)
class CartOffer:
    """An offer on the cart's products: its saving on the cart now, and its near miss."""

    offer: ProductOffer
    saving: int
    next_step: str | None


def _not_a_bundle() -> Problem:
    return Problem(
        Code.NOT_A_BUNDLE,
        "This promotion is not a bundle of products for sale in the cart's currency",
        ("promotionId",),
    )


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
