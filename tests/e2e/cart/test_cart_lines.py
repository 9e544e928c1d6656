"""A shopper fills a cart: lines merge, quantities change, and the server prices everything."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cart_helpers import (
    CART_CURRENCY_UPDATE,
    CART_LINES_ADD,
    CART_LINES_REMOVE,
    CART_LINES_UPDATE,
    PRODUCT_UNPUBLISH,
    VARIANT_PRICES_SET,
    Clock,
    amounts,
    change_cart,
    create_cart,
    create_variant,
    line,
    money,
    mutate,
    product_of,
    read_cart,
)

if TYPE_CHECKING:
    from conftest import GraphQLCaller


def test_a_new_cart_is_empty_in_the_store_currency_with_an_unguessable_id(
    gql: GraphQLCaller,
) -> None:
    # when
    first = create_cart(gql)
    second = create_cart(gql)
    # then
    assert first["currencyCode"] == "USD"
    assert first["lines"] == []
    assert first["totalQuantity"] == 0
    assert amounts(first) == ("0.00", "0.00")
    assert first["requiresShipping"] is False
    assert first["id"] != second["id"]
    assert len(first["id"]) > 40  # a 32-character random token inside the global id
    assert read_cart(gql, first["id"]) == first


def test_a_cart_created_with_lines_is_priced_from_the_catalog(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    novel = create_variant(gql, admin_key, prices=[money("12.50")])
    poems = create_variant(gql, admin_key, prices=[money("7.25")])
    # when
    cart = create_cart(gql, lines=[line(novel, 2), line(poems, 1)])
    # then
    assert [(ln["merchandise"]["id"], ln["quantity"]) for ln in cart["lines"]] == [
        (novel, 2),
        (poems, 1),
    ]
    assert [ln["cost"]["totalAmount"]["amount"] for ln in cart["lines"]] == ["25.00", "7.25"]
    assert cart["lines"][0]["cost"]["amountPerQuantity"] == {
        "amount": "12.50",
        "currencyCode": "USD",
    }
    assert amounts(cart) == ("32.25", "32.25")
    assert cart["totalQuantity"] == 3
    assert cart["requiresShipping"] is True
    assert all(ln["available"] for ln in cart["lines"])
    assert cart["warnings"] == []


def test_adding_a_variant_already_in_the_cart_raises_its_quantity(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    novel = create_variant(gql, admin_key)
    cart = create_cart(gql, lines=[line(novel, 1)])
    # when
    after = change_cart(gql, CART_LINES_ADD, cartId=cart["id"], lines=[line(novel, 2)])
    # then
    assert len(after["lines"]) == 1
    assert after["lines"][0]["id"] == cart["lines"][0]["id"]
    assert after["lines"][0]["quantity"] == 3
    assert amounts(after) == ("30.00", "30.00")


def test_lines_can_be_updated_and_a_quantity_of_zero_removes_the_line(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    novel = create_variant(gql, admin_key)
    poems = create_variant(gql, admin_key)
    cart = create_cart(gql, lines=[line(novel, 1), line(poems, 1)])
    novel_line, poems_line = (ln["id"] for ln in cart["lines"])
    # when
    after = change_cart(
        gql,
        CART_LINES_UPDATE,
        cartId=cart["id"],
        lines=[{"id": novel_line, "quantity": 4}, {"id": poems_line, "quantity": 0}],
    )
    # then
    assert [(ln["id"], ln["quantity"]) for ln in after["lines"]] == [(novel_line, 4)]
    assert amounts(after) == ("40.00", "40.00")
    assert read_cart(gql, cart["id"]) == after


def test_removed_lines_leave_the_cart(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    novel = create_variant(gql, admin_key)
    poems = create_variant(gql, admin_key)
    cart = create_cart(gql, lines=[line(novel), line(poems)])
    # when
    after = change_cart(gql, CART_LINES_REMOVE, cartId=cart["id"], lineIds=[cart["lines"][0]["id"]])
    # then
    assert [ln["merchandise"]["id"] for ln in after["lines"]] == [poems]
    assert after["totalQuantity"] == 1


def test_a_price_change_in_the_catalog_shows_in_the_cart_at_once(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    novel = create_variant(gql, admin_key, prices=[money("10.00")])
    cart = create_cart(gql, lines=[line(novel, 3)])
    # when
    payload = mutate(
        gql, VARIANT_PRICES_SET, {"id": novel, "prices": [money("8.00")]}, api_key=admin_key
    )
    assert payload["userErrors"] == []
    # then
    assert amounts(read_cart(gql, cart["id"]) or {}) == ("24.00", "24.00")


def test_a_variant_without_a_price_in_the_cart_currency_is_kept_but_flagged(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given a book sold only in euros and one sold in dollars
    euro_only = create_variant(gql, admin_key, prices=[money("9.00", "EUR")])
    dollars = create_variant(gql, admin_key, prices=[money("5.00")])
    # when both go into a dollar cart
    cart = create_cart(gql, currency="USD", lines=[line(euro_only), line(dollars)])
    # then the euro book is in the cart, unpriced, unavailable, and not in the subtotal
    unpriced, priced = cart["lines"]
    assert unpriced["cost"] is None
    assert unpriced["available"] is False
    assert unpriced["unavailableReason"] == "NOT_PRICED_IN_CURRENCY"
    assert unpriced["merchandise"]["id"] == euro_only
    assert priced["available"] is True
    assert amounts(cart) == ("5.00", "5.00")
    assert [(w["code"], w["lineId"]) for w in cart["warnings"]] == [
        ("NOT_PRICED_IN_CURRENCY", unpriced["id"])
    ]


def test_changing_the_currency_prices_the_cart_in_it(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    both = create_variant(gql, admin_key, prices=[money("10.00"), money("9.00", "EUR")])
    dollars_only = create_variant(gql, admin_key, prices=[money("4.00")])
    cart = create_cart(gql, lines=[line(both, 2), line(dollars_only)])
    # when
    after = change_cart(gql, CART_CURRENCY_UPDATE, cartId=cart["id"], currency="EUR")
    # then
    assert after["currencyCode"] == "EUR"
    assert after["cost"]["subtotalAmount"] == {"amount": "18.00", "currencyCode": "EUR"}
    assert [ln["unavailableReason"] for ln in after["lines"]] == [None, "NOT_PRICED_IN_CURRENCY"]


def test_an_unpublished_product_stays_in_the_cart_as_an_unavailable_line(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    novel = create_variant(gql, admin_key, prices=[money("10.00")])
    poems = create_variant(gql, admin_key, prices=[money("3.00")])
    cart = create_cart(gql, lines=[line(novel), line(poems)])
    # when staff hide the novel
    payload = mutate(gql, PRODUCT_UNPUBLISH, {"id": product_of(novel)}, api_key=admin_key)
    assert payload["userErrors"] == []
    # then
    after = read_cart(gql, cart["id"])
    assert after is not None
    hidden = after["lines"][0]
    assert hidden["merchandise"] is None
    assert hidden["cost"] is None
    assert (hidden["available"], hidden["unavailableReason"]) == (False, "MERCHANDISE_NOT_FOUND")
    assert amounts(after) == ("3.00", "3.00")
    assert after["totalQuantity"] == 2


def test_a_line_for_more_than_the_stock_is_flagged_out_of_stock_but_still_priced(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given a book with two in stock
    scarce = create_variant(gql, admin_key, stock=2)
    # when a shopper wants three
    cart = create_cart(gql, lines=[line(scarce, 3)])
    # then
    (only,) = cart["lines"]
    assert (only["available"], only["unavailableReason"]) == (False, "OUT_OF_STOCK")
    assert only["merchandise"]["availableForSale"] is True
    assert amounts(cart) == ("30.00", "30.00")
    assert [w["code"] for w in cart["warnings"]] == ["OUT_OF_STOCK"]


def test_a_digital_only_cart_needs_no_shipping(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    ebook = create_variant(gql, admin_key, kind="DIGITAL")
    # when
    cart = create_cart(gql, lines=[line(ebook, 5)])
    # then
    assert cart["requiresShipping"] is False
    assert cart["lines"][0]["available"] is True
    # and a physical book makes it need shipping
    paperback = create_variant(gql, admin_key)
    after = change_cart(gql, CART_LINES_ADD, cartId=cart["id"], lines=[line(paperback)])
    assert after["requiresShipping"] is True


def test_every_change_refreshes_the_update_time_and_the_expiry(
    gql: GraphQLCaller, admin_key: str, clock: Clock
) -> None:
    # given
    novel = create_variant(gql, admin_key)
    cart = create_cart(gql)
    # when an hour later a line is added
    clock.advance(3600)
    after = change_cart(gql, CART_LINES_ADD, cartId=cart["id"], lines=[line(novel)])
    # then
    assert after["createdAt"] == cart["createdAt"]
    assert after["updatedAt"] > cart["updatedAt"]
    assert after["expiresAt"] > cart["expiresAt"]
