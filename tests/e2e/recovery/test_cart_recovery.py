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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
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
from commerce.jobs.abandoned_carts import NAME as SWEEP
from commerce.jobs.abandoned_carts import floor_hour
from commerce.jobs.runner import run_job
from commerce.money import Currency, Money
from commerce.notifications import store as outbox_store
from commerce.observability.metrics import Metrics
from commerce.payments.local import LocalStripe
from commerce.recovery.model import RecoveryChannel
from commerce.recovery.optout import sign_link
from commerce.recovery.service import Decision, RecoveryLinks, RecoveryService
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
        # Each test's set-up is many requests; a loaded test machine must not cut one.
        request_timeout_seconds=60.0,
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
    assert order is not None
    assert order.payment_intent_id is not None
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


# -- who gets nothing ----------------------------------------------------------------------


def test_a_guest_who_lingered_nowhere_gets_the_plain_reminder_without_a_code(shop: Shop) -> None:
    # given a guest's cart with a consenting email and no product views
    email = f"guest-{uuid.uuid4().hex[:8]}@example.com"
    cart_id = shop.cart(email=email, marketingConsent={"email": True})
    before = shop.results()
    # when
    swept = shop.sweep(cart_id, THREE_DAYS)
    with imitated_ses_and_sns() as outbox:
        shop.deliver(message_id(shop, cart_id))
        body = _email_to(outbox, email)
    # then a reminder listing the items, with no code, and no code counted
    assert swept["reminders"] == 1
    assert "- 1 x The Dispossessed: 10.00 USD" in body
    assert "FOR-" not in body
    assert shop.results()["codesIssued"] == before["codesIssued"]


@pytest.mark.parametrize(
    "buyer",
    [
        pytest.param({"marketingConsent": {"email": False}}, id="guest-without-consent"),
        pytest.param({}, id="guest-without-email"),
    ],
)
def test_a_guest_without_consent_or_address_gets_no_message(
    shop: Shop, buyer: dict[str, Any]
) -> None:
    email = f"guest-{uuid.uuid4().hex[:8]}@example.com"
    cart_id = shop.cart(**({"email": email} | buyer) if buyer else {})
    swept = shop.sweep(cart_id, THREE_DAYS)
    assert swept["reminders"] == 0
    assert outbox_store.get(message_id(shop, cart_id)) is None


def test_a_customer_who_withdrew_email_consent_gets_no_message(shop: Shop) -> None:
    # given a customer who lingered but said no to marketing email
    bo = shop.customer(email_consent=False)
    shop.view(bo, shop.novel_product, 150, datetime.now(UTC) - timedelta(minutes=10))
    cart_id = shop.cart(bo, email="bo@example.com", marketingConsent={"email": True})
    before = shop.results()
    # when
    swept = shop.sweep(cart_id, THREE_DAYS)
    # then the cart's own consent does not override the account's "no"
    assert swept["reminders"] == 0
    assert outbox_store.get(message_id(shop, cart_id)) is None
    assert shop.results()["codesIssued"] == before["codesIssued"]


def test_a_cart_idle_for_less_than_the_staff_days_waits(shop: Shop) -> None:
    cart_id = shop.cart(email="soon@example.com", marketingConsent={"email": True})
    assert shop.sweep(cart_id, timedelta(days=2, hours=20))["reminders"] == 0


def test_another_shopper_cannot_use_the_personal_code(shop: Shop) -> None:
    # given a code sent to one customer
    cy = shop.customer()
    shop.view(cy, shop.poems_product, 200, datetime.now(UTC) - timedelta(minutes=10))
    cart_id = shop.cart(cy, email="cy@example.com")
    shop.sweep(cart_id, THREE_DAYS)
    with imitated_ses_and_sns() as outbox:
        shop.deliver(message_id(shop, cart_id))
        code = _code_in(outbox.emails()[0].body)
    # when another customer, and a guest, enter it
    other = shop.customer()
    for headers in (other, None):
        their_cart = shop.cart(headers, email="someone@example.com")
        priced = shop(CART_CODES, headers, input={"cartId": their_cart, "discountCodes": [code]})
        cart = priced["cartDiscountCodesUpdate"]["cart"]
        # then it takes nothing off
        assert cart["discountCodes"][0]["applicable"] is False
        assert cart["cost"]["discountAmount"]["amount"] == "0.00"


# -- opt-out -------------------------------------------------------------------------------


def _opt_out_link(shop: Shop) -> tuple[str, str]:
    """(email, opt-out token) of a guest's reminder."""
    email = f"leaving-{uuid.uuid4().hex[:8]}@example.com"
    cart_id = shop.cart(email=email, marketingConsent={"email": True})
    shop.sweep(cart_id, THREE_DAYS)
    with imitated_ses_and_sns() as outbox:
        shop.deliver(message_id(shop, cart_id))
        body = _email_to(outbox, email)
    found = re.search(r"/recovery/opt-out\?token=(\S+)", body)
    assert found is not None
    return email, found.group(1)


def test_the_opt_out_link_stops_email_without_logging_in(shop: Shop) -> None:
    # given a reminder's link
    email, token = _opt_out_link(shop)
    # when the shopper opens it (GET changes nothing: mail scanners open links too)
    page = shop.client.get(f"/recovery/opt-out?token={token}")
    assert page.status_code == 200
    assert "Stop emails about carts you left?" in page.text
    assert page.headers["cache-control"] == "no-store"
    # and presses the button
    done = shop.client.post(f"/recovery/opt-out?token={token}")
    # then
    assert done.status_code == 200
    assert "We will send you no more emails" in done.text
    # and a later cart of the same address gets no message
    cart_id = shop.cart(email=email.upper(), marketingConsent={"email": True})
    assert shop.sweep(cart_id, THREE_DAYS)["reminders"] == 0


def test_the_opt_out_mutation_takes_the_same_link(shop: Shop) -> None:
    email, token = _opt_out_link(shop)
    result = shop(OPT_OUT, input={"token": token})["recoveryOptOut"]
    assert (result["channel"], result["userErrors"]) == ("EMAIL", [])
    cart_id = shop.cart(email=email, marketingConsent={"email": True})
    assert shop.sweep(cart_id, THREE_DAYS)["reminders"] == 0


def _forged(token: str) -> str:
    prefix, payload, signature = token.split(".")
    flipped = ("B" if signature[0] == "A" else "A") + signature[1:]
    return f"{prefix}.{payload}.{flipped}"


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(_forged, id="altered-signature"),
        pytest.param(lambda t: t.split(".")[0] + ".e30." + t.split(".")[2], id="other-payload"),
        pytest.param(lambda t: "not-a-link", id="garbage"),
        pytest.param(lambda t: "", id="empty"),
        pytest.param(lambda t: t + "x" * 500, id="too-long"),
    ],
)
def test_a_forged_opt_out_link_is_refused_and_changes_nothing(shop: Shop, make: Any) -> None:
    # given a genuine link's address, and a forged token
    email, token = _opt_out_link(shop)
    forged = make(token)
    # when it is used both ways
    result = shop(OPT_OUT, input={"token": forged})["recoveryOptOut"]
    page = shop.client.post(f"/recovery/opt-out?token={forged}")
    # then a typed error and a 400 page
    assert result["channel"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("INVALID_OPT_OUT_LINK", ["token"])
    ]
    assert page.status_code == 400
    assert "Nothing was changed" in page.text
    # and the address still gets its messages
    cart_id = shop.cart(email=email, marketingConsent={"email": True})
    assert shop.sweep(cart_id, THREE_DAYS)["reminders"] == 1


def test_an_expired_opt_out_link_is_refused(shop: Shop) -> None:
    # given a link signed with the store's key that expired an hour ago
    key = opt_out_key(shop.services.settings)
    past = datetime.now(UTC) - timedelta(hours=1)
    token = sign_link(key, RecoveryChannel.EMAIL, "old@example.com", past)
    # when
    result = shop(OPT_OUT, input={"token": token})["recoveryOptOut"]
    page = shop.client.get(f"/recovery/opt-out?token={token}")
    # then
    assert [e["code"] for e in result["userErrors"]] == ["OPT_OUT_LINK_EXPIRED"]
    assert page.status_code == 410
    # and one the clock has not yet reached works (the service's clock is injected)
    later = RecoveryService(
        shop.services.cart,
        shop.services.journeys,
        shop.services.customers,
        shop.services.customer_marketing,
        shop.services.promotions,
        opt_out_key=key,
        push=_no_push(),
        links=RecoveryLinks("https://shop.example", ""),
        clock=lambda: past - timedelta(minutes=1),
    )
    assert later.opt_out(token).channel is RecoveryChannel.EMAIL


def _no_push() -> Any:
    from commerce.recovery.push import SnsPushEndpoints

    return SnsPushEndpoints(REGION, {})


# -- staff settings ------------------------------------------------------------------------


def test_staff_read_the_defaults_and_bad_settings_change_nothing(shop: Shop) -> None:
    defaults = shop(SETTINGS, shop.staff)["recoverySettings"]
    assert (defaults["afterDays"], defaults["percent"], defaults["dwellSeconds"]) == (3, "50", 120)
    assert (defaults["codeDays"], defaults["channels"]) == (7, ["EMAIL", "SMS", "PUSH"])
    refused = shop(
        SETTINGS_UPDATE,
        shop.staff,
        input={
            "afterDays": 0,
            "percent": "0",
            "dwellSeconds": 5000,
            "quietStartHour": 24,
            "defaultTimeZone": "Mars/Olympus_Mons",
        },
    )["recoverySettingsUpdate"]
    assert refused["settings"] is None
    assert sorted((e["code"], e["field"][0]) for e in refused["userErrors"]) == [
        ("INVALID_SETTING", "afterDays"),
        ("INVALID_SETTING", "dwellSeconds"),
        ("INVALID_SETTING", "percent"),
        ("INVALID_SETTING", "quietStartHour"),
        ("INVALID_TIME_ZONE", "defaultTimeZone"),
    ]
    assert shop(SETTINGS, shop.staff)["recoverySettings"] == defaults


def test_staff_set_the_offer_and_the_next_message_follows_it(shop: Shop) -> None:
    # given staff's 25 % off for 30 s of attention, valid 3 days
    changed = shop(
        SETTINGS_UPDATE, shop.staff, input={"percent": "25", "dwellSeconds": 30, "codeDays": 3}
    )["recoverySettingsUpdate"]
    assert changed["userErrors"] == []
    try:
        dee = shop.customer()
        shop.view(dee, shop.poems_product, 45, datetime.now(UTC) - timedelta(minutes=10))
        cart_id = shop.cart(dee, email="dee@example.com")
        shop.sweep(cart_id, THREE_DAYS)
        with imitated_ses_and_sns() as outbox:
            shop.deliver(message_id(shop, cart_id))
            body = outbox.emails()[0].body
        assert "25% off Collected Poems with the code" in body
        expires = (shop.idle_since(cart_id) + THREE_DAYS + timedelta(days=3)).strftime("%Y-%m-%d")
        assert f"valid until {expires}" in body
    finally:
        shop(
            SETTINGS_UPDATE, shop.staff, input={"percent": "50", "dwellSeconds": 120, "codeDays": 7}
        )


# -- SMS in quiet hours, and push -----------------------------------------------------------


def test_a_text_waits_for_the_end_of_the_shoppers_quiet_hours(shop: Shop) -> None:
    # given a customer who prefers texts and lives in Tokyo, and a cart
    eve = shop.customer(email_consent=True, phone="+81312345678")
    prefs = shop(PREFERENCES, eve, input={"preferredChannel": "SMS", "timeZone": "Asia/Tokyo"})
    assert prefs["messagingPreferencesSet"]["userErrors"] == []
    cart_id = shop.cart(eve, email="eve@example.com")
    due = shop.idle_since(cart_id) + THREE_DAYS
    # and quiet hours that hold the sweep's time and the hour after, Tokyo time
    local_hour = due.astimezone(ZoneInfo("Asia/Tokyo")).hour
    quiet = {"quietStartHour": local_hour, "quietEndHour": (local_hour + 2) % 24}
    assert (
        shop(SETTINGS_UPDATE, shop.staff, input=quiet)["recoverySettingsUpdate"]["userErrors"] == []
    )
    try:
        # when the sweep finds the cart
        first = shop.sweep(cart_id, THREE_DAYS)
        # then the text is held back, not sent
        assert (first["reminders"], first["scheduled"]) == (0, 1)
        assert outbox_store.get(message_id(shop, cart_id)) is None
        assert shop.results()["scheduledTexts"] >= 1
        # and an hour later it still waits
        assert shop.sweep_at(due + timedelta(hours=1))["held_back_sent"] == 0
        # when quiet hours are over
        morning = due.replace(minute=0, second=0, microsecond=0) + timedelta(hours=2, minutes=5)
        later = shop.sweep_at(morning)
        # then it goes, once, by SNS to the phone
        assert later["held_back_sent"] == 1
        assert shop.sweep_at(morning + timedelta(hours=1))["held_back_sent"] == 0
        with imitated_ses_and_sns() as outbox:
            shop.deliver(message_id(shop, cart_id))
            texts = outbox.texts()
        assert [phone for phone, _ in texts] == ["+81312345678"]
        assert f"https://shop.example/cart/{token_of(cart_id)}" in texts[0][1]
    finally:
        shop(SETTINGS_UPDATE, shop.staff, input={"quietStartHour": 21, "quietEndHour": 9})


def test_an_app_that_registered_its_device_gets_a_push_message(shop: Shop) -> None:
    with imitated_ses_and_sns():
        _with_push_app()
        # given a customer whose app registered its token with push allowed
        fay = shop.customer(email_consent=False)
        registered = shop(
            REGISTER,
            fay,
            input={"platform": "APNS", "deviceToken": "a1" * 32, "pushAllowed": True},
        )["pushDeviceRegister"]
        assert registered["userErrors"] == []
        device = registered["device"]
        assert (device["platform"], device["pushAllowed"]) == ("APNS", True)
        assert shop(DEVICES, fay)["pushDevices"] == [device]
        shop.view(fay, shop.novel_product, 130, datetime.now(UTC) - timedelta(minutes=10))
        cart_id = shop.cart(fay, email="fay@example.com")
        # when the sweep runs and the events function delivers
        assert shop.sweep(cart_id, THREE_DAYS)["reminders"] == 1
        shop.deliver(message_id(shop, cart_id))
        # then SNS published the offer to the device's endpoint
        from moto.sns.models import sns_backends

        endpoints = sns_backends[DEFAULT_ACCOUNT_ID][REGION].platform_endpoints
        messages = [m for e in endpoints.values() for m in e.messages.values()]
        assert len(messages) == 1
        assert "50% off your cart with code FOR-" in messages[0]
        # when the app unregisters the device
        gone = shop(UNREGISTER, fay, input={"deviceId": device["id"]})["pushDeviceUnregister"]
        assert gone["userErrors"] == []
        assert shop(DEVICES, fay)["pushDevices"] == []
        # then unregistering it again is a typed error
        again = shop(UNREGISTER, fay, input={"deviceId": device["id"]})["pushDeviceUnregister"]
        assert [e["code"] for e in again["userErrors"]] == ["DEVICE_NOT_FOUND"]


@pytest.mark.parametrize(
    ("device_input", "code"),
    [
        pytest.param({"platform": "APNS", "deviceToken": ""}, "INVALID_DEVICE_TOKEN", id="empty"),
        pytest.param(
            {"platform": "APNS", "deviceToken": "x" * 5000}, "INVALID_DEVICE_TOKEN", id="long"
        ),
        pytest.param({"platform": "FCM", "deviceToken": "t0ken"}, "PUSH_NOT_CONFIGURED", id="fcm"),
    ],
)
def test_bad_device_registrations_are_refused(
    shop: Shop, device_input: dict[str, Any], code: str
) -> None:
    gus = shop.customer()
    result = shop(REGISTER, gus, input={**device_input, "pushAllowed": True})["pushDeviceRegister"]
    assert result["device"] is None
    assert [e["code"] for e in result["userErrors"]] == [code]
    assert shop(DEVICES, gus)["pushDevices"] == []


def test_a_bad_time_zone_preference_is_refused(shop: Shop) -> None:
    hal = shop.customer()
    result = shop(PREFERENCES, hal, input={"timeZone": "Europe/Atlantis"})
    assert [e["code"] for e in result["messagingPreferencesSet"]["userErrors"]] == [
        "INVALID_TIME_ZONE"
    ]


# -- guests with a visitor -----------------------------------------------------------------

RECORD_AS_VISITOR = """
mutation ($input: EventsRecordInput!) {
  eventsRecord(input: $input) { visitorToken stored userErrors { field code message } }
}"""
CART_WITH_VISITOR = """
mutation ($input: CartCreateInput!) {
  cartCreate(input: $input) { cart { id } userErrors { field code message } }
}"""
ME = "{ customer { id preferredChannel timeZone } }"
CUSTOMER_UPDATE_PREFS = """
mutation ($input: CustomerUpdateInput!) {
  customerUpdate(input: $input) {
    customer { preferredChannel timeZone } userErrors { field code message }
  }
}"""


def _guest_views(shop: Shop, dwell: dict[str, int], at: datetime) -> str:
    """A guest's visitor viewing each product for its seconds, then adding it: its token."""
    token: str | None = None
    for offset, (product, seconds) in enumerate(dwell.items()):
        start = at + timedelta(minutes=5 * offset)
        events = [Shop._event("PRODUCT_VIEW", start, product, "START")]
        events += [
            Shop._event("PRODUCT_VIEW", start + timedelta(seconds=s), product, "HEARTBEAT")
            for s in range(15, seconds, 15)
        ]
        events.append(
            Shop._event("PRODUCT_VIEW", start + timedelta(seconds=seconds), product, "END")
        )
        events.append(Shop._event("ADD_TO_CART", start + timedelta(seconds=seconds + 5), product))
        data: dict[str, Any] = {"events": events}
        if token is not None:
            data["visitorToken"] = token
        recorded = shop(RECORD_AS_VISITOR, input=data)["eventsRecord"]
        assert recorded["userErrors"] == [], recorded
        token = recorded["visitorToken"]
    assert token is not None
    return token


def _sweep_writes_to(shop: Shop, cart_id: str) -> None:
    """The sweep three days on leaves a message for this cart (other carts of the hour
    may get theirs in the same run)."""
    assert shop.sweep(cart_id, THREE_DAYS)["reminders"] >= 1
    assert outbox_store.get(message_id(shop, cart_id)) is not None


def _guest_cart(shop: Shop, visitor: str | None, **buyer: Any) -> str:
    lines = [{"merchandiseId": v, "quantity": 1} for v in (shop.novel, shop.poems)]
    data: dict[str, Any] = {"currency": "USD", "lines": lines, "buyerIdentity": buyer}
    if visitor is not None:
        data["visitorToken"] = visitor
    created = shop(CART_WITH_VISITOR, input=data)["cartCreate"]
    assert created["userErrors"] == [], created
    cart_id: str = created["cart"]["id"]
    return cart_id


def test_a_lingering_guest_gets_a_code_only_their_cart_can_use_and_it_recovers_the_order(
    shop: Shop,
) -> None:
    # given a guest's visitor who looked at the novel for 150 s and the poems for 30 s,
    # then made a cart carrying the visitor, with an email they agreed to be written to
    visitor = _guest_views(
        shop,
        {shop.novel_product: 150, shop.poems_product: 30},
        datetime.now(UTC) - timedelta(minutes=20),
    )
    email = f"guest-{uuid.uuid4().hex[:8]}@example.com"
    cart_id = _guest_cart(shop, visitor, email=email, marketingConsent={"email": True})
    before = shop.results()

    # when the sweep runs three days later and the message is delivered
    _sweep_writes_to(shop, cart_id)
    with imitated_ses_and_sns() as outbox:
        shop.deliver(message_id(shop, cart_id))
        body = _email_to(outbox, email)

    # then it offers 50 % off the novel only, with a code
    assert "50% off The Dispossessed with the code" in body
    code = _code_in(body)
    assert shop.results()["codesIssued"] == before["codesIssued"] + 1

    # when another guest's cart (same email, even) and a customer's cart enter the code
    for headers in (None, shop.customer()):
        other = shop.cart(headers, email=email)
        tried = shop(CART_CODES, headers, input={"cartId": other, "discountCodes": [code]})
        cart = tried["cartDiscountCodesUpdate"]["cart"]
        # then it is refused with its reason and takes nothing off
        assert cart["discountCodes"] == [
            {"code": code, "applicable": False, "reason": "NOT_YOUR_CODE"}
        ]
        assert cart["cost"]["discountAmount"]["amount"] == "0.00"

    # when the guest enters it in the recovered cart
    priced = shop(CART_CODES, input={"cartId": cart_id, "discountCodes": [code]})
    cart = priced["cartDiscountCodesUpdate"]["cart"]
    # then it prices the lingered-over novel only
    assert cart["discountCodes"] == [{"code": code, "applicable": True, "reason": None}]
    assert cart["cost"]["discountAmount"]["amount"] == "5.00"

    # when the guest checks out and pays, and the paid record is delivered twice
    placed = shop(CHECKOUT, input={"cartId": cart_id, "idempotencyKey": str(uuid.uuid4())})
    assert placed["checkoutComplete"]["userErrors"] == [], placed
    order_id = local_id_or_none(placed["checkoutComplete"]["order"]["id"], "Order")
    assert order_id is not None
    record = _pay(shop, order_id)
    consumers = Consumers(shop.services, Metrics("Commerce", "events"))
    consume_batch(batch(record), consumers, Metrics("Commerce", "events"))

    # then one recovered order, its code used, its revenue counted
    after = shop.results()
    assert after["codesUsed"] == before["codesUsed"] + 1
    assert after["recoveredOrders"] == before["recoveredOrders"] + 1
    assert _revenue(after) == _revenue(before) + 1500


def test_a_guest_cart_without_a_visitor_gets_the_plain_reminder(shop: Shop) -> None:
    # given a guest whose visitor lingered, but whose cart was made without its token
    _guest_views(shop, {shop.novel_product: 150}, datetime.now(UTC) - timedelta(minutes=10))
    email = f"guest-{uuid.uuid4().hex[:8]}@example.com"
    cart_id = _guest_cart(shop, None, email=email, marketingConsent={"email": True})
    before = shop.results()
    # when
    _sweep_writes_to(shop, cart_id)
    with imitated_ses_and_sns() as outbox:
        shop.deliver(message_id(shop, cart_id))
        body = _email_to(outbox, email)
    # then no code: there is no dwell to target
    assert "FOR-" not in body
    assert shop.results()["codesIssued"] == before["codesIssued"]


def test_a_lingering_guest_without_consent_gets_nothing(shop: Shop) -> None:
    visitor = _guest_views(
        shop, {shop.novel_product: 150}, datetime.now(UTC) - timedelta(minutes=10)
    )
    email = f"guest-{uuid.uuid4().hex[:8]}@example.com"
    cart_id = _guest_cart(shop, visitor, email=email, marketingConsent={"email": False})
    before = shop.results()
    assert shop.sweep(cart_id, THREE_DAYS)["reminders"] == 0
    assert outbox_store.get(message_id(shop, cart_id)) is None
    assert shop.results()["codesIssued"] == before["codesIssued"]


@pytest.mark.parametrize("token", ["forged", "", "v1.abc.def"])
def test_a_cart_with_a_visitor_token_the_store_did_not_issue_is_refused(
    shop: Shop, token: str
) -> None:
    lines = [{"merchandiseId": shop.novel, "quantity": 1}]
    created = shop(
        CART_WITH_VISITOR, input={"currency": "USD", "lines": lines, "visitorToken": token}
    )["cartCreate"]
    assert created["cart"] is None
    assert [(e["field"], e["code"]) for e in created["userErrors"]] == [
        (["visitorToken"], "INVALID_ID")
    ]


# -- recovered orders are counted by the cart they came from ---------------------------------


def test_an_order_from_the_recovered_cart_counts_without_the_code_and_another_cart_does_not(
    shop: Shop,
) -> None:
    # given a customer who got a plain reminder (no dwell, no code) for one cart
    ivy = shop.customer()
    reminded = shop.cart(ivy, email="ivy@example.com")
    _sweep_writes_to(shop, reminded)
    before = shop.results()
    # when they order from a new cart instead, and pay
    other = shop.cart(ivy, email="ivy@example.com")
    placed = shop(CHECKOUT, ivy, input={"cartId": other, "idempotencyKey": str(uuid.uuid4())})
    order_id = local_id_or_none(placed["checkoutComplete"]["order"]["id"], "Order")
    assert order_id is not None
    _pay(shop, order_id)
    # then that order is not a recovered one
    assert shop.results()["recoveredOrders"] == before["recoveredOrders"]

    # given a guest reminded of a cart, who orders from it without any code
    email = f"guest-{uuid.uuid4().hex[:8]}@example.com"
    cart_id = _guest_cart(shop, None, email=email, marketingConsent={"email": True})
    _sweep_writes_to(shop, cart_id)
    placed = shop(CHECKOUT, input={"cartId": cart_id, "idempotencyKey": str(uuid.uuid4())})
    order_id = local_id_or_none(placed["checkoutComplete"]["order"]["id"], "Order")
    assert order_id is not None
    _pay(shop, order_id)
    # then it is recovered, with no code used
    after = shop.results()
    assert after["recoveredOrders"] == before["recoveredOrders"] + 1
    assert after["codesUsed"] == before["codesUsed"]
    assert _revenue(after) == _revenue(before) + 2000


# -- preferences on the customer's profile ------------------------------------------------------


def _prefer_texts_in_tokyo_via_profile(shop: Shop, headers: dict[str, str]) -> None:
    changed = shop(
        CUSTOMER_UPDATE_PREFS, headers, input={"preferredChannel": "SMS", "timeZone": "Asia/Tokyo"}
    )["customerUpdate"]
    assert changed["userErrors"] == []
    assert changed["customer"] == {"preferredChannel": "SMS", "timeZone": "Asia/Tokyo"}


def _prefer_texts_in_tokyo_in_the_older_record(shop: Shop, headers: dict[str, str]) -> None:
    # As stores written before preferences moved to the profile hold them.
    from commerce.recovery import store as recovery_store
    from commerce.recovery.model import Preferences

    me = local_id_or_none(shop(ME, headers)["customer"]["id"], "Customer")
    assert me is not None
    recovery_store.put_preferences(me, Preferences(RecoveryChannel.SMS, "Asia/Tokyo"))


@pytest.mark.parametrize(
    "prefer",
    [
        pytest.param(_prefer_texts_in_tokyo_via_profile, id="profile"),
        pytest.param(_prefer_texts_in_tokyo_in_the_older_record, id="older-record"),
    ],
)
def test_the_preferred_channel_and_time_zone_decide_the_message(
    shop: Shop, prefer: Callable[[Shop, dict[str, str]], None]
) -> None:
    # given a customer reachable by email and text who prefers texts, in Tokyo
    jo = shop.customer(email_consent=True, phone="+81312345679")
    prefer(shop, jo)
    cart_id = shop.cart(jo, email="jo@example.com")
    due = shop.idle_since(cart_id) + THREE_DAYS
    local_hour = due.astimezone(ZoneInfo("Asia/Tokyo")).hour
    quiet = {"quietStartHour": local_hour, "quietEndHour": (local_hour + 2) % 24}
    assert (
        shop(SETTINGS_UPDATE, shop.staff, input=quiet)["recoverySettingsUpdate"]["userErrors"] == []
    )
    try:
        # when the sweep runs in Tokyo's quiet hours
        swept = shop.sweep(cart_id, THREE_DAYS)
        # then a text is held back (an email would have gone at once)
        assert swept["scheduled"] >= 1
        assert outbox_store.get(message_id(shop, cart_id)) is None
    finally:
        shop(SETTINGS_UPDATE, shop.staff, input={"quietStartHour": 21, "quietEndHour": 9})


def test_messaging_preferences_set_saves_them_on_the_profile(shop: Shop) -> None:
    kim = shop.customer()
    saved = shop(PREFERENCES, kim, input={"preferredChannel": "PUSH", "timeZone": "Europe/Oslo"})
    assert saved["messagingPreferencesSet"]["userErrors"] == []
    assert shop(ME, kim)["customer"]["preferredChannel"] == "PUSH"
    assert shop(ME, kim)["customer"]["timeZone"] == "Europe/Oslo"


@pytest.mark.parametrize("zone", ["Europe/Atlantis", "UTC+2", "x" * 300])
def test_a_bad_time_zone_on_the_profile_is_refused_and_changes_nothing(
    shop: Shop, zone: str
) -> None:
    lou = shop.customer()
    _prefer_texts_in_tokyo_via_profile(shop, lou)
    refused = shop(
        CUSTOMER_UPDATE_PREFS, lou, input={"timeZone": zone, "preferredChannel": "EMAIL"}
    )["customerUpdate"]
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [(["timeZone"], "INVALID")]
    mine = shop(ME, lou)["customer"]
    assert (mine["preferredChannel"], mine["timeZone"]) == ("SMS", "Asia/Tokyo")


# -- the counters are a ledger of what happened ----------------------------------------------

CART_LINES_ADD = """
mutation ($input: CartLinesAddInput!) {
  cartLinesAdd(input: $input) { userErrors { field code message } }
}"""
COUNTERS = settings(
    derandomize=True,
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
KINDS = ("lingering guest", "plain guest", "lingering customer", "plain customer")


@dataclass
class _ShopperCart:
    """One cart of the sequence, as an independent count sees it."""

    cart_id: str
    headers: dict[str, str] | None
    customer: bool
    lingered: bool
    changed_at: int  # the step of its last change
    live: bool = True
    messaged: bool = False
    message_for: int | None = None  # the change (step) its one message was written for
    code: str | None = None


@dataclass
class _Expected:
    """What the results should have gained, counted from the sequence alone."""

    emails: int = 0
    codes_issued: int = 0
    codes_used: int = 0
    orders: int = 0
    revenue: int = 0
    paid_records: list[dict[str, Any]] = field(default_factory=list)


steps = st.lists(
    st.one_of(
        st.tuples(st.just("cart"), st.sampled_from(KINDS)),
        st.tuples(st.just("sweep"), st.integers(0, 5)),
        st.tuples(st.just("change"), st.integers(0, 5)),
        st.tuples(st.just("order"), st.integers(0, 5), st.booleans()),
        st.tuples(st.just("replay"), st.integers(0, 5)),
    ),
    min_size=3,
    max_size=8,
)
_LEDGER_CUSTOMER: dict[str, dict[str, str]] = {}


@COUNTERS
@given(sequence=steps)
# The paths that matter, every run, besides the drawn ones: a guest's code used and its
# payment replayed; a plain reminder's cart ordered without a code; a customer's cart
# changed after its message, then an order that stops their other cart.
@example(
    [("cart", "lingering guest"), ("sweep", 0), ("sweep", 0), ("order", 0, True), ("replay", 0)]
)
@example(
    [
        ("cart", "plain guest"),
        ("cart", "plain customer"),
        ("sweep", 0),
        ("order", 0, False),
        ("sweep", 1),
        ("order", 1, False),
        ("replay", 1),
        ("replay", 0),
    ]
)
@example(
    [
        ("cart", "lingering customer"),
        ("cart", "plain customer"),
        ("sweep", 0),
        ("change", 0),
        ("sweep", 0),
        ("order", 0, True),
        ("sweep", 1),
        ("change", 1),
        ("sweep", 1),
    ]
)
def test_the_recovery_counters_equal_an_independent_count_of_any_sequence(
    shop: Shop, sequence: list[tuple[Any, ...]]
) -> None:
    before = shop.results()
    expected = _Expected()
    carts: list[_ShopperCart] = []
    # One customer for every example (signing up is slow): payments of earlier examples
    # all precede this example's carts, so only this example's orders can stop them.
    customer = _LEDGER_CUSTOMER.get("headers") or _LEDGER_CUSTOMER.setdefault(
        "headers", shop.customer()
    )
    last_paid_at = -1  # the step of the customer's last paid order
    lingered = False  # the customer's journey has the novel's dwell before adding it
    for step, (op, *args) in enumerate(sequence):
        if op == "cart":
            carts.append(_new_cart(shop, args[0], customer, step))
            lingered = lingered or args[0] == "lingering customer"
        elif op == "sweep" and carts:
            cart = carts[args[0] % len(carts)]
            ordered_since = cart.customer and last_paid_at > cart.changed_at
            should_send = cart.live and not cart.messaged and not ordered_since
            assert (_sweep_one(shop, cart) == Decision.SENT) == should_send
            if should_send:
                cart.messaged, cart.message_for = True, cart.changed_at
                expected.emails += 1
                expected.codes_issued += int(cart.lingered or (cart.customer and lingered))
            if cart.live:
                # one message per cart: under the change it was written for, none later
                message = outbox_store.get(message_id(shop, cart.cart_id))
                assert (message is not None) == (cart.message_for == cart.changed_at)
                if message is not None:
                    cart.code = message.data.as_dict().get("code")
        elif op == "change" and carts:
            cart = carts[args[0] % len(carts)]
            if cart.live:
                added = shop(
                    CART_LINES_ADD,
                    cart.headers,
                    input={"cartId": cart.cart_id, "lines": [{"merchandiseId": shop.poems}]},
                )["cartLinesAdd"]
                assert added["userErrors"] == []
                cart.changed_at = step
        elif op == "order" and carts:
            cart = carts[args[0] % len(carts)]
            if cart.live:
                use_code = args[1] and cart.code is not None
                total = _order(shop, cart, use_code, expected)
                cart.live = False
                if cart.customer:
                    last_paid_at = step
                if cart.messaged:
                    expected.orders += 1
                    expected.revenue += total
                    expected.codes_used += int(use_code)
        elif op == "replay" and expected.paid_records:
            record = expected.paid_records[args[0] % len(expected.paid_records)]
            consumers = Consumers(shop.services, Metrics("Commerce", "events"))
            consume_batch(batch(record), consumers, Metrics("Commerce", "events"))
        after = shop.results()
        assert _messages(after, "EMAIL") - _messages(before, "EMAIL") == expected.emails
        assert _messages(after, "SMS") == _messages(before, "SMS")
        assert _messages(after, "PUSH") == _messages(before, "PUSH")
        assert after["codesIssued"] - before["codesIssued"] == expected.codes_issued
        assert after["codesUsed"] - before["codesUsed"] == expected.codes_used
        assert after["recoveredOrders"] - before["recoveredOrders"] == expected.orders
        assert _revenue(after) - _revenue(before) == expected.revenue


def _new_cart(shop: Shop, kind: str, customer: dict[str, str], step: int) -> _ShopperCart:
    lingered = kind.startswith("lingering")
    viewed = datetime.now(UTC) - timedelta(minutes=10)
    if kind.endswith("customer"):
        if lingered:
            shop.view(customer, shop.novel_product, 150, viewed)
        cart_id = shop.cart(customer, email="ledger@example.com")
        return _ShopperCart(cart_id, customer, True, lingered, step)
    visitor = _guest_views(shop, {shop.novel_product: 150}, viewed) if lingered else None
    email = f"ledger-{uuid.uuid4().hex[:8]}@example.com"
    cart_id = _guest_cart(shop, visitor, email=email, marketingConsent={"email": True})
    return _ShopperCart(cart_id, None, False, lingered, step)


def _sweep_one(shop: Shop, cart: _ShopperCart) -> str | None:
    """The sweep's decision for this one cart, three days after its last change (a
    checked-out cart is gone: the sweep never finds it)."""
    if not cart.live:
        return None
    priced = shop.services.cart.cart(token_of(cart.cart_id))
    assert priced is not None
    return shop.services.recovery.recover(priced.cart, priced.cart.updated_at + THREE_DAYS)


def _order(shop: Shop, cart: _ShopperCart, use_code: bool, expected: _Expected) -> int:
    """Check the cart out (with its code if asked) and pay: the order's total."""
    if use_code:
        priced = shop(
            CART_CODES, cart.headers, input={"cartId": cart.cart_id, "discountCodes": [cart.code]}
        )["cartDiscountCodesUpdate"]["cart"]
        assert priced["discountCodes"][0]["applicable"] is True
    placed = shop(
        CHECKOUT, cart.headers, input={"cartId": cart.cart_id, "idempotencyKey": str(uuid.uuid4())}
    )["checkoutComplete"]
    assert placed["userErrors"] == [], placed
    order_id = local_id_or_none(placed["order"]["id"], "Order")
    assert order_id is not None
    expected.paid_records.append(_pay(shop, order_id))
    return round(float(placed["order"]["total"]["amount"]) * 100)
