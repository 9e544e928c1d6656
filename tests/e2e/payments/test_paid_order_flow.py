"""From cart to paid order over HTTP: checkout, Stripe (localstripe), webhook, downloads.

The API runs under uvicorn on 127.0.0.1 so that localstripe can deliver its signed
events to ``/webhooks/stripe``; the shopper's card is confirmed with the ``stripe``
library, as Stripe.js would. Events localstripe never sends (``charge.refunded``) are
signed here with Stripe's scheme.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import stripe

from commerce.app import create_app
from commerce.composition import Services
from commerce.jobs.runner import JOBS, RECONCILE_PAYMENTS
from commerce.payments.local import LOCAL_SECRET_KEY, LocalStripe
from commerce.payments.ports import Refund
from commerce.settings import Settings
from stripe_events import charge_object, event_body, intent_object, served, sign, wait_for

ASSET = "ebooks/flow-test.txt"
CONTENT = "The whole novel, in one file."
PRODUCT_CREATE = """
mutation ($input: ProductCreateInput!) {
  productCreate(input: $input) {
    product { variants { id sku assetKey } }
    userErrors { field code message }
  }
}"""
CART_CREATE = """
mutation ($input: CartCreateInput!) {
  cartCreate(input: $input) { cart { id } userErrors { code field } }
}"""
CHECKOUT = """
mutation ($input: CheckoutCompleteInput!) {
  checkoutComplete(input: $input) {
    order { id status total { amount currencyCode } }
    paymentIntentClientSecret orderAccessToken
    userErrors { field code message }
  }
}"""
ORDER = """
query ($id: ID!, $token: String) {
  order(id: $id, accessToken: $token) {
    status paidAmount { amount } refundedAmount { amount }
    downloads { title url expiresAt remaining }
  }
}"""


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The session's settings with files under this test's own folder."""
    files = tmp_path / "files" / "ebooks"
    files.mkdir(parents=True)
    (files / "flow-test.txt").write_text(CONTENT)
    return dataclasses.replace(settings, data_dir=tmp_path)


@dataclasses.dataclass
class Shop:
    """The API over real HTTP, and the Stripe fake it takes payments through."""

    http: httpx.Client
    stripe_server: LocalStripe
    secret: str
    admin_key: str

    def gql(self, query: str, variables: dict[str, Any], admin: bool = False) -> Any:
        headers = {"X-API-Key": self.admin_key} if admin else {}
        response = self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        (payload,) = body["data"].values()
        return payload

    def webhook(self, body: bytes) -> httpx.Response:
        return self.http.post(
            "/webhooks/stripe",
            content=body,
            headers={
                "Stripe-Signature": sign(body, self.secret),
                "Content-Type": "application/json",
            },
        )


@pytest.fixture
def shop(services: Services, stripe_server: LocalStripe, admin_key: str) -> Iterator[Shop]:
    secret = services.settings.stripe_webhook_secret.value
    with served(create_app(services)) as base_url:
        stripe_server.register_webhook("tests", f"{base_url}/webhooks/stripe", secret)
        with httpx.Client(base_url=base_url, timeout=10) as http:
            yield Shop(http, stripe_server, secret, admin_key)


def _ebook(shop: Shop) -> str:
    sku = f"FLOW-{uuid.uuid4().hex[:8]}"
    variant = {
        "sku": sku,
        "kind": "DIGITAL",
        "assetKey": ASSET,
        "prices": [{"amount": "12.50", "currencyCode": "USD"}],
        "options": [{"name": "Format", "value": "E-book"}],
    }
    payload = shop.gql(
        PRODUCT_CREATE,
        {"input": {"title": "The Flow", "published": True, "variants": [variant]}},
        admin=True,
    )
    assert payload["userErrors"] == []
    (created,) = payload["product"]["variants"]
    assert created["assetKey"] == ASSET
    variant_id: str = created["id"]
    return variant_id


@dataclasses.dataclass(frozen=True)
class Placed:
    """A placed order: its global id, access token, intent, and the id Stripe knows."""

    id: str
    token: str
    intent_id: str
    stripe_order_id: str


def _stripe(shop: Shop) -> stripe.StripeClient:
    return stripe.StripeClient(
        LOCAL_SECRET_KEY,
        base_addresses={"api": shop.stripe_server.endpoint},
        max_network_retries=0,
    )


def _checkout(shop: Shop, variant_id: str) -> Placed:
    """A placed order, unpaid."""
    cart = shop.gql(
        CART_CREATE,
        {
            "input": {
                "lines": [{"merchandiseId": variant_id, "quantity": 1}],
                "buyerIdentity": {"email": "reader@example.com"},
            }
        },
    )
    assert cart["userErrors"] == []
    placed = shop.gql(
        CHECKOUT, {"input": {"cartId": cart["cart"]["id"], "idempotencyKey": str(uuid.uuid4())}}
    )
    assert placed["userErrors"] == []
    assert placed["order"]["status"] == "AWAITING_PAYMENT"
    assert placed["order"]["total"] == {"amount": "12.50", "currencyCode": "USD"}
    intent_id = placed["paymentIntentClientSecret"].split("_secret_")[0]
    metadata = _stripe(shop).v1.payment_intents.retrieve(intent_id).to_dict()["metadata"]
    return Placed(
        placed["order"]["id"], placed["orderAccessToken"], intent_id, metadata["order_id"]
    )


def _pay(shop: Shop, intent_id: str, card: str = "pm_card_visa") -> None:
    """What Stripe.js does in the browser: attach the card and confirm."""
    shopper = _stripe(shop)
    shopper.v1.payment_intents.update(intent_id, params={"payment_method": card})
    shopper.v1.payment_intents.confirm(intent_id)


def _order(shop: Shop, order_id: str, token: str) -> dict[str, Any]:
    order: dict[str, Any] = shop.gql(ORDER, {"id": order_id, "token": token})
    return order


def test_a_shopper_pays_on_stripe_and_the_webhook_makes_the_order_paid_with_a_download(
    shop: Shop,
) -> None:
    placed = _checkout(shop, _ebook(shop))
    order_id, token, intent_id = placed.id, placed.token, placed.intent_id
    assert _order(shop, order_id, token)["downloads"] == []

    _pay(shop, intent_id)

    # The links follow a moment after the order is marked paid.
    assert wait_for(lambda: _order(shop, order_id, token)["downloads"] != [], 15)
    order = _order(shop, order_id, token)
    assert order["status"] == "PAID"
    assert order["paidAmount"] == {"amount": "12.50"}
    (link,) = order["downloads"]
    assert link["title"] == "The Flow (E-book)"
    assert link["remaining"] == 5
    assert link["url"].startswith("/downloads/")

    download = shop.http.get(link["url"])

    assert download.status_code == 200
    assert download.text == CONTENT
    assert "attachment" in download.headers["content-disposition"]
    assert download.headers["cache-control"] == "no-store"
    assert _order(shop, order_id, token)["downloads"][0]["remaining"] == 4


def test_a_full_refund_from_stripe_ends_the_downloads(shop: Shop) -> None:
    placed = _checkout(shop, _ebook(shop))
    order_id, token, intent_id = placed.id, placed.token, placed.intent_id
    _pay(shop, intent_id)
    assert wait_for(lambda: _order(shop, order_id, token)["downloads"] != [], 15)
    url = _order(shop, order_id, token)["downloads"][0]["url"]

    refund = shop.webhook(
        event_body("charge.refunded", charge_object(intent_id, 1250, placed.stripe_order_id))
    )

    assert refund.status_code == 200
    order = _order(shop, order_id, token)
    assert order["status"] == "REFUNDED"
    assert order["refundedAmount"] == {"amount": "12.50"}
    gone = shop.http.get(url)
    assert gone.status_code == 410
    assert gone.json()["error"]["code"] == "DOWNLOAD_LIMIT_REACHED"


def test_a_refund_that_arrives_before_the_success_leaves_a_refunded_order_without_links(
    shop: Shop,
) -> None:
    placed = _checkout(shop, _ebook(shop))
    order_id, token, intent_id = placed.id, placed.token, placed.intent_id
    succeeded = event_body(
        "payment_intent.succeeded",
        intent_object(placed.stripe_order_id, 1250, intent_id=intent_id),
    )

    shop.webhook(
        event_body("charge.refunded", charge_object(intent_id, 1250, placed.stripe_order_id))
    )
    shop.webhook(succeeded)
    replay = shop.webhook(succeeded)

    assert replay.json()["outcome"] == "duplicate"
    order = _order(shop, order_id, token)
    assert order["status"] == "REFUNDED"
    assert order["downloads"] == []


def test_a_cancellation_that_arrives_before_the_success_still_leaves_a_paid_order(
    shop: Shop,
) -> None:
    placed = _checkout(shop, _ebook(shop))
    order_id, token, intent_id = placed.id, placed.token, placed.intent_id
    intent = intent_object(placed.stripe_order_id, 1250, intent_id=intent_id)

    shop.webhook(event_body("payment_intent.canceled", intent))
    shop.webhook(event_body("payment_intent.succeeded", intent))

    order = _order(shop, order_id, token)
    assert order["status"] == "PAID"
    assert len(order["downloads"]) == 1


def test_a_declined_card_leaves_the_order_waiting_for_payment_with_the_reason(
    shop: Shop,
) -> None:
    placed = _checkout(shop, _ebook(shop))
    order_id, token, intent_id = placed.id, placed.token, placed.intent_id

    with pytest.raises(stripe.CardError):
        _pay(shop, intent_id, card="pm_card_chargeCustomerFail")

    assert wait_for(
        lambda: (
            shop.gql(
                "query ($id: ID!, $t: String) { order(id: $id, accessToken: $t) { paymentError } }",
                {"id": order_id, "t": token},
            )["paymentError"]
            is not None
        ),
        15,
    )
    order = _order(shop, order_id, token)
    assert order["status"] == "AWAITING_PAYMENT"
    assert order["downloads"] == []


REFUND = """
mutation ($input: OrderRefundInput!) {
  orderRefund(input: $input) {
    order { status refundPendingAmount { amount } }
    userErrors { field code message }
  }
}"""


def test_staff_refund_part_on_stripe_settles_at_once_and_the_late_event_changes_nothing(
    shop: Shop,
) -> None:
    placed = _checkout(shop, _ebook(shop))
    _pay(shop, placed.intent_id)
    assert wait_for(lambda: _order(shop, placed.id, placed.token)["downloads"] != [], 15)

    asked = shop.gql(
        REFUND,
        {
            "input": {
                "id": placed.id,
                "amount": {"amount": "5.00", "currencyCode": "USD"},
                "reason": "damaged file",
            }
        },
        admin=True,
    )

    # localstripe, like Stripe for cards, answers the refund succeeded: settled at once
    assert asked["userErrors"] == []
    assert asked["order"]["status"] == "PARTIALLY_REFUNDED"
    assert asked["order"]["refundPendingAmount"] == {"amount": "0.00"}
    refunds = _stripe(shop).v1.refunds.list(params={"payment_intent": placed.intent_id})
    assert [r.amount for r in refunds.data] == [500]

    late = shop.webhook(event_body("charge.refunded", charge_object(placed.intent_id, 500, None)))

    assert late.status_code == 200
    order = _order(shop, placed.id, placed.token)
    assert order["status"] == "PARTIALLY_REFUNDED"
    assert order["refundedAmount"] == {"amount": "5.00"}
    assert order["downloads"][0]["remaining"] == 5


def test_reconciliation_settles_a_payment_whose_webhook_never_came(
    shop: Shop, services: Services
) -> None:
    # given a paid order whose success event was lost (the endpoint was unreachable)
    placed = _checkout(shop, _ebook(shop))
    shop.stripe_server.register_webhook("tests", "http://127.0.0.1:9/unreachable", shop.secret)
    _pay(shop, placed.intent_id)
    assert _order(shop, placed.id, placed.token)["status"] == "AWAITING_PAYMENT"

    # when the reconciliation job runs, twice
    first = run_job(services)
    second = run_job(services)

    # then the order is paid once, with its link
    assert (first["checked"], first["paid"], first["unavailable"]) == (1, 1, 0)
    assert (second["checked"], second["paid"]) == (0, 0)
    order = _order(shop, placed.id, placed.token)
    assert order["status"] == "PAID"
    assert len(order["downloads"]) == 1


def test_reconciliation_settles_a_refund_stripe_left_pending(
    shop: Shop, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a paid order, and a Stripe that answers refunds "pending" (as for some
    # payment methods) and never sends charge.refunded
    placed = _checkout(shop, _ebook(shop))
    _pay(shop, placed.intent_id)
    assert wait_for(lambda: _order(shop, placed.id, placed.token)["status"] == "PAID", 15)
    shop.stripe_server.register_webhook("tests", "http://127.0.0.1:9/unreachable", shop.secret)
    answer = services.gateway.refund

    def pending(**kwargs: Any) -> Refund:
        return dataclasses.replace(answer(**kwargs), status="pending")

    monkeypatch.setattr(services.gateway, "refund", pending)
    asked = shop.gql(
        REFUND,
        {
            "input": {
                "id": placed.id,
                "amount": {"amount": "3.00", "currencyCode": "USD"},
                "reason": "late",
            }
        },
        admin=True,
    )
    assert asked["order"]["refundPendingAmount"] == {"amount": "3.00"}

    # when the reconciliation job runs, twice
    first = run_job(services)
    second = run_job(services)

    # then the refund Stripe made is counted once
    assert (first["refunded"], second["refunded"]) == (1, 0)
    order = _order(shop, placed.id, placed.token)
    assert order["status"] == "PARTIALLY_REFUNDED"
    assert order["refundedAmount"] == {"amount": "3.00"}


def run_job(services: Services) -> dict[str, Any]:
    return dict(JOBS[RECONCILE_PAYMENTS](services, datetime.now(UTC)))
