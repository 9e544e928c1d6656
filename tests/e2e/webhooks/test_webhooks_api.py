"""Outbound webhooks over the GraphQL API, delivered to a real receiver on 127.0.0.1.

Endpoints are managed through GraphQL by staff and partners; orders are placed and paid
through the services, and each change reaches the events function as the DynamoDB
Streams record it makes (MODIFY of the order, INSERT of each delivery); retries run as
the jobs function's schedule. The receiver verifies every signature with
``standardwebhooks.Webhook(secret).verify``.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from receivers import Receiver, receiver
from starlette.testclient import TestClient

from commerce.access.model import Scope
from commerce.app import create_app
from commerce.cart.commands import CreateCart
from commerce.cart.model import BuyerIdentity, LineRequest
from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.catalog.model import VariantKind
from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.events.consumers import Consumers
from commerce.events.handler import consume_batch
from commerce.graphql.ids import from_global_id, to_global_id
from commerce.jobs.runner import run_job
from commerce.money import Currency, Money
from commerce.notifications import store as notifications_store
from commerce.observability.metrics import Metrics
from commerce.payments.local import LocalStripe
from commerce.principals import Shopper
from commerce.settings import Secret
from commerce.webhooks import store
from placed_orders import order_image
from stream_records import batch, image_of, stream_record
from table_settings import fresh_settings

CREATE = """
mutation ($input: WebhookEndpointCreateInput!) {
  webhookEndpointCreate(input: $input) {
    endpoint { id url eventTypes enabled partnerId }
    secret
    userErrors { field code message }
  }
}"""
UPDATE = """
mutation ($input: WebhookEndpointUpdateInput!) {
  webhookEndpointUpdate(input: $input) {
    endpoint { id enabled disabledReason consecutiveFailures eventTypes }
    userErrors { field code message }
  }
}"""
ROTATE = """
mutation ($input: WebhookEndpointIdInput!) {
  webhookEndpointSecretRotate(input: $input) {
    endpoint { id } secret userErrors { field code message }
  }
}"""
DELETE = """
mutation ($input: WebhookEndpointIdInput!) {
  webhookEndpointDelete(input: $input) { deletedId userErrors { field code message } }
}"""
TEST = """
mutation ($input: WebhookEndpointIdInput!) {
  webhookEndpointTest(input: $input) {
    delivery { id eventType status } userErrors { field code message }
  }
}"""
REPLAY = """
mutation ($input: WebhookDeliveryReplayInput!) {
  webhookDeliveryReplay(input: $input) {
    delivery { id replayOf messageId status } userErrors { field code message }
  }
}"""
ENDPOINTS = """
query ($partnerId: ID) {
  webhookEndpoints(partnerId: $partnerId) { id url enabled disabledReason partnerId }
}"""
DELIVERIES = """
query ($id: ID!, $first: Int, $after: String) {
  webhookDeliveries(endpointId: $id, first: $first, after: $after) {
    nodes {
      id eventType eventId messageId status nextAttemptAt replayOf payload
      attempts { statusCode durationMs error }
    }
    pageInfo { hasNextPage endCursor }
  }
}"""

DISABLE_AFTER = 3


@dataclass
class Shop:
    services: Services
    client: TestClient
    consumers: Consumers
    metrics: Metrics
    hooks: Receiver
    admin: dict[str, str]
    partner_a: dict[str, str]
    partner_a_id: str
    partner_a_email: str
    partner_b: dict[str, str]

    def __call__(self, query: str, headers: dict[str, str], **variables: Any) -> dict[str, Any]:
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def payload(self, query: str, headers: dict[str, str], **variables: Any) -> dict[str, Any]:
        body = self(query, headers, **variables)
        assert "errors" not in body, body
        (found,) = body["data"].values()
        result: dict[str, Any] = found
        return result

    def endpoint(
        self, path: str, headers: dict[str, str], types: list[str], **extra: Any
    ) -> tuple[str, str]:
        """A new endpoint at the receiver's ``path``: its id and secret."""
        created = self.payload(
            CREATE,
            headers,
            input={"url": self.hooks.url(path), "eventTypes": types, **extra},
        )
        assert created["userErrors"] == [], created
        secret: str = created["secret"]
        self.hooks.secrets.setdefault(path, []).append(secret)
        endpoint_id: str = created["endpoint"]["id"]
        return endpoint_id, secret

    def stream(self, *records: dict[str, Any]) -> None:
        assert consume_batch(batch(*records), self.consumers, self.metrics) == {
            "batchItemFailures": []
        }

    def send_outbox(self, *endpoint_ids: str) -> None:
        """The INSERT records of the endpoints' deliveries not yet tried, consumed."""
        records = []
        for endpoint_id in endpoint_ids:
            rows, _ = store.endpoint_deliveries(
                from_global_id(endpoint_id, "WebhookEndpoint"), 50, None
            )
            for delivery, _ in rows:
                if not delivery.attempts:
                    records.append(
                        stream_record("INSERT", new=image_of(store.delivery_item(delivery)))
                    )
        self.stream(*records)

    def retry_job(self, at: datetime) -> dict[str, Any]:
        outcome = run_job(
            {"job": "retry-webhook-deliveries", "time": at.isoformat()},
            self.services,
            self.metrics,
        )
        assert outcome["ok"] is True, outcome
        return outcome

    def deliveries(self, endpoint_id: str, headers: dict[str, str]) -> list[dict[str, Any]]:
        page = self.payload(DELIVERIES, headers, id=endpoint_id)
        nodes: list[dict[str, Any]] = page["nodes"]
        return nodes

    def paid_order(self, affiliate_id: str | None) -> tuple[str, dict[str, Any]]:
        """An order placed and paid (referred by ``affiliate_id``): its id and the stream
        record its payment makes."""
        services = self.services
        sku = f"BOOK-{uuid.uuid4().hex[:8]}"
        product = services.catalog.create_product(
            ProductDraft(
                title=f"Book {sku}",
                published=True,
                variants=(
                    VariantDraft(
                        sku=sku, prices=(Money(2500, Currency.USD),), kind=VariantKind.DIGITAL
                    ),
                ),
            )
        )
        cart = services.cart.create(
            CreateCart(
                lines=[LineRequest(product.id, product.variants[0].id, 1)],
                buyer_identity=BuyerIdentity(email="private-reader@example.com"),
                affiliate_id=affiliate_id,
            )
        ).cart
        order = services.checkout.complete(cart.id, f"key-{uuid.uuid4()}", Shopper(None)).order
        awaiting = order_image(order.id)
        services.orders.payment_succeeded(
            order_id=order.id, intent_id=str(order.payment_intent_id), amount=order.total
        )
        return order.id, stream_record("MODIFY", new=order_image(order.id), old=awaiting)


def _key(services: Services, partner_id: str) -> dict[str, str]:
    key = services.access.create_key(
        f"hooks {partner_id}",
        frozenset({Scope.STOREFRONT_READ, Scope.PARTNER_REPORTS}),
        partner_id=partner_id,
    )
    return {"X-API-Key": key.plaintext}


@pytest.fixture(scope="module")
def shop(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Iterator[Shop]:
    settings = dataclasses.replace(
        fresh_settings(dynamodb_endpoint, stripe_server.endpoint, "whsec_hooks"),
        webhook_disable_after_failures=DISABLE_AFTER,
    )
    services = build_services(settings)
    create_table_if_missing()
    metrics = Metrics(namespace="Commerce", service="events")
    admin = services.access.create_key("hooks admin", frozenset({Scope.ADMIN}))
    a = services.access.create_partner("Cashback A", "partner-a@example.com")
    b = services.access.create_partner("Coupons B", "partner-b@example.com")
    with receiver() as hooks, TestClient(create_app(services)) as client:
        yield Shop(
            services,
            client,
            Consumers(services, metrics),
            metrics,
            hooks,
            {"X-API-Key": admin.plaintext},
            _key(services, a.id),
            a.id,
            a.email,
            _key(services, b.id),
        )


def test_a_paid_order_reaches_staff_and_its_referring_partner_signed_but_not_another_partner(
    shop: Shop,
) -> None:
    # given an endpoint each for staff, partner A and partner B
    staff, _ = shop.endpoint(
        "/staff-paid", shop.admin, ["ORDER_PAID"], contactEmail="ops@example.com"
    )
    mine, _ = shop.endpoint("/a-paid", shop.partner_a, ["ORDER_PAID"])
    theirs, _ = shop.endpoint("/b-paid", shop.partner_b, ["ORDER_PAID"])
    order_id, paid = shop.paid_order(shop.partner_a_id)

    # when the payment's record reaches the events function, twice (a retried batch)
    shop.stream(paid)
    shop.stream(paid)
    shop.send_outbox(staff, mine, theirs)

    # then staff and A each get one signed order.paid; B gets nothing
    for path in ("/staff-paid", "/a-paid"):
        (got,) = shop.hooks.at(path)
        assert got.verified, got.error
        assert got.payload is not None
        assert got.payload["type"] == "order.paid"
        order = got.payload["data"]["order"]
        assert from_global_id(order["id"], "Order") == order_id
        assert order["total"] == {"amount": "25.00", "currencyCode": "USD"}
        assert from_global_id(order["affiliateId"], "Partner") == shop.partner_a_id
        # no personal data of the customer
        assert "private-reader" not in got.body
        assert set(got.headers) >= {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert shop.hooks.at("/b-paid") == []
    (logged,) = shop.deliveries(mine, shop.partner_a)
    assert logged["status"] == "SUCCEEDED"
    assert [a["statusCode"] for a in logged["attempts"]] == [200]
    assert shop.deliveries(theirs, shop.partner_b) == []


def test_an_order_no_partner_referred_reaches_staff_only(shop: Shop) -> None:
    # given
    staff, _ = shop.endpoint(
        "/staff-only", shop.admin, ["ORDER_PAID"], contactEmail="ops@example.com"
    )
    mine, _ = shop.endpoint("/a-unreferred", shop.partner_a, ["ORDER_PAID"])
    _, paid = shop.paid_order(None)

    # when
    shop.stream(paid)
    shop.send_outbox(staff, mine)

    # then
    assert len(shop.hooks.at("/staff-only")) == 1
    assert shop.hooks.at("/a-unreferred") == []


def test_a_refund_sends_order_refunded_once_per_refund(shop: Shop) -> None:
    # given a paid order and a staff endpoint for refunds
    staff, _ = shop.endpoint(
        "/staff-refunds", shop.admin, ["ORDER_REFUNDED"], contactEmail="ops@example.com"
    )
    order_id, paid = shop.paid_order(None)
    shop.stream(paid)
    before = order_image(order_id)
    order = shop.services.orders.order(order_id)
    assert order is not None

    # when Stripe reports a partial refund, and the record comes twice
    shop.services.orders.refunded(
        order_id=order_id,
        intent_id=str(order.payment_intent_id),
        amount_refunded=Money(1000, Currency.USD),
    )
    refunded = stream_record("MODIFY", new=order_image(order_id), old=before)
    shop.stream(refunded, refunded)
    shop.send_outbox(staff)

    # then
    (got,) = shop.hooks.at("/staff-refunds")
    assert got.verified, got.error
    assert got.payload is not None
    assert got.payload["type"] == "order.refunded"
    assert got.payload["data"]["order"]["refundedAmount"] == {
        "amount": "10.00",
        "currencyCode": "USD",
    }


def test_a_500_is_retried_by_the_job_and_the_log_shows_both_attempts(shop: Shop) -> None:
    # given an endpoint whose receiver fails once
    endpoint, _ = shop.endpoint("/flaky", shop.partner_a, ["ORDER_PAID"])
    shop.hooks.statuses["/flaky"] = [500]
    tested = shop.payload(TEST, shop.partner_a, input={"id": endpoint})
    assert tested["userErrors"] == []
    assert tested["delivery"]["eventType"] == "ping"

    # when it is sent, and the retry job runs once its retry is due
    shop.send_outbox(endpoint)
    (first,) = shop.deliveries(endpoint, shop.partner_a)
    assert first["status"] == "PENDING"
    assert first["nextAttemptAt"] is not None
    retry_at = datetime.fromisoformat(first["nextAttemptAt"])
    early = shop.retry_job(retry_at - timedelta(seconds=2))
    outcome = shop.retry_job(retry_at + timedelta(seconds=1))

    # then
    assert early["sent"] == 0
    assert outcome["sent"] >= 1
    (logged,) = shop.deliveries(endpoint, shop.partner_a)
    assert logged["status"] == "SUCCEEDED"
    assert logged["nextAttemptAt"] is None
    assert [a["statusCode"] for a in logged["attempts"]] == [500, 200]
    both = shop.hooks.at("/flaky")
    assert [r.verified for r in both] == [True, True]
    # the same webhook-id on the retry, so the receiver can drop a repeat
    assert len({r.headers["webhook-id"] for r in both}) == 1


def test_repeated_failures_disable_the_endpoint_tell_its_partner_and_a_replay_follows(
    shop: Shop,
) -> None:
    # given an endpoint whose receiver always fails
    endpoint, _ = shop.endpoint("/down", shop.partner_a, ["ORDER_PAID"])
    shop.hooks.statuses["/down"] = [503] * DISABLE_AFTER
    shop.payload(TEST, shop.partner_a, input={"id": endpoint})

    # when it is sent and retried until it has failed DISABLE_AFTER times in a row
    shop.send_outbox(endpoint)
    now = datetime.now(UTC)
    for hours in range(1, DISABLE_AFTER):
        shop.retry_job(now + timedelta(hours=hours))

    # then the endpoint is disabled, and its partner is told by email
    (listed,) = [e for e in shop.payload(ENDPOINTS, shop.partner_a) if e["id"] == endpoint]
    assert listed["enabled"] is False
    assert listed["disabledReason"] == "FAILING"
    (failed,) = shop.deliveries(endpoint, shop.partner_a)
    assert failed["status"] == "FAILED"
    assert [a["statusCode"] for a in failed["attempts"]] == [503] * DISABLE_AFTER
    told = [
        n
        for n in notifications_store.NotificationItem.scan()
        if n.template == "webhook-endpoint-disabled" and n.data["url"] == shop.hooks.url("/down")
    ]
    assert [n.recipient for n in told] == [shop.partner_a_email]

    # and a replay waits until the endpoint is enabled again
    refused = shop.payload(REPLAY, shop.partner_a, input={"deliveryId": failed["id"]})
    assert [e["code"] for e in refused["userErrors"]] == ["ENDPOINT_DISABLED"]
    enabled = shop.payload(UPDATE, shop.partner_a, input={"id": endpoint, "enabled": True})
    assert enabled["endpoint"]["enabled"] is True
    assert enabled["endpoint"]["consecutiveFailures"] == 0
    replayed = shop.payload(REPLAY, shop.partner_a, input={"deliveryId": failed["id"]})
    assert replayed["userErrors"] == []
    assert replayed["delivery"]["replayOf"] == failed["id"]
    assert replayed["delivery"]["messageId"] == failed["messageId"]
    shop.send_outbox(endpoint)
    received = shop.hooks.at("/down")
    assert len(received) == DISABLE_AFTER + 1
    assert all(r.verified for r in received)
    newest = shop.deliveries(endpoint, shop.partner_a)[0]
    assert newest["replayOf"] == failed["id"]
    assert newest["status"] == "SUCCEEDED"


def test_a_rotated_secret_signs_beside_the_old_one_for_a_while(shop: Shop) -> None:
    # given an endpoint whose receiver knows only the old secret
    endpoint, old = shop.endpoint("/rotating", shop.partner_a, ["ORDER_PAID"])

    # when the secret is rotated and a ping is sent
    rotated = shop.payload(ROTATE, shop.partner_a, input={"id": endpoint})
    shop.payload(TEST, shop.partner_a, input={"id": endpoint})
    shop.send_outbox(endpoint)

    # then the old and the new secret both verify it
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != old
    (got,) = shop.hooks.at("/rotating")
    assert got.verified
    shop.hooks.secrets["/rotating"] = [rotated["secret"]]
    assert shop.hooks.handle("/rotating", got.headers, got.body) == 200
    assert shop.hooks.at("/rotating")[-1].verified


def test_a_partner_cannot_see_or_change_another_partners_endpoint(shop: Shop) -> None:
    # given
    endpoint, _ = shop.endpoint("/a-private", shop.partner_a, ["ORDER_PAID"])

    # when partner B tries everything on it
    other = shop.partner_b
    updated = shop.payload(UPDATE, other, input={"id": endpoint, "enabled": False})
    rotated = shop.payload(ROTATE, other, input={"id": endpoint})
    deleted = shop.payload(DELETE, other, input={"id": endpoint})
    tested = shop.payload(TEST, other, input={"id": endpoint})
    log = shop(DELIVERIES, other, id=endpoint)
    listed = shop.payload(ENDPOINTS, other)

    # then it is as if the endpoint did not exist
    for refused in (updated, rotated, deleted, tested):
        assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
            ("ENDPOINT_NOT_FOUND", ["id"])
        ]
    assert rotated["secret"] is None
    assert log == {"data": {"webhookDeliveries": None}}
    assert endpoint not in {e["id"] for e in listed}
    # while staff see it among partner A's, and A among its own
    as_staff = shop.payload(ENDPOINTS, shop.admin, partnerId=_partner_global(shop.partner_a_id))
    assert endpoint in {e["id"] for e in as_staff}
    assert endpoint in {e["id"] for e in shop.payload(ENDPOINTS, shop.partner_a)}


def _partner_global(partner_id: str) -> str:
    return to_global_id("Partner", partner_id)


def test_an_owner_deletes_its_endpoint(shop: Shop) -> None:
    # given
    endpoint, _ = shop.endpoint("/a-gone", shop.partner_a, ["ORDER_PAID"])

    # when
    deleted = shop.payload(DELETE, shop.partner_a, input={"id": endpoint})

    # then
    assert deleted == {"deletedId": endpoint, "userErrors": []}
    assert endpoint not in {e["id"] for e in shop.payload(ENDPOINTS, shop.partner_a)}


@pytest.mark.parametrize(
    ("given", "code", "field"),
    [
        ({"url": "ftp://127.0.0.1/hook"}, "INVALID_URL", ["url"]),
        ({"url": "not a url"}, "INVALID_URL", ["url"]),
        ({"url": "http://user:pw@127.0.0.1/hook"}, "INVALID_URL", ["url"]),
        ({"eventTypes": []}, "NO_EVENT_TYPES", ["eventTypes"]),
        ({"description": "x" * 201}, "DESCRIPTION_TOO_LONG", ["description"]),
        ({"contactEmail": "not-an-email"}, "INVALID_CONTACT", ["contactEmail"]),
    ],
)
def test_bad_endpoint_inputs_are_refused_with_their_code(
    shop: Shop, given: dict[str, Any], code: str, field: list[str]
) -> None:
    # given
    base = {"url": shop.hooks.url("/never"), "eventTypes": ["ORDER_PAID"]}

    # when
    created = shop.payload(CREATE, shop.partner_a, input={**base, **given})

    # then
    assert [(e["code"], e["field"]) for e in created["userErrors"]] == [(code, field)]
    assert created["endpoint"] is None
    assert created["secret"] is None


def test_a_staff_endpoint_needs_a_contact_and_bad_ids_are_refused(shop: Shop) -> None:
    # when
    created = shop.payload(
        CREATE, shop.admin, input={"url": shop.hooks.url("/x"), "eventTypes": ["PAYOUT_PAID"]}
    )
    updated = shop.payload(UPDATE, shop.admin, input={"id": "nonsense", "enabled": True})
    replayed = shop.payload(REPLAY, shop.admin, input={"deliveryId": "nonsense"})
    log = shop(DELIVERIES, shop.admin, id="nonsense")

    # then
    assert [e["code"] for e in created["userErrors"]] == ["CONTACT_REQUIRED"]
    assert [(e["code"], e["field"]) for e in updated["userErrors"]] == [("INVALID_ID", ["id"])]
    assert [(e["code"], e["field"]) for e in replayed["userErrors"]] == [
        ("INVALID_ID", ["deliveryId"])
    ]
    assert log["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


# -- a deployed stage: https and public addresses only -------------------------------------


@pytest.fixture(scope="module")
def deployed(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Iterator[Shop]:
    settings = dataclasses.replace(
        fresh_settings(dynamodb_endpoint, stripe_server.endpoint, "whsec_hooks"),
        stage="dev",
        webhook_secrets_key=Secret("a deployed stage's key of at least 32 bytes"),
    )
    services = build_services(settings)
    create_table_if_missing()
    metrics = Metrics(namespace="Commerce", service="events")
    admin = services.access.create_key("hooks admin", frozenset({Scope.ADMIN}))
    partner = services.access.create_partner("Deployed partner", "deployed@example.com")
    with receiver() as hooks, TestClient(create_app(services)) as client:
        yield Shop(
            services,
            client,
            Consumers(services, metrics),
            metrics,
            hooks,
            {"X-API-Key": admin.plaintext},
            _key(services, partner.id),
            partner.id,
            partner.email,
            {},
        )


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://93.184.215.14/hook", "INSECURE_URL"),
        ("https://10.0.0.5/hook", "FORBIDDEN_ADDRESS"),
        ("https://192.168.1.20/hook", "FORBIDDEN_ADDRESS"),
        ("https://127.0.0.1:8443/hook", "FORBIDDEN_ADDRESS"),
        ("https://localhost/hook", "FORBIDDEN_ADDRESS"),
        ("https://[::1]/hook", "FORBIDDEN_ADDRESS"),
        ("https://169.254.169.254/latest/meta-data", "FORBIDDEN_ADDRESS"),
        ("https://[::ffff:10.0.0.1]/hook", "FORBIDDEN_ADDRESS"),
        ("https://100.64.0.1/hook", "FORBIDDEN_ADDRESS"),
    ],
)
def test_a_deployed_stage_refuses_insecure_and_private_urls(
    deployed: Shop, url: str, code: str
) -> None:
    # when
    created = deployed.payload(
        CREATE, deployed.partner_a, input={"url": url, "eventTypes": ["ORDER_PAID"]}
    )
    updated_to = deployed.payload(
        UPDATE, deployed.partner_a, input={"id": _public_endpoint(deployed), "url": url}
    )

    # then
    assert [(e["code"], e["field"]) for e in created["userErrors"]] == [(code, ["url"])]
    assert [(e["code"], e["field"]) for e in updated_to["userErrors"]] == [(code, ["url"])]


def _public_endpoint(deployed: Shop) -> str:
    existing = deployed.payload(ENDPOINTS, deployed.partner_a)
    if existing:
        found: str = existing[0]["id"]
        return found
    created = deployed.payload(
        CREATE,
        deployed.partner_a,
        input={"url": "https://93.184.215.14/hook", "eventTypes": ["ORDER_PAID"]},
    )
    assert created["userErrors"] == [], created
    endpoint_id: str = created["endpoint"]["id"]
    return endpoint_id


def test_a_deployed_stage_accepts_an_https_url_on_a_public_address(deployed: Shop) -> None:
    # when
    created = deployed.payload(
        CREATE,
        deployed.partner_a,
        input={"url": "https://93.184.215.14/orders", "eventTypes": ["ORDER_PAID"]},
    )

    # then
    assert created["userErrors"] == []
    assert created["endpoint"]["url"] == "https://93.184.215.14/orders"
    assert created["endpoint"]["eventTypes"] == ["ORDER_PAID"]
    assert created["secret"].startswith("whsec_")
