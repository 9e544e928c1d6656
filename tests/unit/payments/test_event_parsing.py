"""Stripe event payloads read into what the order context needs (pure)."""

from __future__ import annotations

import pytest

from commerce.money import Currency, Money
from commerce.payments.events import (
    IgnoredEvent,
    MalformedEvent,
    PaymentEvent,
    PaymentEventKind,
    parse_event,
)


def _event(event_type: str, obj: dict[str, object]) -> dict[str, object]:
    return {"id": "evt_1", "type": event_type, "data": {"object": obj}}


def test_a_success_carries_the_amount_received_and_the_order() -> None:
    obj = {
        "id": "pi_1",
        "amount": 2000,
        "amount_received": 1500,
        "currency": "eur",
        "metadata": {"order_id": "o-1"},
    }

    event = parse_event(_event("payment_intent.succeeded", obj))

    assert event == PaymentEvent(
        "evt_1", PaymentEventKind.SUCCEEDED, "pi_1", "o-1", amount=Money(1500, Currency.EUR)
    )


def test_without_amount_received_the_intent_amount_is_taken() -> None:
    obj = {"id": "pi_1", "amount": 999, "currency": "jpy", "metadata": {"order_id": "o"}}

    event = parse_event(_event("payment_intent.succeeded", obj))

    assert isinstance(event, PaymentEvent)
    assert event.amount == Money(999, Currency.JPY)


def test_a_failure_without_an_error_message_gets_a_plain_reason() -> None:
    obj = {"id": "pi_1", "metadata": {"order_id": "o"}, "last_payment_error": None}

    event = parse_event(_event("payment_intent.payment_failed", obj))

    assert isinstance(event, PaymentEvent)
    assert event.reason == "the payment failed"


def test_a_refunded_charge_without_metadata_leaves_the_order_to_be_looked_up() -> None:
    obj = {"id": "ch_1", "payment_intent": "pi_1", "amount_refunded": 300, "currency": "usd"}

    event = parse_event(_event("charge.refunded", obj))

    assert event == PaymentEvent(
        "evt_1", PaymentEventKind.REFUNDED, "pi_1", None, amount=Money(300, Currency.USD)
    )


def test_other_event_types_are_ignored_whatever_their_object() -> None:
    assert parse_event(_event("invoice.paid", {})) == IgnoredEvent("evt_1", "invoice.paid")


@pytest.mark.parametrize(
    "payload",
    [
        "not an object",
        {"type": "payment_intent.succeeded"},
        {"id": "evt_1", "type": "payment_intent.canceled", "data": {}},
        _event("payment_intent.canceled", {"id": "pi_1", "metadata": "o-1"}),
        _event("payment_intent.canceled", {"id": "pi_1", "metadata": {"order_id": 7}}),
        _event("charge.refunded", {"payment_intent": "pi", "amount_refunded": True}),
    ],
)
def test_payloads_missing_what_their_type_needs_are_malformed(payload: object) -> None:
    with pytest.raises(MalformedEvent):
        parse_event(payload)


def _dispute(outcome: str, **changes: object) -> dict[str, object]:
    obj: dict[str, object] = {
        "id": "dp_1",
        "object": "dispute",
        "amount": 700,
        "currency": "usd",
        "charge": "ch_1",
        "payment_intent": "pi_1",
        "status": outcome,
        "metadata": {},
    }
    return {**obj, **changes}


@pytest.mark.parametrize(
    ("event_type", "status", "won"),
    [
        ("charge.dispute.created", "needs_response", False),
        ("charge.dispute.closed", "won", True),
        ("charge.dispute.closed", "warning_closed", True),
        ("charge.dispute.closed", "lost", False),
    ],
)
def test_a_dispute_names_its_intent_amount_and_outcome(
    event_type: str, status: str, won: bool
) -> None:
    event = parse_event(_event(event_type, _dispute(status)))

    assert event == PaymentEvent(
        "evt_1",
        PaymentEventKind(event_type),
        "pi_1",
        None,
        amount=Money(700, Currency.USD),
        dispute_id="dp_1",
        dispute_won=won,
    )


@pytest.mark.parametrize(
    "changes",
    [{"payment_intent": None}, {"amount": -1}, {"amount": "7.00"}, {"id": ""}, {"status": 3}],
)
def test_a_dispute_without_what_it_needs_is_malformed(changes: dict[str, object]) -> None:
    with pytest.raises(MalformedEvent):
        parse_event(_event("charge.dispute.created", _dispute("needs_response", **changes)))
