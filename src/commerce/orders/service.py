"""Order use cases: reading orders, payment events, reservation expiry, staff actions.

Every change is a read-modify-write of the one order item guarded by its version,
committed in one transaction with the stock movement and reservation removal the
change implies (``lifecycle.Plan``). A lost race re-reads and decides again, so two
deliveries of one event, or an expiry racing a payment, apply exactly once.

This service implements ``payments.ports.OrderPayments`` for the webhook endpoint.
Stripe calls made after a commit (cancelling an intent) are best effort: the order's
state is already right, and Stripe's own expiry or a retry settles the rest.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from commerce.db.writes import CONFLICT, ConditionsFailed, WriteSet
from commerce.ids import is_id
from commerce.inventory.service import RETAKE, InventoryService
from commerce.money import Money
from commerce.notifications.model import Channel, Notification, TemplateName
from commerce.notifications.service import add_to_outbox
from commerce.orders import lifecycle, store
from commerce.orders.commands import CancelOrder, FulfillOrder, RefundOrder
from commerce.orders.errors import OrderErrorCode as Code
from commerce.orders.lifecycle import Plan
from commerce.orders.model import (
    Order,
    OrderFilter,
    OrderPage,
    OrderStatus,
    may_read,
)
from commerce.payments.ports import PaymentGateway, PaymentUnavailable, UnknownOrder
from commerce.problems import Problem, Rejected
from commerce.promotions.service import PromotionsService

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
_PAUSE_SECONDS = 0.005
# Reservations released per scheduled run; the next run (a minute later) takes the rest.
EXPIRY_BATCH = 200

Decide = Callable[[Order, bool], Plan | None]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class PaidOrderCounter(Protocol):
    """Counts a customer's paid orders (the customers context's marketing facts), in the
    transaction that marks an order paid; injected so orders need not import customers."""

    def add_paid_order(self, writes: WriteSet, customer_id: str, at: datetime) -> None: ...


class OrderConflict(Exception):
    """The order kept changing under us for every attempt (never seen outside stress)."""


class OrdersService:
    """Orders over the single table, with stock through the inventory service."""

    def __init__(
        self,
        inventory: InventoryService,
        gateway: PaymentGateway,
        *,
        promotions: PromotionsService | None = None,
        purchases: PaidOrderCounter | None = None,
        clock: Callable[[], datetime] = _utcnow,
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        self._promotions = promotions
        # Counts each customer's paid orders (first-order offers, segments).
        self._purchases = purchases
        self._inventory = inventory
        self._gateway = gateway
        self._clock = clock
        self._pause = pause

    # -- reads ---------------------------------------------------------------------------

    def order(self, order_id: str) -> Order | None:
        """The order now, or None."""
        record = store.get_order_record(order_id)
        return None if record is None else record.order

    def orders_by_id(self, order_ids: Sequence[str]) -> dict[str, Order]:
        """The orders of a batch of stream records, read together (absent ids left out)."""
        return store.get_orders(order_ids)

    def orders(self, where: OrderFilter, first: int, after: str | None) -> OrderPage:
        """Orders newest first, filtered by status and creation time (staff)."""
        rows, more = store.list_orders(where, first, after)
        return OrderPage(
            orders=tuple(order for order, _ in rows),
            cursors={order.id: store.encode_cursor(key) for order, key in rows},
            has_next_page=more,
        )

    def orders_of_customer(self, customer_id: str, first: int, after: str | None) -> OrderPage:
        """The orders a signed-in customer placed, newest first."""
        rows, more = store.list_customer_orders(customer_id, first, after)
        return OrderPage(
            orders=tuple(order for order, _ in rows),
            cursors={order.id: store.encode_cursor(key) for order, key in rows},
            has_next_page=more,
        )

    def order_for(
        self, order_id: str, *, access_token: str | None, customer_id: str | None
    ) -> Order | None:
        """The order if this reader may see it (token or owner); None as if unknown otherwise."""
        order = self.order(order_id)
        if order is None or not may_read(order, access_token=access_token, customer_id=customer_id):
            return None
        return order

    @staticmethod
    def decode_cursor(cursor: str) -> str | None:
        """The position inside an order-list cursor; None when malformed."""
        return store.decode_cursor(cursor)

    # -- checkout ------------------------------------------------------------------------

    def next_number(self) -> int:
        """A new readable order number (numbers of failed checkouts are skipped)."""
        return store.next_order_number()

    def add_new(self, writes: WriteSet, order: Order) -> None:
        """Put a new order and its stock reservation into the checkout's ``writes``."""
        store.add_new_order(writes, order)

    def import_settled(self, orders: Sequence[Order]) -> None:
        """Bring paid orders (refunded or not) over from the store's previous platform.

        They are history, not checkouts: their stock left long ago and their receipts
        went out, so nothing is taken, reserved or sent; they are put as they stand, 25 to
        a request, which is how a store loads years of orders in minutes rather than
        hours. The events function does not see them as changes (only an order's MODIFY
        is), so whoever imports adds them to the reports (``ReportsService.record_orders``).
        """
        unsettled = [o.id for o in orders if not o.is_paid]
        if unsettled:
            raise ValueError(f"only paid orders are imported, not {', '.join(unsettled[:5])}")
        store.put_imported_orders(orders)

    def attach_intent(self, order: Order, intent_id: str, *, just_placed: bool = False) -> Order:
        """Record the PaymentIntent created for the order.

        ``just_placed``: ``order`` is as checkout wrote it a moment ago, so the write can
        skip reading it first (a stale guess only costs a re-read).
        """
        known = store.OrderRecord(order, store.NEW_ORDER_VERSION) if just_placed else None

        def decide(current: Order, _: bool) -> Plan | None:
            return lifecycle.attach_intent(current, intent_id)

        return self._apply(order.id, decide, known=known)[0]

    def set_access_digest(self, order_id: str, digest: str) -> Order:
        """Replace the digest of the guest's order access token (a checkout replay)."""
        return self._apply(order_id, lambda o, _: lifecycle.with_access_digest(o, digest))[0]

    # -- payments (OrderPayments) --------------------------------------------------------

    def payment_succeeded(
        self, *, order_id: str, intent_id: str, amount: Money, payment_method: str | None = None
    ) -> None:
        """Paid: stock committed (or taken again, or the order flagged SHORT)."""
        at = self._clock()
        self._event(
            order_id,
            lambda o, ok: lifecycle.payment_succeeded(
                o,
                at=at,
                intent_id=intent_id,
                amount=amount,
                stock_available=ok,
                payment_method=payment_method,
            ),
        )

    def settle_free(self, order_id: str) -> Order:
        """A zero-total order is paid without a payment: stock committed, order PAID."""
        at = self._clock()
        return self._apply(
            order_id,
            lambda o, ok: lifecycle.settled_without_payment(o, at=at, stock_available=ok),
        )[0]

    def payment_failed(self, *, order_id: str, intent_id: str, reason: str) -> None:
        """A failed attempt is recorded; the order keeps waiting for payment."""
        at = self._clock()
        self._event(order_id, lambda o, _: lifecycle.payment_failed(o, at=at, reason=reason))

    def payment_canceled(self, *, order_id: str, intent_id: str) -> None:
        """The intent was cancelled: an unpaid order ends and its stock goes back."""
        at = self._clock()
        self._event(
            order_id,
            lambda o, _: lifecycle.released(
                o,
                at=at,
                status=OrderStatus.CANCELLED,
                actor=lifecycle.STRIPE,
                note="Payment cancelled",
            ),
        )

    def refunded(self, *, order_id: str, intent_id: str, amount_refunded: Money) -> None:
        """Stripe refunded ``amount_refunded`` in all: REFUNDED or PARTIALLY_REFUNDED."""
        at = self._clock()
        self._event(
            order_id,
            lambda o, ok: lifecycle.refunded(
                o, at=at, amount_refunded=amount_refunded, stock_available=ok
            ),
        )

    def dispute_opened(
        self, *, order_id: str, intent_id: str, dispute_id: str, amount: Money
    ) -> None:
        """Stripe opened a dispute on the order's payment: recorded once."""
        at = self._clock()
        self._event(
            order_id,
            lambda o, _: lifecycle.dispute_opened(o, at=at, dispute_id=dispute_id, amount=amount),
        )

    def dispute_closed(
        self, *, order_id: str, intent_id: str, dispute_id: str, amount: Money, won: bool
    ) -> None:
        """Stripe closed a dispute: won (the money came back) or lost."""
        at = self._clock()
        self._event(
            order_id,
            lambda o, _: lifecycle.dispute_closed(
                o, at=at, dispute_id=dispute_id, amount=amount, won=won
            ),
        )

    # -- expiry --------------------------------------------------------------------------

    def release_expired_reservations(self, now: datetime) -> int:
        """Expire unpaid orders whose window ended before ``now``; how many were expired.

        One GSI Query finds them (no Scan); each is released like any other change, so
        a run racing a payment, the TTL clean-up or another run changes nothing twice.
        """
        expired = 0
        for order_id in store.expired_reservations(now, EXPIRY_BATCH):
            if self._expire(order_id, now):
                expired += 1
        return expired

    def reservation_removed(self, order_id: str) -> None:
        """DynamoDB's TTL deleted a reservation: release it if the order still holds it."""
        self._expire(order_id, self._clock())

    def _expire(self, order_id: str, now: datetime) -> bool:
        try:
            order, changed = self._apply(order_id, lambda o, _: lifecycle.expired(o, at=now))
        except UnknownOrder:
            log.warning("reservation of unknown order %s", order_id)
            return False
        if changed:
            self._cancel_intent(order)
        return changed

    # -- staff ---------------------------------------------------------------------------

    def cancel(self, command: CancelOrder, *, actor: str) -> Order:
        """Cancel an unpaid order: stock back, intent cancelled (best effort)."""
        at, reason = self._clock(), command.reason
        order = self._staff(
            command.order_id,
            lambda o, _: lifecycle.cancel(o, at=at, actor=actor, reason=reason),
        )
        self._cancel_intent(order)
        return order

    def fulfill(self, command: FulfillOrder, *, actor: str) -> Order:
        """Mark a paid order shipped, with its tracking."""
        at, tracking = self._clock(), command.tracking
        return self._staff(
            command.order_id,
            lambda o, _: lifecycle.fulfill(o, at=at, actor=actor, tracking=tracking),
        )

    def refund(self, command: RefundOrder, *, actor: str) -> Order:
        """Ask Stripe for a refund; settled at once when Stripe answers it succeeded.

        A refund Stripe leaves ``pending`` stays pending on the order until the
        ``charge.refunded`` event, or the reconciliation job, settles it.
        """
        at, amount, reason = self._clock(), command.amount, command.reason
        requested: list[int] = []

        def decide(order: Order, _: bool) -> Plan:
            plan, request = lifecycle.request_refund(
                order, at=at, actor=actor, amount=amount, reason=reason
            )
            requested[:] = [request.seq]
            return plan

        order = self._staff(command.order_id, decide)
        (seq,) = requested
        request = next(r for r in order.refunds if r.seq == seq)
        assert order.payment_intent_id is not None
        try:
            refund = self._gateway.refund(
                payment_intent_id=order.payment_intent_id,
                amount=request.amount,
                idempotency_key=f"refund-{order.id}-{seq}",
            )
        except PaymentUnavailable as exc:
            log.warning("refund of order %s not sent: %s", order.id, exc)
            self._apply(order.id, lambda o, _: lifecycle.refund_failed(o, seq, self._clock()))
            raise Rejected(
                [
                    Problem(
                        Code.PAYMENT_UNAVAILABLE,
                        "The payment provider is unavailable; nothing was refunded, retry later",
                    )
                ]
            ) from None
        if refund.status == "succeeded":
            settled_at = self._clock()
            return self._apply(
                order.id, lambda o, _: lifecycle.refund_settled(o, seq, refund.id, at=settled_at)
            )[0]
        return self._apply(order.id, lambda o, _: lifecycle.refund_sent(o, seq, refund.id))[0]

    # -- helpers -------------------------------------------------------------------------

    def _staff(self, order_id: str, decide: Decide) -> Order:
        try:
            return self._apply(order_id, decide)[0]
        except UnknownOrder:
            raise Rejected([Problem(Code.ORDER_NOT_FOUND, "Order not found", ("id",))]) from None
        except OrderConflict:
            raise Rejected(
                [Problem(Code.CONCURRENT_UPDATE, "The order is changing; read it and retry")]
            ) from None

    def _event(self, order_id: str, decide: Decide) -> None:
        self._apply(order_id, decide)

    def _apply(
        self, order_id: str, decide: Decide, *, known: store.OrderRecord | None = None
    ) -> tuple[Order, bool]:
        """Decide on the order as stored and commit the plan; (order now, whether changed).

        ``decide`` gets False for its second argument after taking stock failed, and
        decides again without it (a payment after release whose units are gone).
        """
        for attempt in range(MAX_ATTEMPTS):
            record = known or (store.get_order_record(order_id) if is_id(order_id) else None)
            known = None
            if record is None:
                raise UnknownOrder(order_id)
            stock_available = True
            while True:
                plan = decide(record.order, stock_available)
                if plan is None:
                    return record.order, False
                try:
                    self._commit(record, plan)
                except store.OrderChanged:
                    break
                except ConditionsFailed as failed:
                    short = any(self._inventory.short_variant(label) for label in failed.labels)
                    retry_here = plan.take_stock and short and CONFLICT not in failed.labels
                    if retry_here and store.ORDER_LABEL not in failed.labels:
                        stock_available = False
                        continue
                    break
                return plan.order, True
            self._pause(_PAUSE_SECONDS * (attempt + 1) * (1 + secrets.randbelow(100) / 100))
        raise OrderConflict(order_id)

    def _commit(self, record: store.OrderRecord, plan: Plan) -> None:
        writes = WriteSet()
        if self._promotions is not None and _gives_codes_back(record.order, plan.order):
            # In the same transaction as the move to CANCELLED/EXPIRED, which happens
            # once (the order's version guards it): a use is never given back twice.
            self._promotions.add_releases(writes, plan.order.id, plan.order.discount_codes)
        elif self._promotions is not None and _takes_codes_again(record.order, plan.order):
            # Paid after it ended unpaid: the uses given back then are counted again.
            self._promotions.add_retakes(
                writes, plan.order.id, plan.order.customer_id, plan.order.discount_codes
            )
        if plan.order.email and _just_paid(record.order, plan.order):
            # The receipt goes out through the outbox, in the transaction that marks the
            # order paid (which happens once, under its version): never lost, never twice.
            confirmation = _confirmation(plan.order, plan.order.email, self._clock())
            add_to_outbox(writes, confirmation, label="confirmation")
        customer_id = plan.order.customer_id
        if customer_id and self._purchases is not None and _just_paid(record.order, plan.order):
            self._purchases.add_paid_order(writes, customer_id, plan.order.updated_at)
        if not (plan.take_stock or plan.return_stock or plan.drop_reservation or writes):
            store.replace_order(record, plan.order)
            return
        store.add_order_change(writes, record, plan.order)
        if plan.take_stock:
            self._inventory.take(
                writes, plan.order.stock_quantities, order_id=plan.order.id, kind=RETAKE
            )
        if plan.return_stock:
            self._inventory.put_back(writes, plan.order.stock_quantities, order_id=plan.order.id)
        if plan.drop_reservation:
            store.add_reservation_removal(writes, plan.order.id)
        writes.commit()

    def _cancel_intent(self, order: Order) -> None:
        if order.payment_intent_id is None:
            return
        try:
            self._gateway.cancel_intent(order.payment_intent_id)
        except PaymentUnavailable as exc:
            # Stripe cancels abandoned intents itself; a late payment is handled anyway.
            log.warning("intent of order %s not cancelled: %s", order.id, exc)


_ENDED_UNPAID = frozenset({OrderStatus.CANCELLED, OrderStatus.EXPIRED})


def _gives_codes_back(old: Order, new: Order) -> bool:
    """The order just ended unpaid (cancelled, its payment cancelled, or expired)."""
    return bool(new.discount_codes) and (
        new.status in _ENDED_UNPAID and old.status not in _ENDED_UNPAID
    )


def _takes_codes_again(old: Order, new: Order) -> bool:
    """The order is paid after it had ended unpaid (its code uses were given back)."""
    return bool(new.discount_codes) and old.status in _ENDED_UNPAID and new.is_paid


def _just_paid(old: Order, new: Order) -> bool:
    """Money for the order has just been received (or it was settled with nothing to pay)."""
    return new.is_paid and not old.is_paid


def _confirmation(order: Order, email: str, now: datetime) -> Notification:
    """The order confirmation e-mail: a transactional message, sent whatever the consent."""
    total = order.paid_amount or order.total
    return Notification.new(
        Channel.EMAIL,
        TemplateName.ORDER_CONFIRMATION,
        email,
        {
            "order_number": f"#{order.number}",
            "total": f"{total.to_decimal()} {total.currency.value}",
        },
        now,
    )
