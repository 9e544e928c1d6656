"""A demo bookstore with customers and paid orders, for the reviews' API tests.

Customers sign up and shop over GraphQL; payments, fulfilment and refunds go through the
orders service, and each change reaches the events function as the table's stream
delivers it (a MODIFY record with both images), through its own dispatch.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from starlette.testclient import TestClient

from commerce.access.model import Scope
from commerce.app import create_app
from commerce.catalog.demo import seed_demo_catalog
from commerce.catalog.model import VariantKind
from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.events.consumers import Consumers
from commerce.events.handler import consume_batch
from commerce.graphql.ids import from_global_id, to_global_id
from commerce.inventory.commands import SetLevel
from commerce.money import Money
from commerce.observability.metrics import Metrics
from commerce.orders.commands import FulfillOrder
from commerce.orders.model import Order, Tracking
from placed_orders import order_image
from stream_records import batch, stream_record
from table_settings import fresh_settings

SIGN_UP = """
mutation ($input: CustomerSignUpInput!) {
  customerSignUp(input: $input) { session { accessToken } userErrors { code } }
}
"""
UPDATE_ME = """
mutation ($input: CustomerUpdateInput!) { customerUpdate(input: $input) { userErrors { code } } }
"""
CART_CREATE = """
mutation ($input: CartCreateInput!) {
  cartCreate(input: $input) { cart { id } userErrors { code field } }
}"""
ADDRESS = """
mutation ($input: CartShippingAddressUpdateInput!) {
  cartShippingAddressUpdate(input: $input) {
    cart { deliveryOptions { id title } } userErrors { code }
  }
}"""
OPTION = """
mutation ($input: CartDeliveryOptionSelectInput!) {
  cartDeliveryOptionSelect(input: $input) { cart { id } userErrors { code } }
}"""
CHECKOUT = """
mutation ($input: CheckoutCompleteInput!) {
  checkoutComplete(input: $input) { order { id } orderAccessToken userErrors { code } }
}"""
ZONE = """
mutation ($input: ShippingZoneCreateInput!) {
  shippingZoneCreate(input: $input) { shippingZone { id } userErrors { code } }
}"""
RATE = """
mutation ($input: ShippingRateCreateInput!) {
  shippingRateCreate(input: $input) { shippingRate { id } userErrors { code } }
}"""
SHIP_TO = {"address1": "1 Main St", "city": "Springfield", "countryCode": "US"}

ASH_BORN = "the-ash-born-queen"
CINDERS = "a-crown-of-cinders"
HEARTH = "the-hearth-at-the-worlds-edge"
RELAY = "the-drowned-relay"


@dataclass
class Buyer:
    headers: dict[str, str]
    id: str
    email: str


@dataclass
class Placed:
    order: Order
    global_id: str
    access_token: str | None


@dataclass
class Shop:
    services: Services
    client: TestClient
    consumers: Consumers
    metrics: Metrics
    admin: dict[str, str]
    buyers: dict[str, Buyer] = field(default_factory=dict)

    def __call__(
        self, query: str, headers: dict[str, str] | None = None, **variables: Any
    ) -> dict[str, Any]:
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers or {}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, headers: dict[str, str] | None = None, **variables: Any) -> Any:
        body = self(query, headers, **variables)
        assert "errors" not in body, body
        return body["data"]

    def sign_up(self, name: str, *, email_consent: bool) -> Buyer:
        email = f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.com"
        body = self.data(SIGN_UP, input={"email": email, "password": "a reader's long passphrase"})
        headers = {"Authorization": f"Bearer {body['customerSignUp']['session']['accessToken']}"}
        me = self.data("query { customer { id } }", headers)
        update = {"firstName": name, "lastName": "Reader"}
        if email_consent:
            update["marketingConsent"] = {"email": True}  # type: ignore[assignment]
        assert self.data(UPDATE_ME, headers, input=update)["customerUpdate"]["userErrors"] == []
        buyer = Buyer(headers, from_global_id(me["customer"]["id"], "Customer"), email)
        self.buyers[name] = buyer
        return buyer

    def product_id(self, handle: str) -> str:
        found = self.services.catalog.product_by_handle(handle, include_unpublished=True)
        assert found is not None
        return found.product.id

    def product_gid(self, handle: str) -> str:
        return to_global_id("Product", self.product_id(handle))

    def variant_gid(self, handle: str, format_name: str) -> str:
        found = self.services.catalog.product_by_handle(handle, include_unpublished=True)
        assert found is not None
        variant = next(v for v in found.product.variants if v.title == format_name)
        return to_global_id("ProductVariant", f"{found.product.id}.{variant.id}")

    def paid_order(self, buyer: Buyer | None, *lines: tuple[str, str]) -> Placed:
        """Place an order over GraphQL and pay it; its payment reaches the stream."""
        headers = buyer.headers if buyer else {}
        created = {
            "lines": [{"merchandiseId": self.variant_gid(h, f), "quantity": 1} for h, f in lines],
            "buyerIdentity": {"email": buyer.email if buyer else "guest@example.com"},
        }
        cart = self.data(CART_CREATE, headers, input=created)["cartCreate"]
        assert cart["userErrors"] == [], cart
        cart_id = cart["cart"]["id"]
        if any(f == "Hardcover" for _, f in lines):
            options = self.data(ADDRESS, headers, input={"cartId": cart_id, "address": SHIP_TO})
            option = next(
                o["id"]
                for o in options["cartShippingAddressUpdate"]["cart"]["deliveryOptions"]
                if o["title"] == "Standard"
            )
            self.data(OPTION, headers, input={"cartId": cart_id, "deliveryOptionId": option})
        placed = self.data(
            CHECKOUT, headers, input={"cartId": cart_id, "idempotencyKey": uuid.uuid4().hex}
        )["checkoutComplete"]
        assert placed["userErrors"] == [], placed
        order_id = from_global_id(placed["order"]["id"], "Order")
        order = self.services.orders.order(order_id)
        assert order is not None
        before = order_image(order_id)
        self.services.settlement.payment_succeeded(
            order_id=order_id, intent_id=str(order.payment_intent_id), amount=order.total
        )
        self.stream(stream_record("MODIFY", new=order_image(order_id), old=before))
        paid = self.services.orders.order(order_id)
        assert paid is not None
        return Placed(paid, placed["order"]["id"], placed["orderAccessToken"])

    def fulfil(self, placed: Placed) -> Order:
        before = order_image(placed.order.id)
        order = self.services.orders.fulfill(
            FulfillOrder(placed.order.id, Tracking("UPS", "1Z999", None)), actor="test"
        )
        self.stream(stream_record("MODIFY", new=order_image(placed.order.id), old=before))
        return order

    def refund(self, placed: Placed, amount: int) -> Order:
        before = order_image(placed.order.id)
        self.services.settlement.refunded(
            order_id=placed.order.id,
            intent_id=str(placed.order.payment_intent_id),
            amount_refunded=Money(amount, placed.order.currency),
        )
        self.stream(stream_record("MODIFY", new=order_image(placed.order.id), old=before))
        order = self.services.orders.order(placed.order.id)
        assert order is not None
        return order

    def stream(self, *records: dict[str, Any]) -> None:
        assert consume_batch(batch(*records), self.consumers, self.metrics) == {
            "batchItemFailures": []
        }


def open_shop(dynamodb_endpoint: str, stripe_endpoint: str) -> Iterator[Shop]:
    """The shop for one test file: demo catalog, US shipping, an admin key."""
    settings = fresh_settings(dynamodb_endpoint, stripe_endpoint, "whsec_reviews")
    services = build_services(settings)
    create_table_if_missing()
    seed_demo_catalog(services.catalog)
    # Every hardcover in stock: these tests buy the sold-out one too.
    for handle in (ASH_BORN, CINDERS, HEARTH, RELAY):
        found = services.catalog.product_by_handle(handle, include_unpublished=True)
        assert found is not None
        for variant in found.product.variants:
            if variant.kind is VariantKind.PHYSICAL:
                level = SetLevel((found.product.id, variant.id), 1000, "review tests")
                services.inventory.set_level(level, actor="test")
    admin = services.access.create_key("reviews staff", frozenset({Scope.ADMIN})).plaintext
    metrics = Metrics(namespace="Commerce", service="events")
    with TestClient(create_app(services)) as client:
        shop = Shop(services, client, Consumers(services, metrics), metrics, {"X-API-Key": admin})
        zone = shop.data(ZONE, shop.admin, input={"name": "US", "countries": ["US"]})
        rate = {
            "zoneId": zone["shippingZoneCreate"]["shippingZone"]["id"],
            "title": "Standard",
            "kind": "FLAT",
            "prices": [{"amount": "5.00", "currencyCode": "USD"}],
        }
        assert shop.data(RATE, shop.admin, input=rate)["shippingRateCreate"]["userErrors"] == []
        yield shop
