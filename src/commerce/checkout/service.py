"""``checkoutComplete``: re-price the cart, reserve stock, place the order, ask for payment.

One ``TransactWriteItems`` places an order: a conditional decrement per physical
variant (``available >= qty``), the order, its reservation (with a TTL), the
idempotency record (``attribute_not_exists``) and the cart's deletion (on its version).
Overselling is impossible by construction: a decrement that would go below 0 cancels
the whole transaction, and DynamoDB names which one.

Only then is Stripe asked for a PaymentIntent (an order with nothing to pay is marked
paid instead: free items, a 100 % code), with an idempotency key derived from
the order id: a retry (same idempotency key from the client) finds the order through
its record and creates or retrieves the same intent. If Stripe is unreachable the order
stays AWAITING_PAYMENT with its stock reserved, and the client is told to retry.

The order number comes from an atomic counter before the transaction: putting one hot
item inside every checkout transaction would make concurrent checkouts conflict.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from commerce.cart.model import PricedCart
from commerce.cart.service import CartService
from commerce.checkout import store
from commerce.checkout.errors import CheckoutErrorCode as Code
from commerce.checkout.model import (
    check_idempotency_key,
    checkout_problems,
    digest,
    order_from_cart,
)
from commerce.db.writes import CONFLICT, ConditionsFailed, WriteSet
from commerce.ids import new_id
from commerce.inventory.service import InventoryService
from commerce.loyalty.service import InsufficientPoints, LoyaltyService
from commerce.orders.model import Order, physical_quantities
from commerce.orders.service import OrdersService
from commerce.payments.ports import PaymentGateway, PaymentIntent, PaymentUnavailable
from commerce.principals import Shopper
from commerce.problems import Problem, Rejected
from commerce.promotions.service import PromotionsService

log = logging.getLogger(__name__)

# Stripe keeps idempotency keys for 24 hours; ours live as long.
KEY_TTL = timedelta(hours=24)
# Transactions on one hot variant conflict while others commit; each retry is one call.
MAX_ATTEMPTS = 12
_PAUSE_SECONDS = 0.01


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CheckoutResult:
    """A placed order, and what the client needs to pay for it.

    ``access_token`` is for guests, shown on this response only (stored as a digest);
    ``problems`` is non-empty when the order exists but payment cannot start yet.
    """

    order: Order
    client_secret: str | None
    access_token: str | None
    problems: tuple[Problem, ...] = ()


class CheckoutService:
    """Turns carts into orders."""

    def __init__(
        self,
        carts: CartService,
        inventory: InventoryService,
        orders: OrdersService,
        gateway: PaymentGateway,
        *,
        reservation_seconds: int,
        promotions: PromotionsService | None = None,
        settle_free: Callable[[str], Order] | None = None,
        loyalty: LoyaltyService | None = None,
        clock: Callable[[], datetime] = _utcnow,
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        self._promotions = promotions
        self._loyalty = loyalty
        # Marks a zero-total order paid; the composition passes one that also grants
        # the order's downloads (``orders.settlement``), as a payment event would.
        self._settle_free = settle_free or orders.settle_free
        self._carts = carts
        self._inventory = inventory
        self._orders = orders
        self._gateway = gateway
        self._window = timedelta(seconds=reservation_seconds)
        self._clock = clock
        self._pause = pause

    def complete(
        self,
        cart_token: str,
        idempotency_key: str,
        shopper: Shopper,
        *,
        visitor_id: str | None = None,
    ) -> CheckoutResult:
        """Place the cart's order (or return the one this key placed); ``Rejected`` if not.

        ``visitor_id`` (a verified visitor token's) is kept on the order, so its payment
        credits the visitor's journey (``journeys``)."""
        problems = check_idempotency_key(idempotency_key)
        if problems:
            raise Rejected(problems)
        key_digest, cart_digest = digest(idempotency_key), digest(cart_token)
        replay = self._replay(key_digest, cart_digest, shopper)
        if replay is not None:
            return replay
        priced, version = self._checkable_cart(cart_token, shopper)
        number = self._orders.next_number()
        now = self._clock()
        access_token = None if shopper.customer_id else secrets.token_urlsafe(24)
        order = order_from_cart(
            priced,
            order_id=new_id(int(now.timestamp() * 1000)),
            number=number,
            now=now,
            reserved_until=(now + self._window).replace(microsecond=0),
            shopper=shopper,
            access_digest=None if access_token is None else digest(access_token),
            visitor_id=visitor_id,
        )
        for attempt in range(MAX_ATTEMPTS):
            writes = WriteSet()
            self._carts.consume(writes, cart_token, version)
            self._inventory.take(writes, physical_quantities(order.lines), order_id=order.id)
            self._orders.add_new(writes, order)
            store.add_key(writes, key_digest, order.id, cart_digest, now + KEY_TTL)
            codes = priced.applied_codes()
            if codes and self._promotions is not None:
                # At most MAX_CODES codes, 2-3 items each: 25 decrements, their 25 stock
                # movements, the order's own items and 15 code items stay under 100.
                self._promotions.add_uses(writes, order.id, shopper.customer_id, codes)
            self._spend_points(writes, priced, order.id)
            try:
                self._commit(writes)
            except ConditionsFailed as failed:
                if store.KEY_LABEL in failed.labels:
                    # The same key won a race a moment ago: answer as its replay does.
                    replayed = self._replay(key_digest, cart_digest, shopper)
                    if replayed is not None:
                        return replayed
                if (
                    self._loyalty is not None
                    and self._loyalty.lost_race(failed)
                    and attempt < MAX_ATTEMPTS - 1
                ):
                    # The customer's points changed since they were read (another checkout,
                    # a payment's points): read the balance again and decide again.
                    continue
                raise Rejected(self._refusal(failed.labels, order)) from None
            break
        return self._with_payment(order, access_token, just_placed=True)

    # -- helpers -------------------------------------------------------------------------

    def _spend_points(self, writes: WriteSet, priced: PricedCart, order_id: str) -> None:
        """The cart's points, spent in the order's transaction while the balance holds."""
        points, owner = priced.points, priced.cart.owner_id
        if points is None or owner is None or self._loyalty is None:
            return
        try:
            self._loyalty.add_spend(writes, owner, order_id, points.points)
        except InsufficientPoints as short:
            raise Rejected(
                [
                    Problem(
                        Code.INSUFFICIENT_POINTS,
                        f"Only {short.balance} loyalty points are left; the cart spends "
                        f"{short.wanted} (cartLoyaltyPointsApply to change it)",
                        ("loyaltyPoints",),
                    )
                ]
            ) from None

    def _checkable_cart(self, token: str, shopper: Shopper) -> tuple[PricedCart, int]:
        try:
            found = self._carts.for_checkout(token, shopper)
        except Rejected:
            raise Rejected(
                [Problem(Code.CART_EXPIRED, "The cart has expired", ("cartId",))]
            ) from None
        if found is None:
            raise Rejected([Problem(Code.CART_NOT_FOUND, "Cart not found", ("cartId",))])
        problems = checkout_problems(found[0])
        if problems:
            raise Rejected(problems)
        return found

    def _commit(self, writes: WriteSet) -> None:
        """Commit, retrying while only transaction conflicts (not conditions) stop it."""
        for attempt in range(MAX_ATTEMPTS):
            try:
                writes.commit()
            except ConditionsFailed as failed:
                if set(failed.labels) != {CONFLICT} or attempt == MAX_ATTEMPTS - 1:
                    raise
                self._pause(_PAUSE_SECONDS * (attempt + 1) * (1 + secrets.randbelow(100) / 100))
            else:
                return

    def _refusal(self, labels: tuple[str, ...], order: Order) -> list[Problem]:
        used_up = [
            code
            for label in labels
            if self._promotions is not None and (code := self._promotions.used_up_code(label))
        ]
        if used_up:
            return [
                Problem(
                    Code.DISCOUNT_CODE_USED_UP,
                    f"Code {code} was used up meanwhile; remove it to check out",
                    ("discountCodes",),
                )
                for code in used_up
            ]
        short = [key for label in labels if (key := self._inventory.short_variant(label))]
        if short:
            return [
                Problem(
                    Code.OUT_OF_STOCK,
                    f"Not enough {line.title} ({line.variant_title}) in stock",
                    ("lines", str(i)),
                )
                for i, line in enumerate(order.lines)
                if (line.product_id, line.variant_id) in short
            ]
        if "cart" in labels:
            return [
                Problem(
                    Code.CART_CHANGED,
                    "The cart changed during checkout; read it again and retry",
                    ("cartId",),
                )
            ]
        return [Problem(Code.CONCURRENT_UPDATE, "Checkout is busy; retry with the same key")]

    def _replay(self, key_digest: str, cart_digest: str, shopper: Shopper) -> CheckoutResult | None:
        record = store.get_key(key_digest)
        if record is None:
            return None
        if record.cart_digest != cart_digest:
            raise Rejected(
                [
                    Problem(
                        Code.IDEMPOTENCY_KEY_REUSED,
                        "This idempotency key was used with another cart; use a new key",
                        ("idempotencyKey",),
                    )
                ]
            )
        order = self._orders.order(record.order_id)
        if order is None:  # the record outlived its order: never, orders are kept
            raise Rejected([Problem(Code.CART_NOT_FOUND, "Cart not found", ("cartId",))])
        access_token = None
        if order.customer_id is None:
            # The holder of the cart token and the key is the guest who placed the order;
            # a lost response must not lock them out, so a fresh token replaces the old.
            access_token = secrets.token_urlsafe(24)
            order = self._orders.set_access_digest(order.id, digest(access_token))
        return self._with_payment(order, access_token)

    def _with_payment(
        self, order: Order, access_token: str | None, *, just_placed: bool = False
    ) -> CheckoutResult:
        if order.total.amount == 0:
            # Nothing to pay, and no provider takes 0: settled here, with no intent.
            return CheckoutResult(self._settle_free(order.id), None, access_token)
        try:
            intent = self._intent(order)
        except PaymentUnavailable as exc:
            log.warning("no payment intent for order %s yet: %s", order.id, exc)
            problem = Problem(
                Code.PAYMENT_UNAVAILABLE,
                "The order is placed and its stock held, but payment cannot start now; "
                "retry checkoutComplete with the same idempotency key",
            )
            return CheckoutResult(order, None, access_token, (problem,))
        if order.payment_intent_id != intent.id:
            order = self._orders.attach_intent(order, intent.id, just_placed=just_placed)
        return CheckoutResult(order, intent.client_secret, access_token)

    def _intent(self, order: Order) -> PaymentIntent:
        if order.payment_intent_id is not None:
            return self._gateway.retrieve_intent(order.payment_intent_id)
        return self._gateway.create_intent(
            order_id=order.id,
            amount=order.total,
            idempotency_key=f"order-{order.id}",
            email=order.email,
        )
