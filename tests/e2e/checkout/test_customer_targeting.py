"""Promotions for tagged customers, segments and first orders reach exactly those shoppers."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from checkout_helpers import CART_CREATE, EMAIL, variant

from commerce.composition import Services
from commerce.graphql.ids import from_global_id, to_global_id
from commerce.money import Currency, Money
from commerce.pricing.model import Conditions, ItemsOff, Promotion, Selector

if TYPE_CHECKING:
    from conftest import GraphQLCaller

SIGN_UP = """
mutation ($input: CustomerSignUpInput!) {
  customerSignUp(input: $input) { customer { id } session { accessToken } userErrors { code } }
}"""
TAGS = """
mutation ($input: CustomerTagsUpdateInput!) {
  customerTagsUpdate(input: $input) {
    marketing { customerId tags segments paidOrders firstOrder }
    userErrors { field code }
  }
}"""
MARKETING = """
query ($id: ID!) { customerMarketing(customerId: $id) { tags segments paidOrders firstOrder } }
"""
CHECKOUT = """
mutation ($input: CheckoutCompleteInput!) {
  checkoutComplete(input: $input) { order { id total { amount } } userErrors { code } }
}"""
OFFERS = "query ($id: ID!) { offers(productId: $id) { name } }"
_serial = itertools.count(1)


def _customer(gql: GraphQLCaller) -> tuple[str, str]:
    """A new customer: (global id, access token)."""
    email = f"target{next(_serial)}@example.com"
    body = gql(SIGN_UP, {"input": {"email": email, "password": "correct horse battery staple"}})
    payload = body["data"]["customerSignUp"]
    assert payload["userErrors"] == [], payload
    return payload["customer"]["id"], payload["session"]["accessToken"]


def _as(
    gql: GraphQLCaller, query: str, variables: dict[str, Any], token: str | None
) -> dict[str, Any]:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    response = gql.client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body


def _cart_total(gql: GraphQLCaller, variant_id: str, token: str | None) -> str:
    created = {"lines": [{"merchandiseId": variant_id, "quantity": 1}], "buyerIdentity": EMAIL}
    query = CART_CREATE.replace("cart { id", "cart { id cost { totalAmount { amount } }")
    cart = _as(gql, query, {"input": created}, token)["data"]["cartCreate"]["cart"]
    total: str = cart["cost"]["totalAmount"]["amount"]
    return total


def _promotion(services: Services, name: str, conditions: Conditions) -> None:
    services.promotions.create_promotion(
        Promotion("", name, ItemsOff(Selector(), percent=Decimal(10)), conditions)
    )


def test_a_tag_promotion_reaches_tagged_customers_only(
    gql: GraphQLCaller, admin_key: str, services: Services
) -> None:
    ebook = variant(gql, admin_key, price="20.00", digital=True)
    _promotion(services, "VIP ten", Conditions(customer_tags=frozenset({"vip"})))
    (ann_id, ann), (_, bob) = _customer(gql), _customer(gql)

    tagged = gql(TAGS, {"input": {"customerId": ann_id, "add": ["  VIP "]}}, api_key=admin_key)

    assert tagged["data"]["customerTagsUpdate"] == {
        "marketing": {
            "customerId": ann_id,
            "tags": ["vip"],
            "segments": ["first-time"],
            "paidOrders": 0,
            "firstOrder": True,
        },
        "userErrors": [],
    }
    assert _cart_total(gql, ebook, ann) == "18.00"
    assert _cart_total(gql, ebook, bob) == "20.00"
    assert _cart_total(gql, ebook, None) == "20.00"


def test_a_first_order_promotion_stops_once_an_order_is_paid(
    gql: GraphQLCaller, admin_key: str, services: Services
) -> None:
    ebook = variant(gql, admin_key, price="20.00", digital=True)
    _promotion(services, "Welcome ten", Conditions(first_order_only=True))
    ann_id, ann = _customer(gql)
    created = {"lines": [{"merchandiseId": ebook, "quantity": 1}], "buyerIdentity": EMAIL}
    cart_id = _as(gql, CART_CREATE, {"input": created}, ann)["data"]["cartCreate"]["cart"]["id"]
    placed = _as(gql, CHECKOUT, {"input": {"cartId": cart_id, "idempotencyKey": "first-1"}}, ann)
    order = placed["data"]["checkoutComplete"]["order"]
    assert order["total"]["amount"] == "18.00"
    assert _cart_total(gql, ebook, ann) == "18.00"  # placed, not yet paid: still the first

    services.orders.payment_succeeded(
        order_id=from_global_id(order["id"], "Order"),
        intent_id="pi_first",
        amount=Money(1800, Currency.USD),
    )

    assert _cart_total(gql, ebook, ann) == "20.00"
    marketing = gql(MARKETING, {"id": ann_id}, api_key=admin_key)["data"]["customerMarketing"]
    assert marketing == {
        "tags": [],
        "segments": ["returning"],
        "paidOrders": 1,
        "firstOrder": False,
    }


def test_product_offers_show_segment_promotions_to_customers_in_the_segment(
    gql: GraphQLCaller, admin_key: str, services: Services
) -> None:
    ebook = variant(gql, admin_key, price="20.00", digital=True)
    product_id = to_global_id("Product", from_global_id(ebook, "ProductVariant").split(".")[0])
    _promotion(services, "New here", Conditions(customer_segments=frozenset({"first-time"})))
    _, ann = _customer(gql)

    mine = _as(gql, OFFERS, {"id": product_id}, ann)["data"]["offers"]
    anyone = _as(gql, OFFERS, {"id": product_id}, None)["data"]["offers"]

    assert [o["name"] for o in mine] == ["New here"]
    assert anyone == []


def test_bad_tags_and_unknown_customers_change_nothing(gql: GraphQLCaller, admin_key: str) -> None:
    ann_id, _ = _customer(gql)

    def update(customer_id: str, **tags: list[str]) -> dict[str, Any]:
        body = gql(TAGS, {"input": {"customerId": customer_id, **tags}}, api_key=admin_key)
        payload: dict[str, Any] = body["data"]["customerTagsUpdate"]
        return payload

    bad = update(ann_id, add=["ok", "no<script>", " "])
    too_many = update(ann_id, add=[f"t{n}" for n in range(51)])
    unknown = update(to_global_id("Customer", "01" + "0" * 24), add=["vip"])
    garbled = update("not-an-id", add=["vip"])

    assert [(e["code"], e["field"]) for e in bad["userErrors"]] == [
        ("INVALID", ["add", "1"]),
        ("BLANK", ["add", "2"]),
    ]
    assert [e["code"] for e in too_many["userErrors"]] == ["TOO_MANY_TAGS"]
    assert [e["code"] for e in unknown["userErrors"]] == ["CUSTOMER_NOT_FOUND"]
    assert [e["code"] for e in garbled["userErrors"]] == ["CUSTOMER_NOT_FOUND"]
    marketing = gql(MARKETING, {"id": ann_id}, api_key=admin_key)["data"]["customerMarketing"]
    assert marketing["tags"] == []
