"""Idle carts expire: reads say so with an error, changes with a userError."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cart_helpers import (
    CART,
    CART_LINES_ADD,
    Clock,
    create_cart,
    create_variant,
    line,
    local_id,
    mutate,
)

from commerce.cart import store

if TYPE_CHECKING:
    from conftest import GraphQLCaller

TTL = 14 * 24 * 3600


def test_a_cart_expires_after_the_idle_time_and_says_so(
    gql: GraphQLCaller, admin_key: str, clock: Clock
) -> None:
    # given a cart left alone for the whole idle time
    novel = create_variant(gql, admin_key)
    cart = create_cart(gql, lines=[line(novel)])
    clock.advance(TTL + 1)
    # when it is read and changed
    body = gql(CART, {"id": cart["id"]})
    payload = mutate(gql, CART_LINES_ADD, {"cartId": cart["id"], "lines": [line(novel)]})
    # then
    assert body["data"] == {"cart": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["CART_EXPIRED"]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("CART_EXPIRED", ["cartId"])
    ]
    assert payload["cart"] is None


def test_a_change_before_expiry_keeps_the_cart_alive(
    gql: GraphQLCaller, admin_key: str, clock: Clock
) -> None:
    # given
    novel = create_variant(gql, admin_key)
    cart = create_cart(gql)
    # when the shopper comes back just before expiry, then waits the same time again
    clock.advance(TTL - 60)
    payload = mutate(gql, CART_LINES_ADD, {"cartId": cart["id"], "lines": [line(novel)]})
    assert payload["userErrors"] == []
    clock.advance(TTL - 60)
    # then the cart is still there
    body = gql(CART, {"id": cart["id"]})
    assert "errors" not in body, body
    assert body["data"]["cart"]["totalQuantity"] == 1


def test_the_expiry_is_stored_in_the_table_ttl_attribute(gql: GraphQLCaller, clock: Clock) -> None:
    # when
    cart = create_cart(gql)
    # then DynamoDB deletes the item at the expiry the API shows, the idle time from now
    item = store.CartItem.get(store.cart_pk(local_id(cart["id"])), store.CART_SK)
    assert item.ttl == datetime.fromisoformat(cart["expiresAt"])
    assert clock.now + timedelta(seconds=TTL - 1) < item.ttl <= clock.now + timedelta(seconds=TTL)
