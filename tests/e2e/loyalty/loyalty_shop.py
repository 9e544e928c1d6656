"""A shop for loyalty tests: its own table, an app, the events function in process, a
clock for the points ledger, and customers who buy through the API."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.testclient import TestClient

from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.catalog.model import VariantKind
from commerce.composition import Services
from commerce.customers.store import profiles
from commerce.events.consumers import Consumers
from commerce.events.handler import consume_batch
from commerce.graphql.ids import local_id_or_none, to_global_id
from commerce.money import Currency, Money
from commerce.observability.metrics import Metrics
from placed_orders import order_image
from stream_records import batch, stream_record

_serial = itertools.count(1)

SIGN_UP = """
mutation ($input: CustomerSignUpInput!) {
  customerSignUp(input: $input) { session { accessToken } userErrors { code } }
}"""
ME = "{ customer { id } }"
LOYALTY = """
query ($first: Int) {
  customer {
    loyalty {
      balance tier { name segment earnMultiplier } spend { amount currencyCode }
      lots { points remaining expiresAt }
      history(first: $first) { kind points orderId reason expiresAt }
    }
  }
}"""
CART_CREATE = """
mutation ($input: CartCreateInput!) {
  cartCreate(input: $input) { cart { id } userErrors { code field } }
}"""
ADDRESS = """
mutation ($input: CartShippingAddressUpdateInput!) {
  cartShippingAddressUpdate(input: $input) { cart { deliveryOptions { id } } userErrors { code } }
}"""
OPTION = """
mutation ($input: CartDeliveryOptionSelectInput!) {
  cartDeliveryOptionSelect(input: $input) { cart { id } userErrors { code } }
}"""
APPLY = """
mutation ($input: CartLoyaltyPointsApplyInput!) {
  cartLoyaltyPointsApply(input: $input) {
    cart {
      loyaltyPoints { requested spent discount { amount } }
      orderDiscounts { promotionId amount { amount } explanation }
      cost { subtotalAmount { amount } shippingAmount { amount } totalAmount { amount } }
    }
    userErrors { field code message }
  }
}"""
CHECKOUT = """
mutation ($input: CheckoutCompleteInput!) {
  checkoutComplete(input: $input) {
    order { id total { amount } discountAmount { amount } lines { total { amount } } }
    userErrors { field code message }
  }
}"""
ZONE = """
mutation ($input: ShippingZoneCreateInput!) {
  shippingZoneCreate(input: $input) { shippingZone { id } userErrors { code } }
}"""
RATE = """
mutation ($input: ShippingRateCreateInput!) {
  shippingRateCreate(input: $input) { shippingRate { id } userErrors { code } }
}"""
ADJUST = """
mutation ($input: LoyaltyPointsAdjustInput!) {
  loyaltyPointsAdjust(input: $input) {
    account { balance history(first: 1) { kind points reason } }
    userErrors { field code message }
  }
}"""
SHIP_TO = {"address1": "1 Main St", "city": "Springfield", "countryCode": "US"}


class Clock:
    """The points ledger's clock: the real time until a test moves it on."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, days: float) -> None:
        self.offset += timedelta(days=days)


@dataclass
class Customer:
    headers: dict[str, str]
    id: str
    gid: str


@dataclass
class LoyaltyShop:
    services: Services
    client: TestClient
    consumers: Consumers
    admin_key: str
    clock: Clock

    def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        admin: bool = False,
    ) -> dict[str, Any]:
        sent = dict(headers or {})
        if admin:
            sent["X-API-Key"] = self.admin_key
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=sent
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def payload(self, query: str, variables: dict[str, Any], **kw: Any) -> dict[str, Any]:
        body = self.gql(query, variables, **kw)
        assert "errors" not in body, body
        (found,) = body["data"].values()
        assert isinstance(found, dict)
        return found

    def stream(self, *records: dict[str, Any]) -> None:
        answer = consume_batch(batch(*records), self.consumers, Metrics("Commerce", "events"))
        assert answer == {"batchItemFailures": []}

    def sign_up(self) -> Customer:
        """A new customer, whose account's stream record has arrived (sign-up bonus)."""
        email = f"reader-{uuid.uuid4().hex[:8]}@example.com"
        body = self.gql(SIGN_UP, {"input": {"email": email, "password": "a reader's passphrase"}})
        token = body["data"]["customerSignUp"]["session"]["accessToken"]
        headers = {"Authorization": f"Bearer {token}"}
        gid = self.gql(ME, headers=headers)["data"]["customer"]["id"]
        local = local_id_or_none(gid, "Customer")
        assert local is not None
        item = profiles.CustomerItem.get(f"CUSTOMER#{local}", profiles.PROFILE_SK)
        self.stream(stream_record("INSERT", new=item.serialize()))
        return Customer(headers, local, gid)

    def loyalty(self, customer: Customer, first: int = 50) -> dict[str, Any]:
        body = self.gql(LOYALTY, {"first": first}, headers=customer.headers)
        assert "errors" not in body, body
        found: dict[str, Any] = body["data"]["customer"]["loyalty"]
        return found

    def book(self, price: str) -> str:
        """A published hardcover at ``price`` USD with plenty of stock; its variant id."""
        sku = f"LO-{next(_serial):05d}-{uuid.uuid4().hex[:4]}"
        product = self.services.catalog.create_product(
            ProductDraft(
                title=f"Novel {sku}",
                published=True,
                variants=(
                    VariantDraft(
                        sku=sku,
                        prices=(Money.from_decimal(price, Currency.USD),),
                        kind=VariantKind.PHYSICAL,
                        initial_stock=100,
                    ),
                ),
            )
        )
        return to_global_id("ProductVariant", f"{product.id}.{product.variants[0].id}")

    def ship_to_us(self) -> None:
        """A US zone with a flat 5.00 rate."""
        zone = self.payload(ZONE, {"input": {"name": "US", "countries": ["US"]}}, admin=True)
        rate = {
            "zoneId": zone["shippingZone"]["id"],
            "title": "Standard",
            "kind": "FLAT",
            "prices": [{"amount": "5.00", "currencyCode": "USD"}],
        }
        assert self.payload(RATE, {"input": rate}, admin=True)["userErrors"] == []

    def cart(self, customer: Customer, variant: str, quantity: int = 1) -> str:
        """The customer's cart with the book, an email, an address and delivery chosen."""
        created = self.payload(
            CART_CREATE,
            {
                "input": {
                    "lines": [{"merchandiseId": variant, "quantity": quantity}],
                    "buyerIdentity": {"email": "reader@example.com"},
                }
            },
            headers=customer.headers,
        )
        cart_id: str = created["cart"]["id"]
        options = self.payload(
            ADDRESS, {"input": {"cartId": cart_id, "address": SHIP_TO}}, headers=customer.headers
        )["cart"]["deliveryOptions"]
        chosen = self.payload(
            OPTION,
            {"input": {"cartId": cart_id, "deliveryOptionId": options[0]["id"]}},
            headers=customer.headers,
        )
        assert chosen["userErrors"] == []
        return cart_id

    def apply(self, customer: Customer, cart_id: str, points: int) -> dict[str, Any]:
        return self.payload(
            APPLY, {"input": {"cartId": cart_id, "points": points}}, headers=customer.headers
        )

    def checkout(self, customer: Customer, cart_id: str) -> dict[str, Any]:
        return self.payload(
            CHECKOUT,
            {"input": {"cartId": cart_id, "idempotencyKey": str(uuid.uuid4())}},
            headers=customer.headers,
        )

    def order_changed(self, order_id: str, change: Any) -> dict[str, Any]:
        """Run ``change`` on the order and deliver its stream record; the record."""
        before = order_image(order_id)
        change()
        record = stream_record("MODIFY", new=order_image(order_id), old=before)
        self.stream(record)
        return record

    def pay(self, order_gid: str) -> dict[str, Any]:
        order_id = local(order_gid, "Order")
        order = self.services.orders.order(order_id)
        assert order is not None
        assert order.payment_intent_id is not None
        return self.order_changed(
            order_id,
            lambda: self.services.settlement.payment_succeeded(
                order_id=order_id, intent_id=order.payment_intent_id, amount=order.total
            ),
        )

    def refund(self, order_gid: str, cumulative: int) -> dict[str, Any]:
        order_id = local(order_gid, "Order")
        order = self.services.orders.order(order_id)
        assert order is not None
        assert order.payment_intent_id is not None
        return self.order_changed(
            order_id,
            lambda: self.services.settlement.refunded(
                order_id=order_id,
                intent_id=order.payment_intent_id,
                amount_refunded=Money(cumulative, Currency.USD),
            ),
        )

    def adjust(self, customer: Customer, points: int, reason: str = "goodwill") -> dict[str, Any]:
        return self.payload(
            ADJUST,
            {"input": {"customerId": customer.gid, "points": points, "reason": reason}},
            admin=True,
        )


def local(gid: str, type_name: str) -> str:
    found = local_id_or_none(gid, type_name)
    assert found is not None
    return found
