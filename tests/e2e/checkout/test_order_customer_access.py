"""A signed-in customer's order is theirs: readable with their login, no token needed."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from checkout_helpers import CHECKOUT, ORDER, Clock, ready_cart, variant

if TYPE_CHECKING:
    from conftest import GraphQLCaller

SIGN_UP = """
mutation ($input: CustomerSignUpInput!) {
  customerSignUp(input: $input) { session { accessToken } userErrors { code } }
}"""
_serial = itertools.count(1)


def _customer_token(gql: GraphQLCaller) -> str:
    email = f"orders{next(_serial)}@example.com"
    body = gql(SIGN_UP, {"input": {"email": email, "password": "correct horse battery staple"}})
    payload = body["data"]["customerSignUp"]
    assert payload["userErrors"] == [], payload
    token: str = payload["session"]["accessToken"]
    return token


def _as(gql: GraphQLCaller, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    response = gql.client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body


def test_customer_reads_their_order_and_nobody_else_does(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given a signed-in customer who buys an e-book
    ann, bob = _customer_token(gql), _customer_token(gql)
    ebook = variant(gql, admin_key, digital=True)
    cart_id = ready_cart(gql, (ebook, 1), ship=False)
    placed = _as(gql, CHECKOUT, {"input": {"cartId": cart_id, "idempotencyKey": "ann-1"}}, ann)[
        "data"
    ]["checkoutComplete"]
    assert placed["userErrors"] == []
    order_id = placed["order"]["id"]
    # then no guest token is issued: the login is the key
    assert placed["orderAccessToken"] is None
    # and she reads it, another customer and an anonymous caller do not
    assert _as(gql, ORDER, {"id": order_id}, ann)["data"]["order"]["id"] == order_id
    assert _as(gql, ORDER, {"id": order_id}, bob)["data"]["order"] is None
    assert gql(ORDER, {"id": order_id})["data"]["order"] is None


HISTORY = """
query ($first: Int!, $after: String) {
  customer {
    orders(first: $first, after: $after) {
      nodes { id number }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""


def test_a_customer_pages_through_their_own_orders_newest_first(
    gql: GraphQLCaller, admin_key: str, clock: Clock
) -> None:
    # given Ann placed three orders a minute apart while signed in, and a guest placed one
    ann, bob = _customer_token(gql), _customer_token(gql)
    ebook = variant(gql, admin_key, digital=True)
    placed = []
    for n in range(3):
        cart_id = ready_cart(gql, (ebook, 1), ship=False)
        body = _as(gql, CHECKOUT, {"input": {"cartId": cart_id, "idempotencyKey": f"a{n}"}}, ann)
        placed.append(body["data"]["checkoutComplete"]["order"]["id"])
        clock.advance(60)
    guest_cart = ready_cart(gql, (ebook, 1), ship=False)
    guest = gql(CHECKOUT, {"input": {"cartId": guest_cart, "idempotencyKey": "guest"}})
    assert guest["data"]["checkoutComplete"]["userErrors"] == []
    # when she reads her history two at a time
    first = _as(gql, HISTORY, {"first": 2}, ann)["data"]["customer"]["orders"]
    cursor = first["pageInfo"]["endCursor"]
    rest = _as(gql, HISTORY, {"first": 2, "after": cursor}, ann)["data"]["customer"]["orders"]
    # then she sees exactly her three, newest first, and nobody else's
    assert [o["id"] for o in first["nodes"] + rest["nodes"]] == placed[::-1]
    assert first["pageInfo"]["hasNextPage"] is True
    assert rest["pageInfo"]["hasNextPage"] is False
    assert _as(gql, HISTORY, {"first": 2}, bob)["data"]["customer"]["orders"]["nodes"] == []


def test_a_malformed_history_cursor_or_page_size_is_a_bad_user_input(
    gql: GraphQLCaller,
) -> None:
    ann = _customer_token(gql)
    for variables in ({"first": 2, "after": "not-a-cursor"}, {"first": 0}, {"first": 101}):
        response = gql.client.post(
            "/graphql",
            json={"query": HISTORY, "variables": variables},
            headers={"Authorization": f"Bearer {ann}"},
        )
        errors = response.json()["errors"]
        assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"], variables
