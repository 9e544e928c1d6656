"""What payments offers the order context, and what it needs from it.

Checkout asks a ``PaymentGateway`` for a PaymentIntent; the webhook endpoint tells
an ``OrderPayments`` what Stripe reported. Both sides depend on these protocols,
not on each other, so orders never import Stripe and payments never imports orders.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from commerce.money import Money


class IntentStatus(enum.Enum):
    """A PaymentIntent's status, as Stripe names it."""

    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_CONFIRMATION = "requires_confirmation"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    REQUIRES_CAPTURE = "requires_capture"
    CANCELED = "canceled"
    SUCCEEDED = "succeeded"


@dataclass(frozen=True, slots=True)
class PaymentIntent:
    """A PaymentIntent as the rest of the service needs it (never card data)."""

    id: str
    client_secret: str
    amount: Money
    status: IntentStatus
    # metadata.order_id as Stripe holds it (None when the intent has none).
    order_id: str | None = None
    # What its latest charge has refunded in all (None: not read, or no charge yet).
    amount_refunded: Money | None = None


@dataclass(frozen=True, slots=True)
class Refund:
    """A refund Stripe accepted."""

    id: str
    payment_intent_id: str
    amount: Money
    status: str


class PaymentUnavailable(Exception):
    """The payment provider could not be reached or refused the call; safe to retry.

    The message is fit for logs: it never holds a key or a client secret.
    """


class PaymentGateway(Protocol):
    """The payment provider, as checkout and refunds use it."""

    def create_intent(
        self, *, order_id: str, amount: Money, idempotency_key: str, email: str | None
    ) -> PaymentIntent:
        """A PaymentIntent for exactly ``amount``, with ``order_id`` in its metadata.

        Calling again with the same ``idempotency_key`` returns the same intent.
        """
        ...

    def retrieve_intent(self, intent_id: str) -> PaymentIntent:
        """The intent as Stripe has it now (a checkout replay returns its client secret)."""
        ...

    def cancel_intent(self, intent_id: str) -> None:
        """Cancel an intent that was not paid (an order cancelled or expired)."""
        ...

    def refund(self, *, payment_intent_id: str, amount: Money, idempotency_key: str) -> Refund:
        """Refund ``amount`` of a paid intent."""
        ...


class UnknownOrder(Exception):
    """An event names an order this store does not have: acknowledged and logged."""


class OrderPayments(Protocol):
    """What the order context does when Stripe reports on a payment.

    Every method is idempotent and accepts events in any order: a success after a
    cancellation, a failure after a success, a refund before the success are each
    applied so that the order ends in the state the latest facts imply.
    """

    def payment_succeeded(
        self, *, order_id: str, intent_id: str, amount: Money, payment_method: str | None = None
    ) -> None:
        """The intent was paid: the order is paid, stock committed, downloads released."""
        ...

    def payment_failed(self, *, order_id: str, intent_id: str, reason: str) -> None:
        """A payment attempt failed; the shopper may retry with another card."""
        ...

    def payment_canceled(self, *, order_id: str, intent_id: str) -> None:
        """The intent was cancelled: the order's stock is released."""
        ...

    def refunded(self, *, order_id: str, intent_id: str, amount_refunded: Money) -> None:
        """Stripe has refunded ``amount_refunded`` in all (cumulative) on this intent."""
        ...

    def dispute_opened(
        self, *, order_id: str, intent_id: str, dispute_id: str, amount: Money
    ) -> None:
        """The customer's bank disputed ``amount`` of the payment (``charge.dispute.created``)."""
        ...

    def dispute_closed(
        self, *, order_id: str, intent_id: str, dispute_id: str, amount: Money, won: bool
    ) -> None:
        """Stripe closed the dispute (``charge.dispute.closed``): won or lost."""
        ...
