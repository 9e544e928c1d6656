"""Abandoned-cart recovery through the API, the jobs function and the events function.

One table and app for the file (module scope): two 10.00 USD e-books, staff's key. Each
test's shopper views products (with dwell), fills a cart through GraphQL, and the sweep
runs as the jobs function would at an injected time (the EventBridge event's ``time``)
three days later; messages are delivered from their outbox stream INSERT by the events
function's consumers, to SES and SNS imitated by moto.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from starlette.testclient import TestClient

from aws_imitations import REGION, Outbox, imitated_ses_and_sns
from commerce.access.model import Scope
from commerce.app import create_app
from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.catalog.model import VariantKind
from commerce.composition import Services, build_services, opt_out_key
from commerce.db.table import create_table_if_missing
from commerce.events.consumers import Consumers
from commerce.events.handler import consume_batch
from commerce.graphql.ids import local_id_or_none, to_global_id
from commerce.jobs import store as job_cursor
from commerce.jobs.abandoned_carts import NAME as SWEEP, floor_hour
from commerce.jobs.runner import run_job
from commerce.money import Currency, Money
from commerce.notifications import store as outbox_store
from commerce.observability.metrics import Metrics
from commerce.payments.local import LocalStripe
from commerce.recovery.model import RecoveryChannel
from commerce.recovery.optout import sign_link
from commerce.recovery.service import RecoveryLinks, RecoveryService, reminder_id
from placed_orders import order_image
from stream_records import batch, image_of, stream_record
from table_settings import fresh_settings

APP_ARN = f"arn:aws:sns:{REGION}:{DEFAULT_ACCOUNT_ID}:app/APNS/shop-app"

SIGN_UP = """
mutation ($input: CustomerSignUpInput!) {
  customerSignUp(input: $input) { customer { id } session { accessToken } userErrors { code } }
}"""
CUSTOMER_UPDATE = """
mutation ($input: CustomerUpdateInput!) {
  customerUpdate(input: $input) { userErrors { field code message } }
}"""
RECORD = """
mutation ($input: EventsRecordInput!) {
  eventsRecord(input: $input) { stored userErrors { field code message } }
}"""
CART_CREATE = """
mutation ($input: CartCreateInput!) {
  cartCreate(input: $input) { cart { id } userErrors { field code message } }
}"""
CART_CODES = """
mutation ($input: CartDiscountCodesUpdateInput!) {
  cartDiscountCodesUpdate(input: $input) {
    cart {
      cost { discountAmount { amount } totalAmount { amount } }
      lines {
        merchandise { ... on ProductVariant { sku } }
        discountAllocations { amount { amount } }
      }
      discountCodes { code applicable reason }
    }
    userErrors { field code message }
  }
}"""
CHECKOUT = """
mutation ($input: CheckoutCompleteInput!) {
  checkoutComplete(input: $input) {
    order { id total { amount } discountAmount { amount } }
    userErrors { field code message }
  }
}"""
SETTINGS_UPDATE = """
mutation ($input: RecoverySettingsUpdateInput!) {
  recoverySettingsUpdate(input: $input) {
    settings {
      afterDays percent dwellSeconds channels codeDays quietStartHour quietEndHour
      defaultTimeZone
    }
    userErrors { field code message }
  }
}"""
SETTINGS = """
{ recoverySettings { afterDays percent dwellSeconds channels codeDays quietStartHour
  quietEndHour defaultTimeZone } }"""
RESULTS = """
{ recoveryResults {
    messages { channel messages } codesIssued codesUsed recoveredOrders
    revenue { amount currencyCode } scheduledTexts } }"""
PREFERENCES = """
mutation ($input: MessagingPreferencesSetInput!) {
  messagingPreferencesSet(input: $input) {
    preferences { preferredChannel timeZone } userErrors { field code message }
  }
}"""
REGISTER = """
mutation ($input: PushDeviceRegisterInput!) {
  pushDeviceRegister(input: $input) {
    device { id platform pushAllowed } userErrors { field code message }
  }
}"""
UNREGISTER = """
mutation ($input: PushDeviceUnregisterInput!) {
  pushDeviceUnregister(input: $input) { device { id } userErrors { field code message } }
}"""
DEVICES = "{ pushDevices { id platform pushAllowed } }"
OPT_OUT = """
mutation ($input: RecoveryOptOutInput!) {
  recoveryOptOut(input: $input) { channel optedOutAt userErrors { field code message } }
}"""


@dataclass
class Shop:
    services: Services
    client: TestClient
    staff: dict[str, str]
    novel: str  # variant global ids
    poems: str
    novel_product: str  # product global ids
    poems_product: str

    def __call__(
        self, query: str, headers: dict[str, str] | None = None, **variables: Any
    ) -> dict[str, Any]:
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers or {}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def customer(self, *, email_consent: bool = True, phone: str | None = None) -> dict[str, str]:
        email = f"reader-{uuid.uuid4().hex[:8]}@example.com"
        made = self(SIGN_UP, input={"email": email, "password": "a reader's passphrase"})
        result = made["customerSignUp"]
        assert result["userErrors"] == [], result
        headers = {"Authorization": f"Bearer {result['session']['accessToken']}"}
        change: dict[str, Any] = {"marketingConsent": {"email": email_consent}}
        if phone is not None:
            change = {"phone": phone, "marketingConsent": {"email": email_consent, "sms": True}}
        assert self(CUSTOMER_UPDATE, headers, input=change)["customerUpdate"]["userErrors"] == []
        return headers

    def view(self, headers: dict[str, str], product: str, seconds: int, at: datetime) -> None:
        """A product page open for ``seconds`` (heartbeats every 15 s), then added to cart."""
        events = [self._event("PRODUCT_VIEW", at, product, "START")]
        for offset in range(15, seconds, 15):
            events.append(
                self._event("PRODUCT_VIEW", at + timedelta(seconds=offset), product, "HEARTBEAT")
            )
        events.append(self._event("PRODUCT_VIEW", at + timedelta(seconds=seconds), product, "END"))
        events.append(self._event("ADD_TO_CART", at + timedelta(seconds=seconds + 5), product))
        recorded = self(RECORD, headers, input={"events": events})["eventsRecord"]
        assert recorded["userErrors"] == [], recorded

    @staticmethod
    def _event(kind: str, at: datetime, product: str, phase: str | None = None) -> dict[str, Any]:
        event = {
            "eventId": uuid.uuid4().hex,
            "kind": kind,
            "occurredAt": at.isoformat(),
            "productId": product,
        }
        if phase:
            event["phase"] = phase
        return event

    def cart(self, headers: dict[str, str] | None = None, **buyer: Any) -> str:
        lines = [{"merchandiseId": v, "quantity": 1} for v in (self.novel, self.poems)]
        data: dict[str, Any] = {"currency": "USD", "lines": lines}
        if buyer:
            data["buyerIdentity"] = buyer
        created = self(CART_CREATE, headers, input=data)["cartCreate"]
        assert created["userErrors"] == [], created
        cart_id: str = created["cart"]["id"]
        return cart_id

    def idle_since(self, cart_id: str) -> datetime:
        priced = self.services.cart.cart(token_of(cart_id))
        assert priced is not None
        return priced.cart.updated_at

    def sweep(self, cart_id: str, after: timedelta) -> dict[str, Any]:
        """The jobs function's hourly run, ``after`` the cart's last change, sweeping that
        cart's hour again (the cursor is wound back: each test's carts are this hour's)."""
        changed = self.idle_since(cart_id)
        job_cursor.advance(SWEEP, floor_hour(changed) - timedelta(hours=2))
        return self.sweep_at(changed + after)

    def sweep_at(self, at: datetime) -> dict[str, Any]:
        event = {"job": SWEEP, "time": at.strftime("%Y-%m-%dT%H:%M:%SZ")}
        return run_job(event, self.services, Metrics("Commerce", "jobs"))

    def deliver(self, notification_id: str) -> None:
        """The events function receives the outbox item's INSERT and sends it."""
        item = outbox_store.NotificationItem.get(
            outbox_store.notification_pk(notification_id), outbox_store.NOTIFY_SK
        )
        record = stream_record("INSERT", new=image_of(item))
        consumers = Consumers(self.services, Metrics("Commerce", "events"))
        assert consume_batch(batch(record), consumers, Metrics("Commerce", "events")) == {
            "batchItemFailures": []
        }

    def results(self) -> dict[str, Any]:
        found: dict[str, Any] = self(RESULTS, self.staff)["recoveryResults"]
        return found


def token_of(cart_id: str) -> str:
    """The cart's token (the services' name for it) from its global id."""
    token = local_id_or_none(cart_id, "Cart")
    assert token is not None
    return token


def message_id(shop: Shop, cart_id: str) -> str:
    changed = shop.idle_since(cart_id)
    return f"cart-{token_of(cart_id)}-{int(changed.timestamp() * 1000)}"


def _ebook(services: Services, title: str, sku: str) -> tuple[str, str]:
    product = services.catalog.create_product(
        ProductDraft(
            title=title,
            published=True,
            variants=(
                VariantDraft(
                    sku=sku, prices=(Money(1000, Currency.USD),), kind=VariantKind.DIGITAL
                ),
            ),
        )
    )
    return (
        to_global_id("Product", product.id),
        to_global_id("ProductVariant", f"{product.id}.{product.variants[0].id}"),
    )


@pytest.fixture(scope="module")
def shop(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Iterator[Shop]:
    settings = replace(
        fresh_settings(dynamodb_endpoint, stripe_server.endpoint, "whsec_recovery"),
        public_url="https://api.shop.example",
        storefront_url="https://shop.example",
        push_apns_application_arn=APP_ARN,
    )
    services = build_services(settings)
    create_table_if_missing()
    novel_product, novel = _ebook(services, "The Dispossessed", "DISP-EPUB")
    poems_product, poems = _ebook(services, "Collected Poems", "POEMS-EPUB")
    staff = services.access.create_key("staff", frozenset({Scope.ADMIN})).plaintext
    with TestClient(create_app(services)) as client:
        yield Shop(
            services, client, {"X-API-Key": staff}, novel, poems, novel_product, poems_product
        )


def _with_push_app() -> None:
    boto3.client("sns", region_name=REGION).create_platform_application(
        Name="shop-app", Platform="APNS", Attributes={}
    )


def _email_to(outbox: Outbox, recipient: str) -> str:
    bodies = [m.body for m in outbox.emails() if recipient in m.destinations["ToAddresses"]]
    assert len(bodies) == 1, bodies
    body: str = bodies[0]
    return body


def _code_in(text: str) -> str:
    found = re.search(r"\b(FOR-[A-Z0-9]+)\b", text)
    assert found is not None, text
    return found.group(1)


THREE_DAYS = timedelta(days=3, hours=2)


# -- the whole path ------------------------------------------------------------------------


def test_a_lingering_shopper_gets_one_offer_on_the_lingered_item_that_recovers_the_order(
    shop: Shop,
) -> None:
    # given a customer who looked at the novel for 150 s and the poems for 30 s, then
    # added both to a cart and left
    ada = shop.customer()
    viewed = datetime.now(UTC) - timedelta(minutes=20)
    shop.view(ada, shop.novel_product, 150, viewed)
    shop.view(ada, shop.poems_product, 30, viewed + timedelta(minutes=5))
    cart_id = shop.cart(ada, email="receipts@example.com")
    cart_changed = shop.idle_since(cart_id)
    before = shop.results()

    # when the sweep runs three days later, and its message leaves through the outbox
    swept = shop.sweep(cart_id, THREE_DAYS)
    with imitated_ses_and_sns() as outbox:
        shop.deliver(message_id(shop, cart_id))
        sent = outbox.emails()

    # then one email, listing both items with prices, offering 50 % off the novel only
    assert (swept["ok"], swept["reminders"]) == (True, 1)
    assert len(sent) == 1
    body = sent[0].body
    assert "50% off" in sent[0].subject
    assert "- 1 x The Dispossessed: 10.00 USD" in body
    assert "- 1 x Collected Poems: 10.00 USD" in body
    assert "50% off The Dispossessed with the code" in body
    assert f"https://shop.example/cart/{token_of(cart_id)}" in body
    assert "https://api.shop.example/recovery/opt-out?token=o1." in body
    code = _code_in(body)

    # when the shopper enters the code in the cart
    priced = shop(CART_CODES, ada, input={"cartId": cart_id, "discountCodes": [code]})
    cart = priced["cartDiscountCodesUpdate"]["cart"]
    # then it prices only the lingered-over novel
    assert cart["discountCodes"] == [{"code": code, "applicable": True, "reason": None}]
    assert cart["cost"]["discountAmount"]["amount"] == "5.00"
    assert cart["cost"]["totalAmount"]["amount"] == "15.00"
    allocations = {
        line["merchandise"]["sku"]: [a["amount"]["amount"] for a in line["discountAllocations"]]
        for line in cart["lines"]
    }
    assert allocations == {"DISP-EPUB": ["5.00"], "POEMS-EPUB": []}

    # when the order is placed and paid (the events function sees it move to paid)
    placed = shop(CHECKOUT, ada, input={"cartId": cart_id, "idempotencyKey": str(uuid.uuid4())})
    assert placed["checkoutComplete"]["userErrors"] == [], placed
    order = placed["checkoutComplete"]["order"]
    assert order["total"]["amount"] == "15.00"
    order_id = local_id_or_none(order["id"], "Order")
    assert order_id is not None
    paid_record = _pay(shop, order_id)
    # and the same stream record is delivered again
    consumers = Consumers(shop.services, Metrics("Commerce", "events"))
    consume_batch(batch(paid_record), consumers, Metrics("Commerce", "events"))

    # then the results count one email, one code issued and used, one order and its revenue
    after = shop.results()
    assert _messages(after, "EMAIL") == _messages(before, "EMAIL") + 1
    assert after["codesIssued"] == before["codesIssued"] + 1
    assert after["codesUsed"] == before["codesUsed"] + 1
    assert after["recoveredOrders"] == before["recoveredOrders"] + 1
    assert _revenue(after) == _revenue(before) + 1500

    # and a later sweep of the same hours writes no second message
    job_cursor.advance(SWEEP, floor_hour(cart_changed) - timedelta(hours=2))
    later = shop.sweep_at(cart_changed + THREE_DAYS + timedelta(days=1))
    assert later["reminders"] == 0
    assert shop.results()["messages"] == after["messages"]


def _pay(shop: Shop, order_id: str) -> dict[str, Any]:
    before = order_image(order_id)
    order = shop.services.orders.order(order_id)
    assert order is not None and order.payment_intent_id is not None
    shop.services.settlement.payment_succeeded(
        order_id=order_id, intent_id=order.payment_intent_id, amount=order.total
    )
    record = stream_record("MODIFY", new=order_image(order_id), old=before)
    consumers = Consumers(shop.services, Metrics("Commerce", "events"))
    assert consume_batch(batch(record), consumers, Metrics("Commerce", "events")) == {
        "batchItemFailures": []
    }
    return record


def _messages(results: dict[str, Any], channel: str) -> int:
    count: int = next(m["messages"] for m in results["messages"] if m["channel"] == channel)
    return count


def _revenue(results: dict[str, Any]) -> int:
    usd = [r for r in results["revenue"] if r["currencyCode"] == "USD"]
    return round(float(usd[0]["amount"]) * 100) if usd else 0
