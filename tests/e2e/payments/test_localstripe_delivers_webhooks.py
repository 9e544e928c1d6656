"""localstripe delivers its own signed events to our endpoint served by uvicorn."""

from __future__ import annotations

import contextlib
import dataclasses
import uuid

import stripe

from commerce.app import create_app
from commerce.composition import Services
from commerce.money import Currency, Money
from commerce.payments.local import LOCAL_SECRET_KEY, LocalStripe
from commerce.payments.service import StripeWebhooks
from stripe_events import RecordingOrders, served, wait_for


def _shopper(server: LocalStripe) -> stripe.StripeClient:
    return stripe.StripeClient(
        LOCAL_SECRET_KEY, base_addresses={"api": server.endpoint}, max_network_retries=0
    )


def test_a_confirmed_intent_reaches_the_endpoint_signed_and_is_applied(
    services: Services, stripe_server: LocalStripe
) -> None:
    order_id = f"order-{uuid.uuid4().hex[:8]}"
    orders = RecordingOrders(known={order_id})
    secret = services.settings.stripe_webhook_secret.value
    webhooks = StripeWebhooks(orders, services.gateway, secret=secret, tolerance_seconds=300)
    app = create_app(dataclasses.replace(services, payment_events=webhooks))
    with served(app) as base_url:
        stripe_server.register_webhook("tests", f"{base_url}/webhooks/stripe", secret)
        intent = services.gateway.create_intent(
            order_id=order_id, amount=Money(1250, Currency.EUR), idempotency_key="k", email=None
        )
        shopper = _shopper(stripe_server)
        shopper.v1.payment_intents.update(intent.id, params={"payment_method": "pm_card_visa"})
        shopper.v1.payment_intents.confirm(intent.id)

        delivered = wait_for(lambda: any(n == "payment_succeeded" for n, _ in orders.calls))

    assert delivered, "localstripe's payment_intent.succeeded never arrived"
    succeeded = [kwargs for name, kwargs in orders.calls if name == "payment_succeeded"]
    assert succeeded == [
        {"order_id": order_id, "intent_id": intent.id, "amount": Money(1250, Currency.EUR)}
    ]


def test_a_declined_card_reaches_the_endpoint_as_a_failed_payment(
    services: Services, stripe_server: LocalStripe
) -> None:
    order_id = f"order-{uuid.uuid4().hex[:8]}"
    orders = RecordingOrders(known={order_id})
    secret = services.settings.stripe_webhook_secret.value
    webhooks = StripeWebhooks(orders, services.gateway, secret=secret, tolerance_seconds=300)
    app = create_app(dataclasses.replace(services, payment_events=webhooks))
    with served(app) as base_url:
        stripe_server.register_webhook("tests", f"{base_url}/webhooks/stripe", secret)
        intent = services.gateway.create_intent(
            order_id=order_id, amount=Money(900, Currency.USD), idempotency_key="k", email=None
        )
        shopper = _shopper(stripe_server)
        shopper.v1.payment_intents.update(
            intent.id, params={"payment_method": "pm_card_chargeCustomerFail"}
        )
        with contextlib.suppress(stripe.CardError):
            shopper.v1.payment_intents.confirm(intent.id)

        delivered = wait_for(lambda: any(n == "payment_failed" for n, _ in orders.calls))

    assert delivered, "localstripe's payment_intent.payment_failed never arrived"
    assert orders.calls[0][1]["intent_id"] == intent.id
