"""A cart's shipping and tax: options by zone, the shopper's choice, tax by address, totals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cart_helpers import codes, global_id, local_id, mutate
from shipping_tax_helpers import (
    ADDRESS_UPDATE,
    OPTION_SELECT,
    RATE_DELETE,
    address,
    cart_with,
    change,
    cost,
    issues,
    option_id,
    options,
    rate,
    read,
    tax_rate,
    variant,
    zone,
)

from dynamodb_calls import count_dynamodb_calls

if TYPE_CHECKING:
    from conftest import GraphQLCaller


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currencyCode": "USD"}


def us_shipping(gql: GraphQLCaller, admin_key: str) -> str:
    """A US zone with a flat, a free-above-50 and a weight rate; the zone's id."""
    home = zone(gql, admin_key, "US")
    rate(gql, admin_key, home, title="Standard", kind="FLAT", prices=[money("5.00")])
    rate(
        gql,
        admin_key,
        home,
        title="Free over 50",
        kind="FREE_ABOVE",
        prices=[money("7.00")],
        freeAbove=[money("50")],
    )
    rate(
        gql,
        admin_key,
        home,
        title="Parcel",
        kind="WEIGHT",
        weightBands=[
            {"upToGrams": 1000, "prices": [money("3.00")]},
            {"upToGrams": 3000, "prices": [money("8.00")]},
        ],
    )
    return home


def test_a_digital_only_cart_needs_no_address_and_no_shipping(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    ebook = variant(gql, admin_key, "9.99", digital=True)
    # when
    cart = cart_with(gql, (ebook, 1))
    # then
    assert cart["requiresShipping"] is False
    assert cart["deliveryOptions"] == []
    assert issues(cart) == []
    assert cart["checkoutReady"] is True
    assert cost(cart) == {
        "subtotalAmount": "9.99",
        "shippingAmount": "0.00",
        "shippingTaxAmount": None,
        "totalTaxAmount": None,
        "totalAmount": "9.99",
        "taxesIncluded": False,
    }


def test_a_physical_cart_asks_for_an_address_then_for_a_delivery_option(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    us_shipping(gql, admin_key)
    book = variant(gql, admin_key, "20.00", grams=600)
    cart = cart_with(gql, (book, 2))
    assert (issues(cart), cart["checkoutReady"]) == (["SHIPPING_ADDRESS_REQUIRED"], False)
    assert (cost(cart)["shippingAmount"], cost(cart)["totalTaxAmount"]) == (None, None)
    # when
    cart = change(gql, ADDRESS_UPDATE, cartId=cart["id"], address=address("US", "NY"))
    # then: 1200 g is past the first band; 40.00 is below the free threshold
    assert cart["totalWeightGrams"] == 1200
    assert options(cart) == [("Standard", "5.00"), ("Free over 50", "7.00"), ("Parcel", "8.00")]
    assert issues(cart) == ["DELIVERY_OPTION_REQUIRED"]
    assert cost(cart)["shippingAmount"] is None
    assert cost(cart)["totalAmount"] == "40.00"
    # when
    cart = change(gql, OPTION_SELECT, cartId=cart["id"], deliveryOptionId=option_id(cart, "Parcel"))
    # then
    assert cart["selectedDeliveryOption"]["title"] == "Parcel"
    assert (issues(cart), cart["checkoutReady"]) == ([], True)
    assert cost(cart)["shippingAmount"] == "8.00"
    assert cost(cart)["totalAmount"] == "48.00"
    assert read(gql, cart["id"]) == cart


def test_shipping_is_free_once_the_subtotal_reaches_the_threshold(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    us_shipping(gql, admin_key)
    book = variant(gql, admin_key, "25.00", grams=2000)
    # when
    cart = cart_with(gql, (book, 2), ship_to=address("US"))
    # then: 4000 g is past every weight band, so that rate is not offered
    assert options(cart) == [("Free over 50", "0.00"), ("Standard", "5.00")]


def test_an_address_outside_every_zone_gets_no_shipping(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    us_shipping(gql, admin_key)
    book = variant(gql, admin_key, "20.00")
    # when
    cart = cart_with(gql, (book, 1), ship_to=address("JP"))
    # then
    assert cart["deliveryOptions"] == []
    assert issues(cart) == ["SHIPPING_NOT_AVAILABLE"]
    assert cart["checkoutReady"] is False
    assert cost(cart)["shippingAmount"] is None
    assert cost(cart)["totalTaxAmount"] == "0.00"  # an address, but no rate set for Japan


def test_a_chosen_option_is_checked_again_on_every_read(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    home = zone(gql, admin_key, "GB")
    express = rate(gql, admin_key, home, title="Express", kind="FLAT", prices=[money("12")])
    rate(gql, admin_key, home, title="Post", kind="FLAT", prices=[money("3")])
    book = variant(gql, admin_key, "20.00")
    cart = cart_with(gql, (book, 1), ship_to=address("GB"))
    cart = change(
        gql, OPTION_SELECT, cartId=cart["id"], deliveryOptionId=option_id(cart, "Express")
    )
    assert cost(cart)["shippingAmount"] == "12.00"
    # when: staff withdraw the rate
    withdrawn = mutate(gql, RATE_DELETE, {"id": express}, admin_key)
    assert withdrawn["userErrors"] == []
    # then
    after = read(gql, cart["id"])
    assert issues(after) == ["DELIVERY_OPTION_UNAVAILABLE"]
    assert after["selectedDeliveryOption"] is None
    assert cost(after)["shippingAmount"] is None
    assert options(after) == [("Post", "3.00")]


def test_only_an_offered_option_can_be_chosen(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    home = zone(gql, admin_key, "GB")
    rate(gql, admin_key, home, title="Post", kind="FLAT", prices=[money("3")])
    elsewhere = zone(gql, admin_key, "FR")
    french = rate(gql, admin_key, elsewhere, title="La Poste", kind="FLAT", prices=[money("4")])
    book = variant(gql, admin_key, "20.00")
    cart = cart_with(gql, (book, 1), ship_to=address("GB"))
    # when
    other_zone = mutate(
        gql, OPTION_SELECT, {"cartId": cart["id"], "deliveryOptionId": _option_of(french)}
    )
    malformed = mutate(gql, OPTION_SELECT, {"cartId": cart["id"], "deliveryOptionId": french})
    # then
    assert codes(other_zone) == [("DELIVERY_OPTION_NOT_AVAILABLE", ["deliveryOptionId"])]
    assert codes(malformed) == [("INVALID_ID", ["deliveryOptionId"])]
    assert read(gql, cart["id"])["selectedDeliveryOption"] is None


def _option_of(rate_global_id: str) -> str:
    """The DeliveryOption id a rate is offered under (the same local id)."""
    return global_id("DeliveryOption", local_id(rate_global_id))


def test_tax_is_added_per_line_and_on_shipping_with_a_regions_rate_first(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    home = zone(gql, admin_key, "US")
    rate(gql, admin_key, home, title="Standard", kind="FLAT", prices=[money("4.99")])
    tax_rate(gql, admin_key, "US", "5")
    tax_rate(gql, admin_key, "US", "7.25", region="CA")
    book = variant(gql, admin_key, "10.99")
    ebook = variant(gql, admin_key, "3.33", digital=True)
    # when
    cart = cart_with(gql, (book, 3), (ebook, 1), ship_to=address("US", "ca"))
    cart = change(
        gql, OPTION_SELECT, cartId=cart["id"], deliveryOptionId=option_id(cart, "Standard")
    )
    # then: 32.97 x 7.25 % = 2.390325 -> 2.39; 3.33 -> 0.241425 -> 0.24; 4.99 -> 0.361775 -> 0.36
    assert [ln["cost"]["totalTaxAmount"]["amount"] for ln in cart["lines"]] == ["2.39", "0.24"]
    assert cost(cart) == {
        "subtotalAmount": "36.30",
        "shippingAmount": "4.99",
        "shippingTaxAmount": "0.36",
        "totalTaxAmount": "2.99",
        "totalAmount": "44.28",
        "taxesIncluded": False,
    }
    # when: the same cart shipped elsewhere in the US takes the country's rate
    cart = change(gql, ADDRESS_UPDATE, cartId=cart["id"], address=address("US", "NY"))
    # then: 1.6485 -> 1.65; 0.1665 -> 0.17; 0.2495 -> 0.25
    assert cost(cart)["totalTaxAmount"] == "2.07"
    assert cost(cart)["totalAmount"] == "43.36"


def test_reading_a_cart_with_an_address_costs_a_fixed_number_of_calls(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    us_shipping(gql, admin_key)
    tax_rate(gql, admin_key, "US", "5")
    books = [variant(gql, admin_key, "10.00", grams=100) for _ in range(6)]
    small = cart_with(gql, (books[0], 1), ship_to=address("US"))
    large = cart_with(gql, *((b, 2) for b in books), ship_to=address("US"))
    # when
    counts = []
    for cart in (small, large):
        with count_dynamodb_calls() as calls:
            read(gql, cart["id"])
        counts.append(calls.by_operation())
    # then: the cart, the zones, the tax rates, the promotions, its products and their
    # stock (no cache in tests)
    assert counts[0] == counts[1] == {"GetItem": 2, "Query": 2, "BatchGetItem": 2}
