"""Builders for checkout and order tests: a payment port that records, carts ready to buy.

``RecordingGateway`` satisfies ``commerce.payments.ports.PaymentGateway`` (our own port,
not an imitation of the stripe library): checkout and order tests check what the
service asks of payments; the Stripe gateway itself is tested against localstripe.
"""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from commerce.money import Money
from commerce.payments.ports import IntentStatus, PaymentIntent, PaymentUnavailable, Refund

if TYPE_CHECKING:
    from conftest import GraphQLCaller

_serial = itertools.count(1)


class Clock:
    """A clock that stands still until told to move (starts at the real time)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class RecordingGateway:
    """A PaymentGateway that keeps intents in memory and records every call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.unavailable = False
        self.intents: dict[str, PaymentIntent] = {}
        self.by_key: dict[str, str] = {}
        self.metadata: dict[str, str] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.refunds: list[Refund] = []
        # What Stripe answers a new refund: card refunds succeed at once, others may wait.
        self.refund_status = "succeeded"

    def _record(self, name: str, **args: Any) -> None:
        with self._lock:
            self.calls.append((name, args))
        if self.unavailable:
            raise PaymentUnavailable(f"{name}: connection refused")

    def create_intent(
        self, *, order_id: str, amount: Money, idempotency_key: str, email: str | None
    ) -> PaymentIntent:
        self._record(
            "create_intent",
            order_id=order_id,
            amount=amount,
            idempotency_key=idempotency_key,
            email=email,
        )
        with self._lock:
            known = self.by_key.get(idempotency_key)
            if known is not None:
                return self.intents[known]
            intent_id = f"pi_{next(_serial):06d}"
            intent = PaymentIntent(
                intent_id, f"{intent_id}_secret_abc", amount, IntentStatus.REQUIRES_PAYMENT_METHOD
            )
            self.intents[intent_id] = intent
            self.by_key[idempotency_key] = intent_id
            self.metadata[intent_id] = order_id
            return intent

    def retrieve_intent(self, intent_id: str) -> PaymentIntent:
        self._record("retrieve_intent", intent_id=intent_id)
        return self.intents[intent_id]

    def cancel_intent(self, intent_id: str) -> None:
        self._record("cancel_intent", intent_id=intent_id)

    def refund(self, *, payment_intent_id: str, amount: Money, idempotency_key: str) -> Refund:
        self._record(
            "refund",
            payment_intent_id=payment_intent_id,
            amount=amount,
            idempotency_key=idempotency_key,
        )
        refund = Refund(f"re_{next(_serial):06d}", payment_intent_id, amount, self.refund_status)
        with self._lock:
            self.refunds.append(refund)
        return refund

    def names(self) -> list[str]:
        """The methods called, in order."""
        with self._lock:
            return [name for name, _ in self.calls]


USER_ERRORS = "userErrors { field code message }"
ORDER_FIELDS = """
  id number name status stockState createdAt email currencyCode reservedUntil
  lines {
    title variantTitle sku quantity kind productId variantId
    unitPrice { amount } total { amount } totalTax { amount } discounts { title }
  }
  subtotal { amount } shipping { amount } totalTax { amount } total { amount currencyCode }
  shippingAddress { city countryCode }
  delivery { title price { amount } }
  statusHistory { fromStatus toStatus actor note }
  paymentError paidAmount { amount } refundedAmount { amount } refundPendingAmount { amount }
  tracking { carrier number url } attention
"""
CHECKOUT = f"""
mutation ($input: CheckoutCompleteInput!) {{
  checkoutComplete(input: $input) {{
    order {{ {ORDER_FIELDS} }}
    paymentIntentClientSecret orderAccessToken
    {USER_ERRORS}
  }}
}}"""
ORDER = f"""
query ($id: ID!, $token: String) {{ order(id: $id, accessToken: $token) {{ {ORDER_FIELDS} }} }}
"""
ORDERS = f"""
query ($filter: OrderFilter, $first: Int!, $after: String) {{
  orders(filter: $filter, first: $first, after: $after) {{
    nodes {{ {ORDER_FIELDS} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}"""
PRODUCT_CREATE = """
mutation ($input: ProductCreateInput!) {
  productCreate(input: $input) { product { variants { id } } userErrors { code } }
}"""
CART_CREATE = """
mutation ($input: CartCreateInput!) {
  cartCreate(input: $input) {
    cart { id cost { totalAmount { amount } } deliveryOptions { id title } }
    userErrors { code field }
  }
}"""
ADDRESS = """
mutation ($input: CartShippingAddressUpdateInput!) {
  cartShippingAddressUpdate(input: $input) {
    cart { id deliveryOptions { id title } } userErrors { code }
  }
}"""
OPTION = """
mutation ($input: CartDeliveryOptionSelectInput!) {
  cartDeliveryOptionSelect(input: $input) {
    cart { id cost { totalAmount { amount } } } userErrors { code }
  }
}"""
LINES_ADD = """
mutation ($input: CartLinesAddInput!) {
  cartLinesAdd(input: $input) { cart { id } userErrors { code } }
}"""
ZONE = """
mutation ($input: ShippingZoneCreateInput!) {
  shippingZoneCreate(input: $input) { shippingZone { id } userErrors { code } }
}"""
RATE = """
mutation ($input: ShippingRateCreateInput!) {
  shippingRateCreate(input: $input) { shippingRate { id } userErrors { code } }
}"""
LEVEL = "query ($id: ID!) { inventoryLevel(variantId: $id) { available } }"
SHIP_TO = {"address1": "1 Main St", "city": "Springfield", "countryCode": "US"}
EMAIL = {"email": "reader@example.com"}


def payload_of(body: dict[str, Any]) -> dict[str, Any]:
    """The payload of a one-field mutation (no top-level errors allowed)."""
    assert "errors" not in body, body
    (payload,) = body["data"].values()
    assert isinstance(payload, dict)
    return payload


def codes(payload: dict[str, Any]) -> list[str]:
    """The codes of a payload's userErrors."""
    return [e["code"] for e in payload["userErrors"]]


def variant(
    gql: GraphQLCaller,
    admin_key: str,
    *,
    stock: int = 10,
    price: str = "10.00",
    digital: bool = False,
    asset_key: str | None = None,
) -> str:
    """A published one-variant product; its ProductVariant id."""
    suffix = f"{next(_serial):05d}"
    draft = {
        "sku": f"CO-{suffix}",
        "prices": [{"amount": price, "currencyCode": "USD"}],
        "kind": "DIGITAL" if digital else "PHYSICAL",
        "initialStock": 0 if digital else stock,
        "options": [{"name": "Format", "value": "E-book" if digital else "Hardcover"}],
    }
    if asset_key is not None:
        draft["assetKey"] = asset_key
    body = gql(
        PRODUCT_CREATE,
        {"input": {"title": f"Novel {suffix}", "variants": [draft], "published": True}},
        api_key=admin_key,
    )
    payload = payload_of(body)
    assert payload["userErrors"] == [], payload
    variant_id: str = payload["product"]["variants"][0]["id"]
    return variant_id


def shipping_to_us(gql: GraphQLCaller, admin_key: str) -> None:
    """A US zone with a flat 5.00 Standard rate."""
    zone = payload_of(gql(ZONE, {"input": {"name": "US", "countries": ["US"]}}, api_key=admin_key))[
        "shippingZone"
    ]["id"]
    rate = {
        "zoneId": zone,
        "title": "Standard",
        "kind": "FLAT",
        "prices": [{"amount": "5.00", "currencyCode": "USD"}],
    }
    assert payload_of(gql(RATE, {"input": rate}, api_key=admin_key))["userErrors"] == []


def ready_cart(
    gql: GraphQLCaller,
    *lines: tuple[str, int],
    email: bool = True,
    ship: bool = True,
) -> str:
    """A cart with these lines, an email, and (``ship``) an address and delivery chosen."""
    created: dict[str, Any] = {"lines": [{"merchandiseId": v, "quantity": q} for v, q in lines]}
    if email:
        created["buyerIdentity"] = EMAIL
    payload = payload_of(gql(CART_CREATE, {"input": created}))
    assert payload["userErrors"] == [], payload
    cart_id: str = payload["cart"]["id"]
    if ship:
        cart = payload_of(gql(ADDRESS, {"input": {"cartId": cart_id, "address": SHIP_TO}}))["cart"]
        option = next(o["id"] for o in cart["deliveryOptions"] if o["title"] == "Standard")
        chosen = payload_of(gql(OPTION, {"input": {"cartId": cart_id, "deliveryOptionId": option}}))
        assert chosen["userErrors"] == [], chosen
    return cart_id


def checkout(
    gql: GraphQLCaller, cart_id: str, key: str, *, api_key: str | None = None
) -> dict[str, Any]:
    """checkoutComplete's payload."""
    return payload_of(
        gql(CHECKOUT, {"input": {"cartId": cart_id, "idempotencyKey": key}}, api_key=api_key)
    )


def available(gql: GraphQLCaller, admin_key: str, variant_id: str) -> int:
    """The variant's stock level, as staff read it."""
    body = gql(LEVEL, {"id": variant_id}, api_key=admin_key)
    assert "errors" not in body, body
    level: int = body["data"]["inventoryLevel"]["available"]
    return level


def staff_orders(gql: GraphQLCaller, admin_key: str, **variables: Any) -> dict[str, Any]:
    """The staff order list."""
    body = gql(ORDERS, {"first": 50, **variables}, api_key=admin_key)
    assert "errors" not in body, body
    connection: dict[str, Any] = body["data"]["orders"]
    return connection


def read_order(
    gql: GraphQLCaller, order_id: str, *, token: str | None = None, api_key: str | None = None
) -> dict[str, Any] | None:
    """An order as a guest (token) or staff (admin key) reads it."""
    body = gql(ORDER, {"id": order_id, "token": token}, api_key=api_key)
    assert "errors" not in body, body
    order: dict[str, Any] | None = body["data"]["order"]
    return order
