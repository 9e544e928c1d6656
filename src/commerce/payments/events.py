"""Stripe events as the order context needs them: pure parsing of a verified payload.

Six event types change an order (payments, refunds and disputes); every other type is
acknowledged and ignored.
A payload that is valid JSON but lacks what its type needs is ``MalformedEvent``:
Stripe never sends one, so it is answered 400 rather than retried.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from commerce.money import Currency, Money


class PaymentEventKind(enum.Enum):
    """The event types that change an order, by Stripe's names."""

    SUCCEEDED = "payment_intent.succeeded"
    FAILED = "payment_intent.payment_failed"
    CANCELED = "payment_intent.canceled"
    REFUNDED = "charge.refunded"
    DISPUTE_CREATED = "charge.dispute.created"
    DISPUTE_CLOSED = "charge.dispute.closed"


# Stripe's closed dispute statuses in which the store keeps the money: won, or an
# inquiry (``warning_*``) closed without a chargeback.
KEPT_DISPUTE_STATUSES = frozenset({"won", "warning_closed"})


@dataclass(frozen=True, slots=True)
class PaymentEvent:
    """One event that changes an order.

    ``order_id`` is None only for a refund whose charge carries no ``order_id`` in its
    metadata; the service then asks Stripe for the intent's metadata.
    """

    id: str
    kind: PaymentEventKind
    intent_id: str
    order_id: str | None
    # SUCCEEDED: the amount received; REFUNDED: amount refunded so far (cumulative).
    amount: Money | None = None
    # FAILED: why, as Stripe's last payment error says it.
    reason: str = ""
    # SUCCEEDED: the wallet ("apple_pay") or card brand ("visa") of the charge, else the
    # payment method type ("sepa_debit"); None when the event does not carry the charge.
    payment_method: str | None = None
    # DISPUTE_*: the dispute (``dp_...``); DISPUTE_CLOSED: whether the store kept the money.
    dispute_id: str | None = None
    dispute_won: bool = False


@dataclass(frozen=True, slots=True)
class IgnoredEvent:
    """A well-formed event of a type that changes no order."""

    id: str
    type: str


class MalformedEvent(ValueError):
    """The payload is not a Stripe event of the type it claims."""


def parse_event(payload: Any) -> PaymentEvent | IgnoredEvent:
    """The event in a decoded (and already verified) webhook payload."""
    if not isinstance(payload, dict):
        raise MalformedEvent("the body is not a JSON object")
    event_id = _text(payload, "id")
    event_type = _text(payload, "type")
    data = payload.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    try:
        kind = PaymentEventKind(event_type)
    except ValueError:
        return IgnoredEvent(event_id, event_type)
    if not isinstance(obj, dict):
        raise MalformedEvent("data.object is missing")
    if kind is PaymentEventKind.REFUNDED:
        return PaymentEvent(
            id=event_id,
            kind=kind,
            intent_id=_text(obj, "payment_intent"),
            order_id=_order_id(obj),
            amount=_money(obj, "amount_refunded"),
        )
    if kind in {PaymentEventKind.DISPUTE_CREATED, PaymentEventKind.DISPUTE_CLOSED}:
        # A dispute's metadata is its own (empty): the service asks Stripe for the intent's.
        return PaymentEvent(
            id=event_id,
            kind=kind,
            intent_id=_text(obj, "payment_intent"),
            order_id=_order_id(obj),
            amount=_money(obj, "amount"),
            dispute_id=_text(obj, "id"),
            dispute_won=_text(obj, "status") in KEPT_DISPUTE_STATUSES,
        )
    order_id = _order_id(obj)
    if order_id is None:
        raise MalformedEvent("the payment intent has no metadata.order_id")
    intent_id = _text(obj, "id")
    if kind is PaymentEventKind.SUCCEEDED:
        # amount_received is what was paid; older fakes only send amount.
        field = "amount_received" if "amount_received" in obj else "amount"
        return PaymentEvent(
            event_id,
            kind,
            intent_id,
            order_id,
            amount=_money(obj, field),
            payment_method=payment_method_of(obj),
        )
    if kind is PaymentEventKind.FAILED:
        return PaymentEvent(event_id, kind, intent_id, order_id, reason=_failure_reason(obj))
    return PaymentEvent(event_id, kind, intent_id, order_id)


def _text(obj: dict[str, Any], name: str) -> str:
    value = obj.get(name)
    if not isinstance(value, str) or not value:
        raise MalformedEvent(f"{name} is missing or not a string")
    return value


def _order_id(obj: dict[str, Any]) -> str | None:
    metadata = obj.get("metadata")
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        raise MalformedEvent("metadata is not an object")
    value = metadata.get("order_id")
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MalformedEvent("metadata.order_id is not a string")
    return value


def _money(obj: dict[str, Any], field: str) -> Money:
    amount = obj.get(field)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise MalformedEvent(f"{field} is not a whole number of minor units")
    try:
        currency = Currency(_text(obj, "currency").upper())
    except ValueError:
        raise MalformedEvent("currency is not one the store sells in") from None
    return Money(amount, currency)


def _charge(intent: dict[str, Any]) -> dict[str, Any] | None:
    latest = intent.get("latest_charge")
    if isinstance(latest, dict):
        return latest
    charges = intent.get("charges")
    data = charges.get("data") if isinstance(charges, dict) else None
    if isinstance(data, list) and data and isinstance(data[-1], dict):
        return data[-1]
    return None


def _label(value: object) -> str | None:
    if isinstance(value, str) and value and len(value) <= 40:
        cleaned = value.strip().lower()
        if cleaned.replace("_", "").isalnum():
            return cleaned
    return None


def payment_method_of(intent: dict[str, Any]) -> str | None:
    """How a PaymentIntent was paid, from its charge's ``payment_method_details``: the
    card's wallet (``apple_pay``, ``google_pay``, ``link``), else its brand (``visa``,
    ``amex``), else the method type (``sepa_debit``, ``ideal``). Only Stripe's short
    names are kept: never a card's digits or its holder."""
    charge = _charge(intent)
    details = charge.get("payment_method_details") if charge else None
    if not isinstance(details, dict):
        return None
    kind = _label(details.get("type"))
    card = details.get("card")
    if kind == "card" and isinstance(card, dict):
        wallet = card.get("wallet")
        if isinstance(wallet, dict) and _label(wallet.get("type")):
            return _label(wallet.get("type"))
        return _label(card.get("brand")) or kind
    return kind


def _failure_reason(obj: dict[str, Any]) -> str:
    error = obj.get("last_payment_error")
    if isinstance(error, dict):
        for name in ("message", "decline_code", "code"):
            value = error.get(name)
            if isinstance(value, str) and value:
                return value[:300]
    return "the payment failed"
