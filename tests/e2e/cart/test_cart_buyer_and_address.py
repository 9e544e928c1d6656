"""A shopper says who they are and where the books go."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cart_helpers import (
    CART_BUYER_IDENTITY_UPDATE,
    CART_SHIPPING_ADDRESS_UPDATE,
    change_cart,
    create_cart,
    read_cart,
)

if TYPE_CHECKING:
    from conftest import GraphQLCaller


def test_a_buyer_identity_is_stored_normalized_with_marketing_consent(gql: GraphQLCaller) -> None:
    # given
    cart = create_cart(gql, buyerIdentity={"email": " ada@example.com "})
    assert cart["buyerIdentity"]["email"] == "ada@example.com"
    # when
    after = change_cart(
        gql,
        CART_BUYER_IDENTITY_UPDATE,
        cartId=cart["id"],
        buyerIdentity={
            "email": "ada@example.org",
            "phone": "+44 1632 960-961",
            "marketingConsent": {"email": True, "sms": False},
        },
    )
    # then
    assert after["buyerIdentity"] == {
        "email": "ada@example.org",
        "phone": "+441632960961",
        "marketingConsent": {"email": True, "sms": False},
    }
    assert read_cart(gql, cart["id"]) == after


def test_a_shipping_address_is_stored_with_an_upper_case_country(gql: GraphQLCaller) -> None:
    # given
    cart = create_cart(gql)
    address = {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "address1": "12 St James's Square",
        "city": "London",
        "zip": "SW1Y 4JH",
        "countryCode": "gb",
    }
    # when
    after = change_cart(gql, CART_SHIPPING_ADDRESS_UPDATE, cartId=cart["id"], address=address)
    # then
    assert after["shippingAddress"] == {
        **address,
        "address2": "",
        "province": "",
        "countryCode": "GB",
    }
    assert read_cart(gql, cart["id"]) == after
