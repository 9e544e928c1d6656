"""checkoutComplete: a cart becomes an order with reserved stock and a PaymentIntent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checkout_helpers import (
    RecordingGateway,
    available,
    checkout,
    codes,
    read_order,
    ready_cart,
    shipping_to_us,
    staff_orders,
    variant,
)

if TYPE_CHECKING:
    from conftest import GraphQLCaller

CART_QUERY = "query ($id: ID!) { cart(id: $id) { id } }"


def test_checkout_reserves_stock_and_places_an_order_with_line_snapshots(
    gql: GraphQLCaller, admin_key: str, gateway: RecordingGateway
) -> None:
    # given two hardcovers in a cart shipped to the US (5.00 flat)
    shipping_to_us(gql, admin_key)
    novel = variant(gql, admin_key, stock=10, price="12.50")
    cart_id = ready_cart(gql, (novel, 2))
    # when
    payload = checkout(gql, cart_id, "key-1")
    # then the order is placed with what was bought, at what price
    assert payload["userErrors"] == []
    order = payload["order"]
    assert order["status"] == "AWAITING_PAYMENT"
    assert order["stockState"] == "RESERVED"
    assert order["name"] == f"#{order['number']}"
    (line,) = order["lines"]
    assert (line["variantTitle"], line["quantity"], line["kind"]) == ("Hardcover", 2, "PHYSICAL")
    assert line["sku"].startswith("CO-")
    assert line["variantId"] == novel
    assert (line["unitPrice"]["amount"], line["total"]["amount"]) == ("12.50", "25.00")
    assert line["discounts"] == []
    assert order["shipping"]["amount"] == "5.00"
    assert order["total"] == {"amount": "30.00", "currencyCode": "USD"}
    assert order["email"] == "reader@example.com"
    assert order["shippingAddress"] == {"city": "Springfield", "countryCode": "US"}
    assert order["delivery"]["title"] == "Standard"
    assert [(h["fromStatus"], h["toStatus"]) for h in order["statusHistory"]] == [
        (None, "AWAITING_PAYMENT")
    ]
    # and stock is taken, the cart consumed
    assert available(gql, admin_key, novel) == 8
    assert gql(CART_QUERY, {"id": cart_id})["data"]["cart"] is None
    # and a PaymentIntent was made for the exact total, keyed by the order
    ((name, args),) = gateway.calls
    assert name == "create_intent"
    assert args["amount"].amount == 3000
    assert args["email"] == "reader@example.com"
    assert args["idempotency_key"].startswith("order-")
    assert payload["paymentIntentClientSecret"].endswith("_secret_abc")
    # and the guest reads the order with its token, nobody does without it
    token = payload["orderAccessToken"]
    assert token
    assert read_order(gql, order["id"], token=token)["number"] == order["number"]
    assert read_order(gql, order["id"]) is None
    assert read_order(gql, order["id"], token="wrong") is None


def test_same_key_again_returns_the_same_order_without_a_second_sale(
    gql: GraphQLCaller, admin_key: str, gateway: RecordingGateway
) -> None:
    # given a placed order
    shipping_to_us(gql, admin_key)
    novel = variant(gql, admin_key, stock=5)
    cart_id = ready_cart(gql, (novel, 1))
    first = checkout(gql, cart_id, "retry-me")
    # when the client retries (a lost response)
    again = checkout(gql, cart_id, "retry-me")
    # then the same order and intent come back, and stock was taken once
    assert again["userErrors"] == []
    assert again["order"]["id"] == first["order"]["id"]
    assert again["paymentIntentClientSecret"] == first["paymentIntentClientSecret"]
    assert gateway.names() == ["create_intent", "retrieve_intent"]
    assert available(gql, admin_key, novel) == 4
    assert len(staff_orders(gql, admin_key)["nodes"]) == 1
    # and the retry's access token replaces the first one
    assert read_order(gql, first["order"]["id"], token=again["orderAccessToken"]) is not None
    assert read_order(gql, first["order"]["id"], token=first["orderAccessToken"]) is None


def test_same_key_with_another_cart_is_refused(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    shipping_to_us(gql, admin_key)
    novel = variant(gql, admin_key, stock=5)
    checkout(gql, ready_cart(gql, (novel, 1)), "shared-key")
    other = ready_cart(gql, (novel, 2))
    # when
    payload = checkout(gql, other, "shared-key")
    # then
    assert codes(payload) == ["IDEMPOTENCY_KEY_REUSED"]
    assert payload["order"] is None
    assert available(gql, admin_key, novel) == 4
    assert gql(CART_QUERY, {"id": other})["data"]["cart"] == {"id": other}


def test_digital_only_cart_needs_no_address_and_takes_no_stock(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given an e-book in a cart with no address
    ebook = variant(gql, admin_key, digital=True, price="7.00")
    cart_id = ready_cart(gql, (ebook, 1), ship=False)
    # when
    payload = checkout(gql, cart_id, "ebook-1")
    # then
    assert payload["userErrors"] == []
    order = payload["order"]
    assert order["shipping"]["amount"] == "0.00"
    assert order["shippingAddress"] is None
    assert order["delivery"] is None
    assert order["total"]["amount"] == "7.00"
    assert order["lines"][0]["kind"] == "DIGITAL"


def test_payment_provider_down_keeps_the_order_and_a_retry_starts_payment(
    gql: GraphQLCaller, admin_key: str, gateway: RecordingGateway
) -> None:
    # given Stripe cannot be reached
    shipping_to_us(gql, admin_key)
    novel = variant(gql, admin_key, stock=3)
    cart_id = ready_cart(gql, (novel, 1))
    gateway.unavailable = True
    # when
    down = checkout(gql, cart_id, "while-down")
    # then the order is placed, its stock held, and the client told to retry
    assert codes(down) == ["PAYMENT_UNAVAILABLE"]
    assert down["order"]["status"] == "AWAITING_PAYMENT"
    assert down["paymentIntentClientSecret"] is None
    assert available(gql, admin_key, novel) == 2
    # when Stripe is back and the client retries with the same key
    gateway.unavailable = False
    retry = checkout(gql, cart_id, "while-down")
    # then the same order gets its intent
    assert retry["userErrors"] == []
    assert retry["order"]["id"] == down["order"]["id"]
    assert retry["paymentIntentClientSecret"]
    assert gateway.names() == ["create_intent", "create_intent"]
    assert available(gql, admin_key, novel) == 2
