"""A customer's cart: guest carts merge on log-in, and nobody else reads or changes it."""

from __future__ import annotations

from typing import Any

from customers_helpers import USER_ERRORS, call, log_in, signed_up, unique_email
from starlette.testclient import TestClient

CART = "id totalQuantity lines { quantity merchandise { sku } }"
CART_CREATE = f"""
mutation ($input: CartCreateInput!) {{
  cartCreate(input: $input) {{ cart {{ {CART} }} {USER_ERRORS} }}
}}
"""
LINES_ADD = f"""
mutation ($input: CartLinesAddInput!) {{
  cartLinesAdd(input: $input) {{ cart {{ {CART} }} {USER_ERRORS} }}
}}
"""
MY_CART = f"{{ customer {{ cart {{ {CART} }} }} }}"
CART_BY_ID = f"query ($id: ID!) {{ cart(id: $id) {{ {CART} }} }}"
PRODUCT_CREATE = """
mutation ($input: ProductCreateInput!) {
  productCreate(input: $input) { product { variants { id sku } } userErrors { code message } }
}
"""


def _variants(client: TestClient, admin_key: str, *skus: str) -> dict[str, str]:
    """Published books with these SKUs, in stock: variant id by SKU."""
    found: dict[str, str] = {}
    for sku in skus:
        body = call(
            client,
            PRODUCT_CREATE,
            {
                "input": {
                    "title": f"Book {sku}",
                    "published": True,
                    "variants": [
                        {
                            "sku": sku,
                            "prices": [{"amount": "10.00", "currencyCode": "USD"}],
                            "initialStock": 50,
                        }
                    ],
                }
            },
            api_key=admin_key,
        )
        payload = body["data"]["productCreate"]
        assert payload["userErrors"] == [], payload
        found[sku] = payload["product"]["variants"][0]["id"]
    return found


def _cart(client: TestClient, lines: list[dict[str, Any]], token: str | None = None) -> str:
    body = call(client, CART_CREATE, {"input": {"lines": lines}}, token=token)
    payload = body["data"]["cartCreate"]
    assert payload["userErrors"] == [], payload
    cart_id: str = payload["cart"]["id"]
    return cart_id


def _skus(cart: dict[str, Any]) -> dict[str, int]:
    return {line["merchandise"]["sku"]: line["quantity"] for line in cart["lines"]}


def test_a_guest_cart_becomes_the_customers_cart_at_log_in(
    client: TestClient, admin_key: str
) -> None:
    # given
    books = _variants(client, admin_key, "G-1")
    email = unique_email()
    signed_up(client, email)
    guest = _cart(client, [{"merchandiseId": books["G-1"], "quantity": 2}])

    # when
    session = log_in(client, email, cartId=guest)["session"]

    # then
    mine = call(client, MY_CART, token=session["accessToken"])["data"]["customer"]["cart"]
    assert mine["id"] == guest
    assert _skus(mine) == {"G-1": 2}


def test_logging_in_merges_the_guest_cart_into_the_customers_cart(
    client: TestClient, admin_key: str
) -> None:
    # given: the customer filled a cart on their phone, then shopped as a guest on a laptop
    books = _variants(client, admin_key, "M-1", "M-2")
    email = unique_email()
    token = signed_up(client, email)["session"]["accessToken"]
    own = _cart(client, [{"merchandiseId": books["M-1"], "quantity": 1}], token=token)
    guest = _cart(
        client,
        [
            {"merchandiseId": books["M-1"], "quantity": 2},
            {"merchandiseId": books["M-2"], "quantity": 1},
        ],
    )

    # when
    session = log_in(client, email, cartId=guest)["session"]

    # then
    mine = call(client, MY_CART, token=session["accessToken"])["data"]["customer"]["cart"]
    assert mine["id"] == own
    assert _skus(mine) == {"M-1": 3, "M-2": 1}
    assert call(client, CART_BY_ID, {"id": guest})["data"]["cart"] is None


def test_signing_up_with_a_guest_cart_keeps_it(client: TestClient, admin_key: str) -> None:
    # given
    books = _variants(client, admin_key, "S-1")
    guest = _cart(client, [{"merchandiseId": books["S-1"], "quantity": 1}])

    # when
    session = signed_up(client, cartId=guest)["session"]

    # then
    mine = call(client, MY_CART, token=session["accessToken"])["data"]["customer"]["cart"]
    assert mine["id"] == guest


def test_a_customers_cart_is_invisible_and_unchangeable_to_anyone_else(
    client: TestClient, admin_key: str
) -> None:
    # given
    books = _variants(client, admin_key, "P-1")
    owner = signed_up(client)["session"]["accessToken"]
    other = signed_up(client)["session"]["accessToken"]
    cart_id = _cart(client, [{"merchandiseId": books["P-1"], "quantity": 1}], token=owner)
    add = {"input": {"cartId": cart_id, "lines": [{"merchandiseId": books["P-1"]}]}}

    # when
    as_other = call(client, CART_BY_ID, {"id": cart_id}, token=other)
    as_guest = call(client, CART_BY_ID, {"id": cart_id})
    other_adds = call(client, LINES_ADD, add, token=other)["data"]["cartLinesAdd"]
    guest_adds = call(client, LINES_ADD, add)["data"]["cartLinesAdd"]

    # then
    assert as_other["data"]["cart"] is None
    assert as_guest["data"]["cart"] is None
    assert [e["code"] for e in other_adds["userErrors"]] == ["CART_NOT_FOUND"]
    assert [e["code"] for e in guest_adds["userErrors"]] == ["CART_NOT_FOUND"]
    mine = call(client, CART_BY_ID, {"id": cart_id}, token=owner)["data"]["cart"]
    assert _skus(mine) == {"P-1": 1}


def test_logging_in_with_another_customers_cart_takes_nothing(
    client: TestClient, admin_key: str
) -> None:
    # given
    books = _variants(client, admin_key, "T-1")
    victim = signed_up(client)["session"]["accessToken"]
    cart_id = _cart(client, [{"merchandiseId": books["T-1"], "quantity": 1}], token=victim)
    email = unique_email()
    signed_up(client, email)

    # when
    session = log_in(client, email, cartId=cart_id)["session"]

    # then
    assert call(client, MY_CART, token=session["accessToken"])["data"]["customer"]["cart"] is None
    assert call(client, CART_BY_ID, {"id": cart_id}, token=victim)["data"]["cart"] is not None
