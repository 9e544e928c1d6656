"""Cart use cases: create a cart, change its lines and details, read it priced.

A cart token is the capability to read and change a cart (anonymous shoppers have
nothing else), so it is 192 random bits. Every change goes through ``CartVersions``: a
read-modify-write of the one cart item guarded by its version, retried after a race.

Each use case takes a command whose input already passed the pure checks (``commands``)
and checks here only what needs the stored cart, the catalog or another context. Every
cart it returns is priced by the ``CartPricer``, which checkout prices through as well.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from commerce.cart import commands, rules, store
from commerce.cart.errors import CartErrorCode as Code
from commerce.cart.model import (
    BundleRefusal,
    Cart,
    LineRequest,
    PricedCart,
    absorb_guest_cart,
    bundle_lines,
    bundle_product_ids,
    merge_lines,
    remove_lines,
    set_quantities,
)
from commerce.cart.pricer import CartPricer, ProductCache
from commerce.cart.versions import CartVersions, concurrent_update
from commerce.catalog.service import CatalogService
from commerce.db.writes import WriteSet
from commerce.ids import new_id
from commerce.money import Currency
from commerce.pricing.model import Bundle
from commerce.pricing.points import PointsValue
from commerce.pricing.shoppers import ShopperProfile
from commerce.principals import Shopper
from commerce.problems import Problem, Rejected
from commerce.promotions.service import PromotionsService
from commerce.shipping.service import ShippingService
from commerce.tax.service import TaxService

Edit = Callable[[Cart, ProductCache], Cart]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def new_cart_token() -> str:
    """An unguessable cart token (``secrets.token_urlsafe(24)``: 192 random bits)."""
    return secrets.token_urlsafe(24)


class CartService:
    """The cart's use cases, over the single table, priced by a ``CartPricer``.

    From other contexts it takes two callables (wired by the composition root):
    ``partner_exists`` (access: may a Partner id refer a cart) and ``remember_cart``
    (customers: a signed-in customer's new cart becomes the one their account shows).
    """

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
        points_value: Callable[[Currency], PointsValue | None] | None = None,
        check_points: Callable[[str, int], None] | None = None,
        partner_exists: Callable[[str], bool] = lambda _: False,
        remember_cart: Callable[[str, str], None] | None = None,
        clock: Callable[[], datetime] = _utcnow,
        new_token: Callable[[], str] = new_cart_token,
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        self.pricer = CartPricer(
            catalog,
            shipping,
            taxes,
            promotions,
            profiles=profiles,
            clock=clock,
            points_value=points_value,
        )
        # Refuses more points than the customer holds (loyalty: ``Rejected`` with
        # INSUFFICIENT_POINTS); checkout checks again in its transaction.
        self._check_points = check_points
        self._partner_exists = partner_exists
        self._remember_cart = remember_cart
        self._default_currency = default_currency
        self._clock = clock
        self._versions = CartVersions(ttl_seconds=ttl_seconds, clock=clock, pause=pause)
        self._new_token = new_token

    # -- reads -------------------------------------------------------------------------

    def cart(self, token: str, shopper: Shopper | None = None) -> PricedCart | None:
        """The cart priced now; None when unknown. ``Rejected`` with CART_EXPIRED when expired.

        With a ``shopper`` (API callers), another customer's cart is None, as if unknown.
        """
        record = self._versions.live(token, ("id",), shopper)
        if record is None:
            return None
        return self.pricer.price(record.cart, self.pricer.products(), shopper)

    def profile(self, customer_id: str | None) -> ShopperProfile | None:
        """What promotions may target about this customer (None for a guest)."""
        return self.pricer.profile(customer_id)

    def for_checkout(
        self, token: str, shopper: Shopper | None = None
    ) -> tuple[PricedCart, int] | None:
        """The cart priced now with the version checkout must find unchanged; None: unknown."""
        record = self._versions.live(token, ("cartId",), shopper)
        if record is None:
            return None
        return self.pricer.price(record.cart, self.pricer.products(), shopper), record.version

    def consume(self, writes: WriteSet, token: str, version: int) -> None:
        """Delete the cart in the checkout's ``writes`` if still at ``version`` (label "cart")."""
        store.add_checkout_deletion(writes, token, version)

    # -- reminders ---------------------------------------------------------------------

    def idle_carts(self, hour: datetime) -> list[Cart]:
        """Carts with lines and someone to remind, last changed in ``hour`` (UTC):
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
        command: commands.CreateCart,
        shopper: Shopper | None = None,
        *,
        partner_id: str | None = None,
    ) -> PricedCart:
        """A new cart, with lines and a buyer when given; nothing is stored when refused.

        A signed-in ``shopper`` owns it, and it becomes the cart their account shows; it
        is priced for the shopper's channel. ``partner_id`` is the partner whose key makes
        the call: it refers its own carts and names no other partner.
        """
        shopper = shopper or Shopper()
        affiliate = self._referrer(command.affiliate_id, partner_id)
        now = self._clock()
        cart = Cart(
            id=self._new_token(),
            currency=command.currency or self._default_currency,
            created_at=now,
            updated_at=now,
            expires_at=self._versions.expiry(now),
            buyer_identity=command.buyer_identity,
            owner_id=shopper.customer_id,
            affiliate_id=affiliate,
            visitor_id=command.visitor_id,
        )
        products = self.pricer.products()
        if command.lines:
            cart = _with_added_lines(cart, command.lines, products)
        try:
            self._versions.insert(cart)
        except store.CartChanged:  # a token collision: 192 random bits make it theoretical
            raise concurrent_update() from None
        if cart.owner_id is not None and self._remember_cart is not None:
            # The cart exists either way: an account that cannot take it now (changed
            # elsewhere too often, or gone) keeps showing its previous cart.
            with contextlib.suppress(Rejected):
                self._remember_cart(cart.owner_id, cart.id)
        return self.pricer.price(cart, products, shopper)

    def add_lines(self, command: commands.AddLines, shopper: Shopper | None = None) -> PricedCart:
        """Add variants; a variant already in the cart gets its quantity raised."""
        return self._change(
            command.cart_token,
            lambda cart, products: _with_added_lines(cart, command.lines, products),
            shopper,
        )

    def update_lines(
        self, command: commands.UpdateLines, shopper: Shopper | None = None
    ) -> PricedCart:
        """Set the quantity of lines by id; 0 removes a line."""

        def edit(cart: Cart, _: ProductCache) -> Cart:
            ids = list(command.quantities)
            _refuse(rules.check_lines_held(cart, ids, lambda i: ("lines", str(i), "id")))
            return replace(cart, lines=set_quantities(cart.lines, dict(command.quantities)))

        return self._change(command.cart_token, edit, shopper, edit_reads_products=False)

    def remove_lines(
        self, command: commands.RemoveLines, shopper: Shopper | None = None
    ) -> PricedCart:
        """Take lines out of the cart by id."""

        def edit(cart: Cart, _: ProductCache) -> Cart:
            _refuse(rules.check_lines_held(cart, command.line_ids, lambda i: ("lineIds", str(i))))
            return replace(cart, lines=remove_lines(cart.lines, command.line_ids))

        return self._change(command.cart_token, edit, shopper, edit_reads_products=False)

    def update_buyer_identity(
        self, command: commands.UpdateBuyerIdentity, shopper: Shopper | None = None
    ) -> PricedCart:
        """Replace who is buying (email, phone, marketing consent) as a whole."""
        identity = command.buyer_identity
        return self._change(
            command.cart_token,
            lambda cart, _: replace(cart, buyer_identity=identity),
            shopper,
            edit_reads_products=False,
        )

    def update_shipping_address(
        self, command: commands.UpdateShippingAddress, shopper: Shopper | None = None
    ) -> PricedCart:
        """Set where a physical order would be shipped."""
        address = command.address
        return self._change(
            command.cart_token,
            lambda cart, _: replace(cart, shipping_address=address),
            shopper,
            edit_reads_products=False,
        )

    def update_currency(
        self, command: commands.UpdateCurrency, shopper: Shopper | None = None
    ) -> PricedCart:
        """Price the cart in another currency from now on."""
        currency = command.currency
        return self._change(
            command.cart_token,
            lambda cart, _: replace(cart, currency=currency),
            shopper,
            edit_reads_products=False,
        )

    def select_delivery_option(
        self, command: commands.SelectDeliveryOption, shopper: Shopper | None = None
    ) -> PricedCart:
        """Choose one of the delivery options the cart is offered now."""
        option_id = command.option_id

        def edit(cart: Cart, products: ProductCache) -> Cart:
            offered = self.pricer.price(cart, products).totals.delivery_options
            if not any(option.id == option_id for option in offered):
                message = "The cart is not offered this delivery option"
                raise _rejected(Code.DELIVERY_OPTION_NOT_AVAILABLE, message, "deliveryOptionId")
            return replace(cart, delivery_option_id=option_id)

        return self._change(command.cart_token, edit, shopper)

    def update_discount_codes(
        self, command: commands.UpdateDiscountCodes, shopper: Shopper | None = None
    ) -> PricedCart:
        """Replace the cart's discount codes as a whole (empty: none). Each is kept even
        when it does not apply now: the cart says why, and it may apply later."""
        codes = tuple(command.codes)
        return self._change(
            command.cart_token,
            lambda cart, _: replace(cart, discount_codes=codes),
            shopper,
            edit_reads_products=False,
        )

    def apply_loyalty_points(
        self, command: commands.ApplyLoyaltyPoints, shopper: Shopper
    ) -> PricedCart:
        """Spend some of the owner's points on the cart (0: none): a discount on its
        goods after every promotion. Only the owner's cart; more points than the balance
        is refused and changes nothing. Checkout spends them, re-checked there."""
        points = command.points
        customer = shopper.customer_id
        if points and customer is not None and self._check_points is not None:
            try:
                self._check_points(customer, points)
            except Rejected:
                raise _rejected(
                    Code.INSUFFICIENT_POINTS, "You do not have that many points", "points"
                ) from None

        def edit(cart: Cart, _: ProductCache) -> Cart:
            if cart.owner_id is None or cart.owner_id != customer:
                raise _rejected(
                    Code.CUSTOMER_CART_REQUIRED,
                    "Points go on a signed-in customer's own cart",
                    "cartId",
                )
            return replace(cart, loyalty_points=points)

        return self._change(command.cart_token, edit, shopper, edit_reads_products=False)

    def add_bundle(self, command: commands.AddBundle, shopper: Shopper | None = None) -> PricedCart:
        """Add one set of a bundle promotion's components (quantities add to lines the
        cart already has: checkout then decrements the summed quantity, never oversells)."""
        promotions = self.pricer.promotions
        promotion = None
        if promotions is not None:
            promotion = next(
                (p for p in promotions.promotions_for_pricing() if p.id == command.promotion_id),
                None,
            )
        if promotion is None:
            raise _rejected(Code.PROMOTION_NOT_FOUND, "No such live promotion", "promotionId")
        offer = promotion.offer
        if not isinstance(offer, Bundle):
            raise _not_a_bundle()

        def edit(cart: Cart, products: ProductCache) -> Cart:
            found = products.get(bundle_product_ids(offer))
            wanted = bundle_lines(offer, found, cart.currency)
            if isinstance(wanted, BundleRefusal):
                code = Code.BUNDLE_NOT_AVAILABLE if wanted.named else Code.NOT_A_BUNDLE
                raise _rejected(code, wanted.message, "promotionId")
            return _with_added_lines(cart, wanted, products)

        return self._change(command.cart_token, edit, shopper)

    # -- customers' carts ------------------------------------------------------------

    def take_over(self, guest_token: str, customer_id: str, customer_token: str | None) -> str:
        """The customer's cart once they log in holding ``guest_token``: its token.

        A guest cart becomes the customer's; when the customer already has a live cart,
        the guest's lines are merged into it (quantities added, capped at the per-item
        maximum; lines past the cart's size are left out) and the guest cart is deleted.
        Another customer's cart, an unknown or an expired one is left alone.
        """
        shopper = Shopper(customer_id)
        try:
            guest = self._versions.live(guest_token, ("cartId",), shopper)
            own = (
                self._versions.live(customer_token, ("cartId",), shopper)
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
                self._versions.replace(guest, claimed)
            except store.CartChanged:
                return customer_token or ""
            return guest.cart.id
        guest_cart = guest.cart
        self._change(
            own.cart.id, lambda cart, _: absorb_guest_cart(cart, guest_cart, new_id), shopper
        )
        # Changed in another tab meanwhile: it stays, and stays the guest's.
        with contextlib.suppress(store.CartChanged):
            self._versions.delete(guest)
        return own.cart.id

    # -- helpers ---------------------------------------------------------------------

    def _referrer(self, named: str | None, partner_id: str | None) -> str | None:
        """The partner that referred a new cart: a partner's key refers its own carts;
        anyone else may name an existing partner (from the affiliate's link), or nobody."""
        if named is None:
            return partner_id
        if partner_id in (None, named) and self._partner_exists(named):
            return named
        raise _rejected(Code.AFFILIATE_NOT_FOUND, "No such affiliate partner", "affiliateId")

    def _change(
        self,
        token: str,
        edit: Edit,
        shopper: Shopper | None = None,
        *,
        edit_reads_products: bool = True,
    ) -> PricedCart:
        """Apply ``edit`` to the cart (see ``CartVersions.change``); the cart priced.

        An edit that reads no product (an address, quantities) lets the products of the
        cart as this process remembers it be read while the cart is written: the priced
        answer then waits for one round trip, not two in a row. A stale guess only means
        the missing products are read after.
        """
        products = self.pricer.products()
        remembered = None if edit_reads_products else self._versions.remembered(token)
        if remembered is not None and remembered.lines:
            products.prefetch([line.product_id for line in remembered.lines])
        changed = self._versions.change(token, lambda cart: edit(cart, products), shopper)
        return self.pricer.price(changed, products, shopper)


def _rejected(code: Code, message: str, *field: str) -> Rejected:
    return Rejected([Problem(code, message, field)])


def _not_a_bundle() -> Rejected:
    return _rejected(Code.NOT_A_BUNDLE, "This promotion is not a bundle", "promotionId")


def _with_added_lines(cart: Cart, lines: Sequence[LineRequest], products: ProductCache) -> Cart:
    """``cart`` with ``lines`` merged in, or ``Rejected`` naming each line at fault."""
    # One batch read for the cart's products and the new ones: pricing reuses it.
    found = products.get([ln.product_id for ln in cart.lines] + [w.product_id for w in lines])
    merged = merge_lines(cart.lines, lines, new_id)
    _refuse(rules.check_additions(lines, merged, found))
    return replace(cart, lines=merged)


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise Rejected(problems)
