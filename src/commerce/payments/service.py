"""Stripe webhooks: verify, deduplicate, and tell the order context what happened.

Order of work for one delivery: check the signature (and its age) → parse → skip an
event already applied → apply it through ``OrderPayments`` → record it as applied.
The record comes last so that a failure leaves nothing behind and Stripe's retry
applies the event again; two deliveries racing past the check both apply it, which
is safe because every ``OrderPayments`` method is idempotent and order-independent.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from commerce.money import Money
from commerce.payments import store
from commerce.payments.events import (
    IgnoredEvent,
    MalformedEvent,
    PaymentEvent,
    PaymentEventKind,
    parse_event,
)
from commerce.payments.ports import OrderPayments, PaymentGateway, UnknownOrder

log = logging.getLogger("commerce.payments")


class WebhookOutcome(enum.Enum):
    """What a verified delivery did; every outcome is acknowledged with 200."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    UNKNOWN_ORDER = "unknown_order"


class WebhookErrorCode(enum.Enum):
    """Why a delivery was refused (400): nothing was changed."""

    MISSING_SIGNATURE = "MISSING_SIGNATURE"
    BAD_SIGNATURE = "BAD_SIGNATURE"
    STALE_SIGNATURE = "STALE_SIGNATURE"
    MALFORMED_PAYLOAD = "MALFORMED_PAYLOAD"


class WebhookRejected(Exception):
    """The delivery is not a genuine, well-formed Stripe event."""

    def __init__(self, code: WebhookErrorCode, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code.value}: {message}")


class WebhookNotConfigured(RuntimeError):
    """No webhook secret: no delivery can be verified (answered 500, so Stripe retries)."""


class StripeWebhooks:
    """Applies signed Stripe events to orders, each event at most once."""

    def __init__(
        self,
        orders: OrderPayments,
        gateway: PaymentGateway,
        *,
        secret: str,
        tolerance_seconds: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._orders = orders
        self._gateway = gateway
        self._secret = secret
        self._tolerance = tolerance_seconds
        self._clock = clock

    def receive(self, payload: bytes, signature: str | None) -> WebhookOutcome:
        """Verify and apply one delivery; ``WebhookRejected`` when it must not be trusted."""
        now = self._clock()
        self._verify(payload, signature, now)
        try:
            decoded = json.loads(payload)
        except ValueError:
            raise WebhookRejected(
                WebhookErrorCode.MALFORMED_PAYLOAD, "the body is not JSON"
            ) from None
        try:
            event = parse_event(decoded)
        except MalformedEvent as exc:
            raise WebhookRejected(WebhookErrorCode.MALFORMED_PAYLOAD, str(exc)) from None
        if isinstance(event, IgnoredEvent):
            log.info("stripe event %s (%s) ignored", event.id, event.type)
            return WebhookOutcome.IGNORED
        if store.event_applied(event.id, now):
            log.info("stripe event %s (%s) already applied", event.id, event.kind.value)
            return WebhookOutcome.DUPLICATE
        outcome = self._apply(event)
        store.mark_event_applied(event.id, event.kind.value, now)
        return outcome

    def _verify(self, payload: bytes, signature: str | None, now: datetime) -> None:
        if not self._secret:
            raise WebhookNotConfigured("COMMERCE_STRIPE_WEBHOOK_SECRET is not set")
        if not signature:
            raise WebhookRejected(
                WebhookErrorCode.MISSING_SIGNATURE, "the Stripe-Signature header is missing"
            )
        import stripe

        try:
            # No tolerance here: the age is checked below against our own clock.
            stripe.WebhookSignature.verify_header(payload, signature, self._secret)
        except (stripe.SignatureVerificationError, UnicodeDecodeError):
            raise WebhookRejected(
                WebhookErrorCode.BAD_SIGNATURE, "the signature does not match the body"
            ) from None
        signed_at = _timestamp(signature)
        if abs(now.timestamp() - signed_at) > self._tolerance:
            # Stripe signs every attempt anew: an old signature is a replay.
            raise WebhookRejected(
                WebhookErrorCode.STALE_SIGNATURE,
                f"the signature is more than {self._tolerance} s away from now",
            )

    def _apply(self, event: PaymentEvent) -> WebhookOutcome:
        order_id = event.order_id
        if order_id is None:
            # A charge without our metadata: the intent it belongs to carries the order.
            order_id = self._gateway.retrieve_intent(event.intent_id).order_id
        if order_id is None:
            log.warning(
                "stripe event %s (%s): intent %s names no order; acknowledged",
                event.id,
                event.kind.value,
                event.intent_id,
            )
            return WebhookOutcome.UNKNOWN_ORDER
        try:
            self._dispatch(event, order_id)
        except UnknownOrder:
            # Acknowledged, or Stripe would retry for days an event no retry can fix.
            log.warning(
                "stripe event %s (%s) for unknown order %s; acknowledged",
                event.id,
                event.kind.value,
                order_id,
            )
            return WebhookOutcome.UNKNOWN_ORDER
        log.info("stripe event %s (%s) applied to order %s", event.id, event.kind.value, order_id)
        return WebhookOutcome.APPLIED

    def _dispatch(self, event: PaymentEvent, order_id: str) -> None:
        intent_id = event.intent_id
        if event.kind is PaymentEventKind.SUCCEEDED:
            self._orders.payment_succeeded(
                order_id=order_id,
                intent_id=intent_id,
                amount=_amount(event),
                payment_method=event.payment_method,
            )
        elif event.kind is PaymentEventKind.FAILED:
            self._orders.payment_failed(order_id=order_id, intent_id=intent_id, reason=event.reason)
        elif event.kind is PaymentEventKind.CANCELED:
            self._orders.payment_canceled(order_id=order_id, intent_id=intent_id)
        elif event.kind is PaymentEventKind.REFUNDED:
            self._orders.refunded(
                order_id=order_id, intent_id=intent_id, amount_refunded=_amount(event)
            )
        elif event.kind is PaymentEventKind.DISPUTE_CREATED:
            self._orders.dispute_opened(
                order_id=order_id,
                intent_id=intent_id,
                dispute_id=_dispute_id(event),
                amount=_amount(event),
            )
        else:
            self._orders.dispute_closed(
                order_id=order_id,
                intent_id=intent_id,
                dispute_id=_dispute_id(event),
                amount=_amount(event),
                won=event.dispute_won,
            )


def _amount(event: PaymentEvent) -> Money:
    if event.amount is None:  # parse_event always sets it for these kinds
        raise MalformedEvent(f"{event.kind.value} without an amount")
    return event.amount


def _dispute_id(event: PaymentEvent) -> str:
    if event.dispute_id is None:  # parse_event always sets it for disputes
        raise MalformedEvent(f"{event.kind.value} without a dispute id")
    return event.dispute_id


def _timestamp(header: str) -> int:
    """The ``t=`` of a Stripe-Signature header (verify_header has checked it is there)."""
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isascii() and value.isdigit():
            return int(value)
    raise WebhookRejected(WebhookErrorCode.BAD_SIGNATURE, "the signature has no timestamp")
