"""Checkout refusals are userErrors with exact codes, and nothing is written."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import pytest
from checkout_helpers import (
    LINES_ADD,
    available,
    checkout,
    codes,
    payload_of,
    ready_cart,
    shipping_to_us,
    staff_orders,
    variant,
)

from commerce.cart.service import CartService
from commerce.composition import Services
from commerce.db.writes import WriteSet
from commerce.principals import Shopper
from commerce.problems import Rejected

if TYPE_CHECKING:
    from conftest import GraphQLCaller

EMPTY_CART = """
mutation { cartCreate(input: {buyerIdentity: {email: "a@example.com"}}) { cart { id } } }
"""


def _cart_id(token: str) -> str:
    return base64.urlsafe_b64encode(f"Cart:{token}".encode()).decode().rstrip("=")


def _assert_nothing_written(gql: GraphQLCaller, admin_key: str) -> None:
    assert staff_orders(gql, admin_key)["nodes"] == []


@pytest.mark.parametrize(
    ("cart_id", "key", "expected"),
    [
        (_cart_id("A" * 32), "k1", ["CART_NOT_FOUND"]),
        ("not-an-id", "k1", ["INVALID_ID"]),
        (_cart_id("short"), "k1", ["INVALID_ID"]),
        (base64.b64encode(b"Product:abc").decode(), "k1", ["INVALID_ID"]),
    ],
)
def test_unknown_or_malformed_carts_are_refused(
    gql: GraphQLCaller, admin_key: str, cart_id: str, key: str, expected: list[str]
) -> None:
    payload = checkout(gql, cart_id, key)
    assert codes(payload) == expected
    assert payload["order"] is None
    _assert_nothing_written(gql, admin_key)


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "ünïcode"])
def test_malformed_idempotency_keys_are_refused(
    gql: GraphQLCaller, admin_key: str, key: str
) -> None:
    novel = variant(gql, admin_key, digital=True)
    cart_id = ready_cart(gql, (novel, 1), ship=False)
    payload = checkout(gql, cart_id, key)
    assert codes(payload) == ["INVALID_IDEMPOTENCY_KEY"]
    _assert_nothing_written(gql, admin_key)


def test_empty_cart_is_refused(gql: GraphQLCaller, admin_key: str) -> None:
    cart_id = gql(EMPTY_CART)["data"]["cartCreate"]["cart"]["id"]
    payload = checkout(gql, cart_id, "k-empty")
    assert codes(payload) == ["CART_EMPTY"]
    _assert_nothing_written(gql, admin_key)


def test_cart_without_email_address_or_delivery_lists_every_problem(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given a hardcover in a cart with no email and no address
    novel = variant(gql, admin_key, stock=3)
    cart_id = ready_cart(gql, (novel, 1), email=False, ship=False)
    # when
    payload = checkout(gql, cart_id, "k-missing")
    # then
    assert sorted(codes(payload)) == ["EMAIL_REQUIRED", "SHIPPING_ADDRESS_REQUIRED"]
    assert available(gql, admin_key, novel) == 3
    _assert_nothing_written(gql, admin_key)


def test_more_than_in_stock_is_out_of_stock_and_takes_nothing(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given 2 of one book, 5 of another, and a cart wanting 3 of the first
    shipping_to_us(gql, admin_key)
    scarce = variant(gql, admin_key, stock=2)
    plenty = variant(gql, admin_key, stock=5)
    cart_id = ready_cart(gql, (plenty, 1), (scarce, 3))
    # when
    payload = checkout(gql, cart_id, "k-short")
    # then the scarce line is named, and no stock moved
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("OUT_OF_STOCK", ["lines", "1"])
    ]
    assert (available(gql, admin_key, scarce), available(gql, admin_key, plenty)) == (2, 5)
    _assert_nothing_written(gql, admin_key)


class _ChangedMeanwhile:
    """A cart service whose cart is changed by another tab right after checkout read it."""

    def __init__(self, carts: CartService, change: Any) -> None:
        self._carts = carts
        self._change = change

    def for_checkout(self, token: str, viewer: Any = None) -> Any:
        found = self._carts.for_checkout(token, viewer)
        self._change()
        return found

    def consume(self, writes: WriteSet, token: str, version: int) -> None:
        self._carts.consume(writes, token, version)


def test_cart_changed_during_checkout_is_refused_and_the_key_stays_usable(
    gql: GraphQLCaller, admin_key: str, services: Services
) -> None:
    # given a cart that another tab changes while checkout prices it
    novel = variant(gql, admin_key, digital=True)
    other = variant(gql, admin_key, digital=True)
    cart_id = ready_cart(gql, (novel, 1), ship=False)
    token = base64.urlsafe_b64decode(cart_id + "=" * (-len(cart_id) % 4)).decode()[5:]

    def other_tab() -> None:
        assert (
            payload_of(
                gql(LINES_ADD, {"input": {"cartId": cart_id, "lines": [{"merchandiseId": other}]}})
            )["userErrors"]
            == []
        )

    checkout_service = services.checkout
    original = checkout_service._carts
    checkout_service._carts = _ChangedMeanwhile(original, other_tab)  # type: ignore[assignment]
    # when
    with pytest.raises(Rejected) as refused:
        checkout_service.complete(token, "k-race", Shopper(None))
    # then
    assert [p.code.value for p in refused.value.problems] == ["CART_CHANGED"]
    _assert_nothing_written(gql, admin_key)
    # and a retry with the same key buys the cart as it is now
    checkout_service._carts = original
    payload = checkout(gql, cart_id, "k-race")
    assert payload["userErrors"] == []
    assert len(payload["order"]["lines"]) == 2
