"""POST /webhooks/stripe with real signed payloads, over DynamoDB Local.

The order context is our own ``OrderPayments`` port, recorded here; what orders do
with each call is tested in the orders context and end to end in tests/e2e/payments.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
import uuid
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from commerce.app import create_app
from commerce.composition import Services
from commerce.money import Currency, Money
from commerce.payments.service import StripeWebhooks
from stripe_events import RecordingOrders, charge_object, event_body, intent_object, sign

PATH = "/webhooks/stripe"


@dataclasses.dataclass
class Hook:
    client: TestClient
    orders: RecordingOrders
    secret: str

    def post(
        self, body: bytes, *, signed_at: int | None = None, secret: str | None = None
    ) -> tuple[int, dict[str, object]]:
        header = sign(body, secret or self.secret, signed_at)
        response = self.client.post(
            PATH,
            content=body,
            headers={"Stripe-Signature": header, "Content-Type": "application/json"},
        )
        return response.status_code, response.json()


def _app(services: Services, orders: RecordingOrders, secret: str) -> Starlette:
    """The real app, with the webhook applying events to ``orders``."""
    webhooks = StripeWebhooks(
        orders,
        services.gateway,
        secret=secret,
        tolerance_seconds=services.settings.stripe_webhook_tolerance_seconds,
    )
    return create_app(dataclasses.replace(services, payment_events=webhooks))


@pytest.fixture
def hook(services: Services) -> Iterator[Hook]:
    orders = RecordingOrders(known={"order-1"})
    secret = services.settings.stripe_webhook_secret.value
    with TestClient(_app(services, orders, secret), raise_server_exceptions=False) as client:
        yield Hook(client, orders, secret)


def test_a_signed_payment_success_marks_the_order_paid_with_the_amount_received(
    hook: Hook,
) -> None:
    body = event_body("payment_intent.succeeded", intent_object("order-1", 1999, intent_id="pi_1"))

    status, answer = hook.post(body)

    assert (status, answer) == (200, {"received": True, "outcome": "applied"})
    assert hook.orders.calls == [
        (
            "payment_succeeded",
            {"order_id": "order-1", "intent_id": "pi_1", "amount": Money(1999, Currency.USD)},
        )
    ]


def test_a_failed_payment_passes_on_stripes_reason(hook: Hook) -> None:
    failure = {"code": "card_declined", "message": "Your card was declined."}
    body = event_body(
        "payment_intent.payment_failed", intent_object("order-1", last_payment_error=failure)
    )

    status, _ = hook.post(body)

    assert status == 200
    assert hook.orders.calls[0][0] == "payment_failed"
    assert hook.orders.calls[0][1]["reason"] == "Your card was declined."


def test_a_cancelled_intent_cancels_the_payment(hook: Hook) -> None:
    status, _ = hook.post(event_body("payment_intent.canceled", intent_object("order-1")))

    assert status == 200
    assert [name for name, _ in hook.orders.calls] == ["payment_canceled"]


def test_a_refund_reports_the_cumulative_amount_refunded(hook: Hook) -> None:
    first = event_body("charge.refunded", charge_object("pi_9", 500, "order-1"))
    second = event_body("charge.refunded", charge_object("pi_9", 1500, "order-1"))

    hook.post(first)
    hook.post(second)

    amounts = [kwargs["amount_refunded"] for _, kwargs in hook.orders.calls]
    assert amounts == [Money(500, Currency.USD), Money(1500, Currency.USD)]


def test_a_refund_of_a_charge_without_metadata_finds_its_order_through_the_intent(
    hook: Hook, services: Services
) -> None:
    intent = services.gateway.create_intent(
        order_id="order-1", amount=Money(800, Currency.EUR), idempotency_key="k", email=None
    )
    body = event_body("charge.refunded", charge_object(intent.id, 800, None, currency="eur"))

    status, answer = hook.post(body)

    assert (status, answer["outcome"]) == (200, "applied")
    assert hook.orders.calls == [
        (
            "refunded",
            {
                "order_id": "order-1",
                "intent_id": intent.id,
                "amount_refunded": Money(800, Currency.EUR),
            },
        )
    ]


def test_a_delivery_without_a_signature_is_refused_and_changes_nothing(hook: Hook) -> None:
    body = event_body("payment_intent.succeeded", intent_object("order-1"))

    response = hook.client.post(PATH, content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MISSING_SIGNATURE"
    assert hook.orders.calls == []
    # Nothing was recorded either: the genuine delivery is still applied.
    assert hook.post(body)[1]["outcome"] == "applied"


def test_a_signature_made_with_another_secret_is_refused(hook: Hook) -> None:
    body = event_body("payment_intent.succeeded", intent_object("order-1"))

    status, answer = hook.post(body, secret="whsec_someone_else")

    assert status == 400
    assert answer["error"]["code"] == "BAD_SIGNATURE"  # type: ignore[index]
    assert hook.orders.calls == []


def test_a_body_changed_after_signing_is_refused(hook: Hook) -> None:
    genuine = event_body("payment_intent.succeeded", intent_object("order-1", 100))
    tampered = genuine.replace(b'"amount_received": 100', b'"amount_received": 1')
    header = sign(genuine, hook.secret)

    response = hook.client.post(
        PATH,
        content=tampered,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_SIGNATURE"
    assert hook.orders.calls == []


def test_a_header_that_is_not_a_stripe_signature_is_refused(hook: Hook) -> None:
    body = event_body("payment_intent.succeeded", intent_object("order-1"))

    response = hook.client.post(
        PATH,
        content=body,
        headers={"Stripe-Signature": "garbage", "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_SIGNATURE"


def test_a_signature_older_than_the_tolerance_is_refused_as_stale(hook: Hook) -> None:
    body = event_body("payment_intent.succeeded", intent_object("order-1"))

    status, answer = hook.post(body, signed_at=int(time.time()) - 301)

    assert status == 400
    assert answer["error"]["code"] == "STALE_SIGNATURE"  # type: ignore[index]
    assert hook.orders.calls == []


def test_a_signature_within_the_tolerance_is_accepted(hook: Hook) -> None:
    body = event_body("payment_intent.succeeded", intent_object("order-1"))

    status, _ = hook.post(body, signed_at=int(time.time()) - 240)

    assert status == 200
    assert len(hook.orders.calls) == 1


def test_the_same_event_delivered_twice_is_applied_once(hook: Hook) -> None:
    body = event_body("payment_intent.succeeded", intent_object("order-1"))

    first = hook.post(body)
    second = hook.post(body)

    assert first[1]["outcome"] == "applied"
    assert second == (200, {"received": True, "outcome": "duplicate"})
    assert len(hook.orders.calls) == 1


def test_a_replayed_event_signed_again_later_is_applied_once(hook: Hook) -> None:
    event_id = f"evt_{uuid.uuid4().hex}"
    body = event_body("payment_intent.succeeded", intent_object("order-1"), event_id=event_id)
    hook.post(body, signed_at=int(time.time()) - 60)

    status, answer = hook.post(body)

    assert (status, answer["outcome"]) == (200, "duplicate")
    assert len(hook.orders.calls) == 1


def test_an_old_captured_delivery_replayed_as_is_is_refused(hook: Hook) -> None:
    body = event_body("payment_intent.succeeded", intent_object("order-1"))
    captured = sign(body, hook.secret, int(time.time()) - 3600)

    response = hook.client.post(
        PATH,
        content=body,
        headers={"Stripe-Signature": captured, "Content-Type": "application/json"},
    )

    assert response.json()["error"]["code"] == "STALE_SIGNATURE"
    assert hook.orders.calls == []


def test_events_arriving_out_of_order_are_each_passed_on_in_arrival_order(hook: Hook) -> None:
    intent = intent_object("order-1", intent_id="pi_late")
    hook.post(event_body("payment_intent.canceled", intent))
    hook.post(event_body("charge.refunded", charge_object("pi_late", 1999, "order-1")))
    hook.post(event_body("payment_intent.succeeded", intent))

    assert [name for name, _ in hook.orders.calls] == [
        "payment_canceled",
        "refunded",
        "payment_succeeded",
    ]


def test_an_event_for_an_unknown_order_is_acknowledged_and_logged(
    hook: Hook, caplog: pytest.LogCaptureFixture
) -> None:
    body = event_body("payment_intent.succeeded", intent_object("order-gone"))

    with caplog.at_level(logging.INFO, logger="commerce.payments"):
        status, answer = hook.post(body)

    assert (status, answer["outcome"]) == (200, "unknown_order")
    assert "order-gone" in caplog.text
    assert hook.post(body)[1]["outcome"] == "duplicate"


def test_event_types_that_change_no_order_are_acknowledged_and_ignored(hook: Hook) -> None:
    body = event_body("customer.created", {"id": "cus_1", "object": "customer"})

    status, answer = hook.post(body)

    assert (status, answer["outcome"]) == (200, "ignored")
    assert hook.orders.calls == []


def test_a_signed_body_that_is_not_json_is_refused(hook: Hook) -> None:
    status, answer = hook.post(b"{not json")

    assert status == 400
    assert answer["error"]["code"] == "MALFORMED_PAYLOAD"  # type: ignore[index]


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        json.dumps({"id": "evt_1", "type": "payment_intent.succeeded"}).encode(),
        event_body("payment_intent.succeeded", intent_object(None)),
        event_body("payment_intent.succeeded", intent_object("order-1", amount=-5)),
        event_body("payment_intent.succeeded", intent_object("order-1", currency="xxx")),
        event_body("charge.refunded", {"id": "ch_1", "amount_refunded": 5, "currency": "usd"}),
    ],
)
def test_a_signed_event_missing_what_its_type_needs_is_refused(hook: Hook, body: bytes) -> None:
    status, answer = hook.post(body)

    assert status == 400
    assert answer["error"]["code"] == "MALFORMED_PAYLOAD"  # type: ignore[index]
    assert hook.orders.calls == []


def test_a_body_that_is_not_json_by_content_type_is_refused(hook: Hook) -> None:
    body = event_body("payment_intent.succeeded", intent_object("order-1"))

    response = hook.client.post(
        PATH,
        content=body,
        headers={"Stripe-Signature": sign(body, hook.secret), "Content-Type": "text/plain"},
    )

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert hook.orders.calls == []


def test_an_unexpected_failure_answers_500_without_internals_and_the_retry_applies_it(
    hook: Hook,
) -> None:
    body = event_body("payment_intent.succeeded", intent_object("order-1"))
    hook.orders.fail_next = RuntimeError("DynamoDB said no at /internal/path")

    status, answer = hook.post(body)

    assert status == 500
    assert answer["error"]["code"] == "INTERNAL_ERROR"  # type: ignore[index]
    assert "DynamoDB" not in json.dumps(answer)
    # No marker was left behind: Stripe's retry applies the event.
    assert hook.post(body)[1]["outcome"] == "applied"
    assert len(hook.orders.calls) == 1


def test_neither_the_signature_nor_the_payload_reaches_the_log(
    hook: Hook, caplog: pytest.LogCaptureFixture
) -> None:
    body = event_body(
        "payment_intent.succeeded",
        intent_object("order-1", client_secret="pi_1_secret_topsecretvalue"),
    )
    header = sign(body, hook.secret)

    with caplog.at_level(logging.DEBUG):
        hook.client.post(
            PATH,
            content=body,
            headers={"Stripe-Signature": header, "Content-Type": "application/json"},
        )
        hook.client.post(
            PATH,
            content=body,
            headers={"Stripe-Signature": header + "0", "Content-Type": "application/json"},
        )

    assert "topsecretvalue" not in caplog.text
    assert header.split("v1=")[1] not in caplog.text
    assert hook.secret not in caplog.text


def test_without_a_webhook_secret_nothing_is_trusted_and_stripe_is_asked_to_retry(
    services: Services,
) -> None:
    orders = RecordingOrders(known={"order-1"})
    body = event_body("payment_intent.succeeded", intent_object("order-1"))
    with TestClient(_app(services, orders, ""), raise_server_exceptions=False) as client:
        response = client.post(
            PATH,
            content=body,
            headers={"Stripe-Signature": sign(body, ""), "Content-Type": "application/json"},
        )

    assert response.status_code == 500
    assert orders.calls == []


def test_a_signature_header_that_is_not_ascii_is_refused_with_a_code(hook: Hook) -> None:
    body = event_body("payment_intent.succeeded", intent_object("order-1"))
    header = sign(body, hook.secret, None).replace("v1=", "v1=é").encode("latin-1")

    response = hook.client.post(
        PATH, content=body, headers={"Stripe-Signature": header, "Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_SIGNATURE"
    assert hook.orders.calls == []


def test_a_chunked_body_past_the_limit_is_refused_while_it_streams(hook: Hook) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield b" " * 200_000

    response = hook.client.post(
        PATH,
        content=chunks(),
        headers={"Stripe-Signature": "t=1,v1=00", "Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
