"""The Stripe gateway against localstripe, a Stripe-compatible server run by a fixture."""

from __future__ import annotations

import socket
import uuid

import pytest
import stripe

from commerce.money import Currency, Money
from commerce.payments.local import LOCAL_SECRET_KEY, LocalStripe
from commerce.payments.ports import IntentStatus, PaymentUnavailable
from commerce.payments.stripe_gateway import StripeGateway, build_gateway
from commerce.settings import Secret, Settings


@pytest.fixture
def gateway(stripe_server: LocalStripe) -> StripeGateway:
    return build_gateway(
        Settings(stripe_secret_key=Secret(LOCAL_SECRET_KEY), stripe_api_base=stripe_server.endpoint)
    )


@pytest.fixture
def shopper(stripe_server: LocalStripe) -> stripe.StripeClient:
    """What Stripe.js does in the browser: attach a card and confirm."""
    return stripe.StripeClient(
        LOCAL_SECRET_KEY, base_addresses={"api": stripe_server.endpoint}, max_network_retries=0
    )


def _key() -> str:
    return uuid.uuid4().hex


def test_an_intent_is_created_for_the_exact_amount_with_the_order_in_its_metadata(
    gateway: StripeGateway, shopper: stripe.StripeClient
) -> None:
    intent = gateway.create_intent(
        order_id="order-1", amount=Money(1999, Currency.EUR), idempotency_key=_key(), email=None
    )

    assert intent.amount == Money(1999, Currency.EUR)
    assert intent.status is IntentStatus.REQUIRES_PAYMENT_METHOD
    assert intent.client_secret.startswith(f"{intent.id}_secret_")
    stored = shopper.v1.payment_intents.retrieve(intent.id)
    assert stored.amount == 1999
    assert stored.currency == "eur"
    assert stored.metadata["order_id"] == "order-1"


def test_a_retrieved_intent_shows_its_current_status(
    gateway: StripeGateway, shopper: stripe.StripeClient
) -> None:
    intent = gateway.create_intent(
        order_id="o", amount=Money(500, Currency.USD), idempotency_key=_key(), email=None
    )
    shopper.v1.payment_intents.update(intent.id, params={"payment_method": "pm_card_visa"})
    shopper.v1.payment_intents.confirm(intent.id)

    again = gateway.retrieve_intent(intent.id)

    assert again.status is IntentStatus.SUCCEEDED
    assert again.client_secret == intent.client_secret


def test_a_cancelled_intent_is_cancelled_and_cancelling_again_changes_nothing(
    gateway: StripeGateway,
) -> None:
    intent = gateway.create_intent(
        order_id="o", amount=Money(500, Currency.USD), idempotency_key=_key(), email=None
    )

    gateway.cancel_intent(intent.id)
    gateway.cancel_intent(intent.id)

    assert gateway.retrieve_intent(intent.id).status is IntentStatus.CANCELED


def test_a_paid_intent_is_refunded_in_part(
    gateway: StripeGateway, shopper: stripe.StripeClient
) -> None:
    intent = gateway.create_intent(
        order_id="o", amount=Money(2500, Currency.GBP), idempotency_key=_key(), email=None
    )
    shopper.v1.payment_intents.update(intent.id, params={"payment_method": "pm_card_visa"})
    shopper.v1.payment_intents.confirm(intent.id)

    refund = gateway.refund(
        payment_intent_id=intent.id, amount=Money(1000, Currency.GBP), idempotency_key=_key()
    )

    assert refund.amount == Money(1000, Currency.GBP)
    assert refund.payment_intent_id == intent.id
    assert refund.status == "succeeded"
    assert refund.id.startswith("re_")


def test_a_declined_card_leaves_the_intent_waiting_for_another_payment_method(
    gateway: StripeGateway, shopper: stripe.StripeClient
) -> None:
    intent = gateway.create_intent(
        order_id="o", amount=Money(700, Currency.USD), idempotency_key=_key(), email=None
    )
    shopper.v1.payment_intents.update(
        intent.id, params={"payment_method": "pm_card_chargeCustomerFail"}
    )

    with pytest.raises(stripe.CardError):
        shopper.v1.payment_intents.confirm(intent.id)

    assert gateway.retrieve_intent(intent.id).status is IntentStatus.REQUIRES_PAYMENT_METHOD


def test_refunding_an_unpaid_intent_is_refused_as_unavailable(gateway: StripeGateway) -> None:
    intent = gateway.create_intent(
        order_id="o", amount=Money(700, Currency.USD), idempotency_key=_key(), email=None
    )
    with pytest.raises(PaymentUnavailable):
        gateway.refund(
            payment_intent_id=intent.id, amount=Money(700, Currency.USD), idempotency_key=_key()
        )


def test_an_unknown_intent_is_reported_without_the_key(gateway: StripeGateway) -> None:
    with pytest.raises(PaymentUnavailable) as caught:
        gateway.retrieve_intent("pi_doesnotexist")

    assert "404" in str(caught.value)
    assert LOCAL_SECRET_KEY not in str(caught.value)


def test_a_stripe_that_does_not_answer_is_unavailable_and_the_key_stays_secret() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    secret = "sk_test_very_secret_value"
    gateway = build_gateway(
        Settings(
            stripe_secret_key=Secret(secret), stripe_api_base=f"http://127.0.0.1:{closed_port}"
        )
    )

    with pytest.raises(PaymentUnavailable) as caught:
        gateway.create_intent(
            order_id="o", amount=Money(100, Currency.USD), idempotency_key=_key(), email=None
        )

    assert "APIConnectionError" in str(caught.value)
    assert secret not in str(caught.value)
    assert secret not in repr(gateway)


def test_without_a_secret_key_payments_are_unavailable() -> None:
    gateway = build_gateway(Settings())

    with pytest.raises(PaymentUnavailable, match="no Stripe secret key"):
        gateway.retrieve_intent("pi_x")
