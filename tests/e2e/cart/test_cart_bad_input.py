"""Refused cart changes: exact userErrors codes and fields, no cart returned, nothing written."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from cart_helpers import (
    CART,
    CART_BUYER_IDENTITY_UPDATE,
    CART_CREATE,
    CART_LINES_ADD,
    CART_LINES_REMOVE,
    CART_LINES_UPDATE,
    CART_SHIPPING_ADDRESS_UPDATE,
    UNKNOWN_CART_ID,
    UNKNOWN_VARIANT_ID,
    codes,
    create_cart,
    create_variant,
    global_id,
    line,
    mutate,
    read_cart,
)

from commerce.cart.model import MAX_LINES

if TYPE_CHECKING:
    from conftest import GraphQLCaller

Expected = list[tuple[str, list[str] | None]]


def assert_refused(payload: dict[str, Any], expected: Expected) -> None:
    """The payload carries exactly these (code, field) errors and no cart."""
    assert codes(payload) == expected, payload["userErrors"]
    assert payload["cart"] is None


@pytest.fixture
def cart(gql: GraphQLCaller, admin_key: str) -> dict[str, Any]:
    """A cart with one line of a book that has 10 in stock."""
    return create_cart(gql, lines=[line(create_variant(gql, admin_key), 2)])


@pytest.mark.parametrize(
    ("quantity", "code"),
    [(0, "INVALID_QUANTITY"), (-1, "INVALID_QUANTITY"), (100, "TOO_LARGE")],
)
def test_an_added_quantity_out_of_bounds_is_refused(
    gql: GraphQLCaller, admin_key: str, cart: dict[str, Any], quantity: int, code: str
) -> None:
    # given
    novel = create_variant(gql, admin_key)
    # when
    payload = mutate(gql, CART_LINES_ADD, {"cartId": cart["id"], "lines": [line(novel, quantity)]})
    # then
    assert_refused(payload, [(code, ["lines", "0", "quantity"])])
    assert read_cart(gql, cart["id"]) == cart


def test_a_cart_is_not_created_with_a_bad_quantity(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    novel = create_variant(gql, admin_key)
    # when
    payload = mutate(gql, CART_CREATE, {"lines": [line(novel, 1), line(novel, 0)]})
    # then
    assert_refused(payload, [("INVALID_QUANTITY", ["lines", "1", "quantity"])])


def test_adding_to_a_line_beyond_the_maximum_quantity_is_refused(
    gql: GraphQLCaller, cart: dict[str, Any]
) -> None:
    # given a line with 2 units
    variant = cart["lines"][0]["merchandise"]["id"]
    # when 98 more are added
    payload = mutate(gql, CART_LINES_ADD, {"cartId": cart["id"], "lines": [line(variant, 98)]})
    # then
    assert_refused(payload, [("TOO_LARGE", ["lines", "0", "quantity"])])
    assert read_cart(gql, cart["id"]) == cart


def test_a_cart_holds_no_more_lines_than_one_checkout_transaction(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given a full cart
    variants = [create_variant(gql, admin_key) for _ in range(MAX_LINES + 1)]
    full = create_cart(gql, lines=[line(v) for v in variants[:MAX_LINES]])
    # when one more book is added
    payload = mutate(gql, CART_LINES_ADD, {"cartId": full["id"], "lines": [line(variants[-1])]})
    # then
    assert_refused(payload, [("TOO_MANY_LINES", ["lines"])])
    assert len((read_cart(gql, full["id"]) or {})["lines"]) == MAX_LINES
    # and a cart is not created that big either
    too_big = mutate(gql, CART_CREATE, {"lines": [line(v) for v in variants]})
    assert_refused(too_big, [("TOO_MANY_LINES", ["lines"])])


def test_unknown_and_unpublished_variants_are_refused(
    gql: GraphQLCaller, admin_key: str, cart: dict[str, Any]
) -> None:
    # given
    hidden = create_variant(gql, admin_key, published=False)
    # when
    payload = mutate(
        gql,
        CART_LINES_ADD,
        {"cartId": cart["id"], "lines": [line(UNKNOWN_VARIANT_ID), line(hidden)]},
    )
    # then
    assert_refused(
        payload,
        [
            ("MERCHANDISE_NOT_FOUND", ["lines", "0", "merchandiseId"]),
            ("MERCHANDISE_NOT_FOUND", ["lines", "1", "merchandiseId"]),
        ],
    )
    assert read_cart(gql, cart["id"]) == cart


def test_malformed_ids_are_refused_as_invalid(gql: GraphQLCaller, cart: dict[str, Any]) -> None:
    # when
    bad_merchandise = mutate(
        gql,
        CART_LINES_ADD,
        {"cartId": cart["id"], "lines": [line("nonsense"), line(global_id("Product", "x"))]},
    )
    bad_cart = mutate(
        gql, CART_LINES_ADD, {"cartId": global_id("Cart", "short"), "lines": [line("x")]}
    )
    bad_line = mutate(gql, CART_LINES_REMOVE, {"cartId": cart["id"], "lineIds": ["nonsense"]})
    # then
    assert_refused(
        bad_merchandise,
        [
            ("INVALID_ID", ["lines", "0", "merchandiseId"]),
            ("INVALID_ID", ["lines", "1", "merchandiseId"]),
        ],
    )
    assert_refused(bad_cart, [("INVALID_ID", ["cartId"])])
    assert_refused(bad_line, [("INVALID_ID", ["lineIds", "0"])])
    assert read_cart(gql, cart["id"]) == cart


def test_a_query_for_a_malformed_cart_id_is_a_bad_request(gql: GraphQLCaller) -> None:
    # when
    body = gql(CART, {"id": "nonsense"})
    # then
    assert body["data"] == {"cart": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]


def test_an_unknown_cart_reads_as_null_and_cannot_be_changed(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    novel = create_variant(gql, admin_key)
    # when
    payload = mutate(gql, CART_LINES_ADD, {"cartId": UNKNOWN_CART_ID, "lines": [line(novel)]})
    # then
    assert_refused(payload, [("CART_NOT_FOUND", ["cartId"])])
    assert read_cart(gql, UNKNOWN_CART_ID) is None


def test_lines_not_in_the_cart_are_refused(gql: GraphQLCaller, cart: dict[str, Any]) -> None:
    # given a line of another cart
    other = create_cart(gql, lines=[line(cart["lines"][0]["merchandise"]["id"])])
    stranger = other["lines"][0]["id"]
    # when
    updated = mutate(
        gql,
        CART_LINES_UPDATE,
        {
            "cartId": cart["id"],
            "lines": [
                {"id": cart["lines"][0]["id"], "quantity": 1},
                {"id": stranger, "quantity": 1},
            ],
        },
    )
    removed = mutate(gql, CART_LINES_REMOVE, {"cartId": cart["id"], "lineIds": [stranger]})
    # then
    assert_refused(updated, [("LINE_NOT_FOUND", ["lines", "1", "id"])])
    assert_refused(removed, [("LINE_NOT_FOUND", ["lineIds", "0"])])
    assert read_cart(gql, cart["id"]) == cart


@pytest.mark.parametrize(("quantity", "code"), [(-1, "INVALID_QUANTITY"), (100, "TOO_LARGE")])
def test_a_new_line_quantity_out_of_bounds_is_refused(
    gql: GraphQLCaller, cart: dict[str, Any], quantity: int, code: str
) -> None:
    # when
    payload = mutate(
        gql,
        CART_LINES_UPDATE,
        {"cartId": cart["id"], "lines": [{"id": cart["lines"][0]["id"], "quantity": quantity}]},
    )
    # then
    assert_refused(payload, [(code, ["lines", "0", "quantity"])])
    assert read_cart(gql, cart["id"]) == cart


def test_malformed_email_and_phone_are_refused(gql: GraphQLCaller, cart: dict[str, Any]) -> None:
    # when
    payload = mutate(
        gql,
        CART_BUYER_IDENTITY_UPDATE,
        {
            "cartId": cart["id"],
            "buyerIdentity": {
                "email": "not-an-address",
                "phone": "12345",
                "marketingConsent": {"email": False, "sms": False},
            },
        },
    )
    # then
    assert_refused(
        payload,
        [("INVALID", ["buyerIdentity", "email"]), ("INVALID", ["buyerIdentity", "phone"])],
    )
    assert read_cart(gql, cart["id"]) == cart


def test_marketing_consent_needs_a_way_to_reach_the_buyer(gql: GraphQLCaller) -> None:
    # when
    payload = mutate(
        gql, CART_CREATE, {"buyerIdentity": {"marketingConsent": {"email": True, "sms": True}}}
    )
    # then
    assert_refused(
        payload,
        [
            ("INVALID", ["buyerIdentity", "marketingConsent", "email"]),
            ("INVALID", ["buyerIdentity", "marketingConsent", "sms"]),
        ],
    )


def test_an_address_needs_a_street_a_city_and_a_real_country(
    gql: GraphQLCaller, cart: dict[str, Any]
) -> None:
    # when
    payload = mutate(
        gql,
        CART_SHIPPING_ADDRESS_UPDATE,
        {"cartId": cart["id"], "address": {"address1": " ", "city": "", "countryCode": "XX"}},
    )
    # then
    assert_refused(
        payload,
        [
            ("BLANK", ["address", "address1"]),
            ("BLANK", ["address", "city"]),
            ("INVALID", ["address", "countryCode"]),
        ],
    )
    assert read_cart(gql, cart["id"]) == cart
