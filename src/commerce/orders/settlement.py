"""Digital goods follow the payment: released when paid, ended by a full refund.

Wraps the orders service's ``OrderPayments`` for the webhook endpoint and checkout's
free orders: the orders service itself stays unaware of downloads, and the downloads
context never imports orders (orders read download links, so the arrow points one
way). The order is changed first; its downloads follow from the state it is in
afterwards, so a replayed or out-of-order event (a success after
a refund) leaves the same links as the in-order sequence. A failure while granting
answers the webhook 500 and Stripe's retry grants again (grants are idempotent).
"""

from __future__ import annotations

from commerce.downloads.service import DownloadsService
from commerce.money import Money
from commerce.orders.commands import RefundOrder
from commerce.orders.model import Order, OrderStatus
from commerce.orders.service import OrdersService


class ReleaseDownloads:
    """``OrderPayments`` over the orders service, plus the order's download links."""

    def __init__(self, orders: OrdersService, downloads: DownloadsService) -> None:
        self._orders = orders
        self._downloads = downloads

    def payment_succeeded(
        self, *, order_id: str, intent_id: str, amount: Money, payment_method: str | None = None
    ) -> None:
        """The order is paid, then its digital lines get their links."""
        self._orders.payment_succeeded(
            order_id=order_id, intent_id=intent_id, amount=amount, payment_method=payment_method
        )
        self._follow(order_id)

    def settle_free(self, order_id: str) -> Order:
        """A zero-total order is paid by checkout itself; its links follow as for a payment."""
        order = self._orders.settle_free(order_id)
        self._follow(order_id)
        return order

    def payment_failed(self, *, order_id: str, intent_id: str, reason: str) -> None:
        """Nothing to release: the order still waits for payment."""
        self._orders.payment_failed(order_id=order_id, intent_id=intent_id, reason=reason)

    def payment_canceled(self, *, order_id: str, intent_id: str) -> None:
        """An unpaid order ends; it never had links."""
        self._orders.payment_canceled(order_id=order_id, intent_id=intent_id)

    def refunded(self, *, order_id: str, intent_id: str, amount_refunded: Money) -> None:
        """A full refund ends the links; a partial one leaves them."""
        self._orders.refunded(
            order_id=order_id, intent_id=intent_id, amount_refunded=amount_refunded
        )
        self._follow(order_id)

    def dispute_opened(
        self, *, order_id: str, intent_id: str, dispute_id: str, amount: Money
    ) -> None:
        """A dispute is recorded on the order; its links stay (the store may win it)."""
        self._orders.dispute_opened(
            order_id=order_id, intent_id=intent_id, dispute_id=dispute_id, amount=amount
        )

    def dispute_closed(
        self, *, order_id: str, intent_id: str, dispute_id: str, amount: Money, won: bool
    ) -> None:
        """The dispute's outcome is recorded; the links stay as they were."""
        self._orders.dispute_closed(
            order_id=order_id, intent_id=intent_id, dispute_id=dispute_id, amount=amount, won=won
        )

    def refund(self, command: RefundOrder, *, actor: str) -> Order:
        """Staff's refund; a full one settled at once ends the links, as the event would."""
        order = self._orders.refund(command, actor=actor)
        self._follow(order.id)
        return self._orders.order(order.id) or order

    def _follow(self, order_id: str) -> None:
        order = self._orders.order(order_id)
        if order is None:
            return
        if order.status is OrderStatus.REFUNDED:
            self._downloads.end_downloads(order_id)
        elif order.is_paid:
            self._downloads.grant_for_order(order_id, order.lines)
