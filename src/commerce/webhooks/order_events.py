"""Which webhook event an order's change is, and what its payload says.

Pure. The payload carries the order's number, state, amounts and lines, never the
customer's email, phone, address or id: it goes to partners too (for the orders they
referred), and a staff receiver that needs the customer reads the order through the API.
"""

from __future__ import annotations

from typing import Any

from commerce.graphql.ids import to_global_id
from commerce.money import Money
from commerce.orders.model import Order, OrderStatus
from commerce.webhooks.model import EventType

_PAID = frozenset(
    {OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}
)
_REFUNDED = frozenset({OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED})


def order_event(order: Order, previous: OrderStatus | None) -> tuple[EventType, str] | None:
    """The event (type, id) of the change from ``previous`` to the order as it is now.

    Ids are derived from the change itself, so a replayed stream record publishes the
    same event again, which the outbox holds once: ``order.refunded`` is keyed by the
    total refunded so far, one event per refund.
    """
    status = order.status
    if status is OrderStatus.PAID and previous not in _PAID:
        return EventType.ORDER_PAID, f"order.paid:{order.id}"
    if status is OrderStatus.FULFILLED and previous is not OrderStatus.FULFILLED:
        return EventType.ORDER_FULFILLED, f"order.fulfilled:{order.id}"
    if status is OrderStatus.CANCELLED and previous is not OrderStatus.CANCELLED:
        return EventType.ORDER_CANCELLED, f"order.cancelled:{order.id}"
    if status in _REFUNDED and order.refunded.amount > 0:
        return EventType.ORDER_REFUNDED, f"order.refunded:{order.id}:{order.refunded.amount}"
    return None


def _money(money: Money | None) -> dict[str, str] | None:
    if money is None:
        return None
    return {"amount": str(money.to_decimal()), "currencyCode": money.currency.value}


def order_data(order: Order) -> dict[str, Any]:
    """The ``data`` of an order event, as the API's ids and money read."""
    return {
        "order": {
            "id": to_global_id("Order", order.id),
            "number": order.number,
            "status": order.status.value,
            "createdAt": order.created_at.isoformat(),
            "subtotal": _money(order.subtotal),
            "shipping": _money(order.shipping),
            "tax": _money(order.tax),
            "total": _money(order.total),
            "paidAmount": _money(order.paid_amount),
            "refundedAmount": _money(order.refunded_amount),
            "affiliateId": None
            if order.affiliate_id is None
            else to_global_id("Partner", order.affiliate_id),
            "lines": [
                {
                    "sku": line.sku,
                    "title": line.title,
                    "variantTitle": line.variant_title,
                    "quantity": line.quantity,
                    "total": _money(line.total),
                }
                for line in order.lines
            ],
        }
    }
