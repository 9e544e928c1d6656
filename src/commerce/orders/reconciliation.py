"""Payments and refunds whose webhook never came, settled by asking Stripe.

The order follows Stripe's events, but an event can be lost for good (an endpoint down
for longer than Stripe retries, a webhook secret rotated by mistake), and a
Stripe-compatible local server never sends ``charge.refunded`` at all. This job reads
the orders that still wait for Stripe (unpaid with a payment intent; paid with a refund
pending), asks Stripe for each intent as it is now, and applies what it says through the
same ``OrderPayments`` the webhook uses: a change already applied changes nothing, so the
job and a late event never count anything twice.

Orders are found by status on the status index, created within ``LOOKBACK`` (one Query
per status and page, no Scan); a refund still pending on an older order is left to the
webhook and to staff.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from commerce.orders.model import Order, OrderFilter, OrderStatus
from commerce.orders.service import OrdersService
from commerce.orders.settlement import ReleaseDownloads
from commerce.payments.ports import IntentStatus, PaymentGateway, PaymentUnavailable

log = logging.getLogger("commerce.orders.reconciliation")

NAME = "reconcile-payments"
LOOKBACK = timedelta(days=30)
PAGE = 100
_REFUNDABLE = (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.PARTIALLY_REFUNDED)


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    """What one run found waiting and settled."""

    checked: int
    paid: int
    cancelled: int
    refunded: int
    unavailable: int


class PaymentReconciliation:
    """Applies Stripe's current state to the orders still waiting for an event."""

    def __init__(
        self, orders: OrdersService, settlement: ReleaseDownloads, gateway: PaymentGateway
    ) -> None:
        self._orders = orders
        self._settlement = settlement
        self._gateway = gateway

    def run(self, now: datetime) -> ReconciliationReport:
        """Check every waiting order created within ``LOOKBACK`` of ``now``."""
        checked = paid = cancelled = refunded = unavailable = 0
        for order in self._waiting(now):
            assert order.payment_intent_id is not None
            checked += 1
            try:
                intent = self._gateway.retrieve_intent(order.payment_intent_id)
            except PaymentUnavailable as exc:
                log.warning("order %s not reconciled: %s", order.id, exc)
                unavailable += 1
                continue
            if order.status is OrderStatus.AWAITING_PAYMENT:
                if intent.status is IntentStatus.SUCCEEDED:
                    self._settlement.payment_succeeded(
                        order_id=order.id, intent_id=intent.id, amount=intent.amount
                    )
                    paid += 1
                elif intent.status is IntentStatus.CANCELED:
                    self._settlement.payment_canceled(order_id=order.id, intent_id=intent.id)
                    cancelled += 1
                continue
            stripe_refunded = intent.amount_refunded
            if stripe_refunded is not None and stripe_refunded.amount > order.refunded.amount:
                self._settlement.refunded(
                    order_id=order.id, intent_id=intent.id, amount_refunded=stripe_refunded
                )
                refunded += 1
        return ReconciliationReport(checked, paid, cancelled, refunded, unavailable)

    def _waiting(self, now: datetime) -> Iterator[Order]:
        since = now - LOOKBACK
        for status in (OrderStatus.AWAITING_PAYMENT, *_REFUNDABLE):
            for order in self._orders_with(OrderFilter(status=status, created_from=since)):
                if order.payment_intent_id is None:
                    continue
                if status is OrderStatus.AWAITING_PAYMENT or order.refund_pending.amount > 0:
                    yield order

    def _orders_with(self, where: OrderFilter) -> Iterator[Order]:
        after: str | None = None
        while True:
            page = self._orders.orders(where, PAGE, after)
            yield from page.orders
            if not page.has_next_page or not page.orders:
                return
            after = page.cursors[page.orders[-1].id]
