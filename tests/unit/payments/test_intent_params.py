"""What the gateway asks Stripe for, and what it lets out of Stripe's errors."""

from __future__ import annotations

from commerce.money import Currency, Money
from commerce.payments.stripe_gateway import describe_stripe_error, intent_params


def test_amounts_go_to_stripe_in_minor_units_with_a_lower_case_currency() -> None:
    params = intent_params(order_id="o-1", amount=Money(1050, Currency.JPY), email=None)

    assert params["amount"] == 1050
    assert params["currency"] == "jpy"
    assert params["metadata"] == {"order_id": "o-1"}
    assert "receipt_email" not in params


def test_the_buyer_email_becomes_the_receipt_address() -> None:
    params = intent_params(order_id="o", amount=Money(1, Currency.USD), email="ada@example.com")

    assert params["receipt_email"] == "ada@example.com"


class _FakeStripeError(Exception):
    http_status = 401
    code = "api_key_expired"
    user_message = "Expired API Key provided: sk_live_abc123. Client pi_1_secret_xyz"


def test_error_descriptions_hold_no_key_and_no_client_secret() -> None:
    text = describe_stripe_error(_FakeStripeError())

    assert "sk_live_abc123" not in text
    assert "pi_1_secret_xyz" not in text
    assert "HTTP 401" in text
    assert "api_key_expired" in text
