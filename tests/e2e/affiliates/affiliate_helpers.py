"""Calling the API as the storefront, Stripe, the stream and the scheduler do."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from starlette.testclient import TestClient

from commerce.access.model import Scope
from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.catalog.model import VariantKind
from commerce.composition import Services
from commerce.events.consumers import Consumers
from commerce.events.handler import consume_batch
from commerce.graphql.ids import local_id_or_none, to_global_id
from commerce.jobs.runner import run_job
from commerce.money import Currency, Money
from commerce.observability.metrics import Metrics
from placed_orders import order_image
from stream_records import batch, stream_record
from stripe_events import charge_object, event_body, intent_object, sign

WEBHOOK_SECRET = "whsec_test_secret"
METRICS = Metrics("Commerce", "events")

SIGN_UP = """
mutation ($input: CustomerSignUpInput!) {
  customerSignUp(input: $input) { customer { id } session { accessToken } userErrors { code } }
}
"""
CART = """
mutation ($input: CartCreateInput!) {
  cartCreate(input: $input) { cart { id } userErrors { field code message } }
}
"""
CHECKOUT = """
mutation ($input: CheckoutCompleteInput!) {
  checkoutComplete(input: $input) { order { id } userErrors { field code message } }
}
"""


def call(
    client: TestClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    api_key: str | None = None,
) -> dict[str, Any]:
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if api_key:
        headers["X-API-Key"] = api_key
    response = client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def data(client: TestClient, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
    body = call(client, query, variables, **kw)
    assert "errors" not in body, body
    return body["data"]


def partner_with_key(services: Services, name: str) -> tuple[str, str]:
    """A partner's global id and the plaintext of its reporting key."""
    partner = services.access.create_partner(name, f"{uuid.uuid4().hex[:8]}@partners.example")
    key = services.access.create_key(
        f"{name} key", frozenset({Scope.PARTNER_REPORTS}), partner_id=partner.id
    )
    return to_global_id("Partner", partner.id), key.plaintext


def ebook(services: Services, cents: int = 1999) -> str:
    sku = f"AFF-{uuid.uuid4().hex[:8]}"
    product = services.catalog.create_product(
        ProductDraft(
            title=f"E-book {sku}",
            published=True,
            variants=(
                VariantDraft(
                    sku=sku, prices=(Money(cents, Currency.USD),), kind=VariantKind.DIGITAL
                ),
            ),
        )
    )
    return to_global_id("ProductVariant", f"{product.id}.{product.variants[0].id}")


def sign_up(client: TestClient) -> tuple[str, str]:
    email = f"reader-{uuid.uuid4().hex[:10]}@example.com"
    result = data(client, SIGN_UP, {"input": {"email": email, "password": "correct horse 42"}})[
        "customerSignUp"
    ]
    return result["customer"]["id"], result["session"]["accessToken"]


def place(
    client: TestClient, variant: str, *, token: str | None, affiliate: str | None = None
) -> str:
    """An order's local id, placed through cartCreate and checkoutComplete."""
    cart_input: dict[str, Any] = {
        "lines": [{"merchandiseId": variant}],
        "buyerIdentity": {"email": "reader@example.com"},
    }
    if affiliate is not None:
        cart_input["affiliateId"] = affiliate
    cart = data(client, CART, {"input": cart_input}, token=token)["cartCreate"]
    assert cart["userErrors"] == [], cart
    placed = data(
        client,
        CHECKOUT,
        {"input": {"cartId": cart["cart"]["id"], "idempotencyKey": str(uuid.uuid4())}},
        token=token,
    )["checkoutComplete"]
    assert placed["userErrors"] == [], placed
    local = local_id_or_none(placed["order"]["id"], "Order")
    assert local is not None
    return local


def stripe_post(client: TestClient, body: bytes) -> None:
    answer = client.post(
        "/webhooks/stripe",
        content=body,
        headers={
            "Stripe-Signature": sign(body, WEBHOOK_SECRET),
            "Content-Type": "application/json",
        },
    )
    assert answer.status_code == 200, answer.text


def deliver(consumers: Consumers, record: dict[str, Any]) -> None:
    assert consume_batch(batch(record), consumers, METRICS) == {"batchItemFailures": []}


def pay(
    client: TestClient, services: Services, consumers: Consumers, order_id: str
) -> dict[str, Any]:
    """Pay through a signed payment_intent.succeeded; deliver the order's stream record."""
    before = order_image(order_id)
    order = services.orders.order(order_id)
    assert order is not None
    assert order.payment_intent_id is not None
    stripe_post(
        client,
        event_body(
            "payment_intent.succeeded",
            intent_object(order_id, amount=order.total.amount, intent_id=order.payment_intent_id),
        ),
    )
    record = stream_record("MODIFY", new=order_image(order_id), old=before)
    deliver(consumers, record)
    return record


def refund_event(services: Services, order_id: str, cumulative: int) -> bytes:
    order = services.orders.order(order_id)
    assert order is not None
    assert order.payment_intent_id is not None
    return event_body(
        "charge.refunded", charge_object(order.payment_intent_id, cumulative, order_id)
    )


def refund(client: TestClient, consumers: Consumers, order_id: str, body: bytes) -> dict[str, Any]:
    """A signed charge.refunded; the order's stream record delivered."""
    before = order_image(order_id)
    stripe_post(client, body)
    record = stream_record("MODIFY", new=order_image(order_id), old=before)
    deliver(consumers, record)
    return record


def approve(services: Services, at: datetime) -> dict[str, Any]:
    """The scheduled approval job, as EventBridge invokes it at ``at``."""
    event = {"id": str(uuid.uuid4()), "time": at.isoformat(), "job": "approve-commissions"}
    outcome = run_job(json.loads(json.dumps(event)), services, METRICS)
    assert outcome["ok"], outcome
    return outcome
