"""With COMMERCE_PRICES_INCLUDE_TAX, prices stay as shown and the tax inside them is shown."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import pytest
from shipping_tax_helpers import (
    OPTION_SELECT,
    address,
    cart_with,
    change,
    cost,
    option_id,
    rate,
    tax_rate,
    variant,
    zone,
)

if TYPE_CHECKING:
    from commerce.settings import Settings
    from conftest import GraphQLCaller


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test settings, with tax-inclusive prices."""
    return dataclasses.replace(settings, prices_include_tax=True)


def test_included_tax_is_extracted_per_line_and_from_shipping(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    home = zone(gql, admin_key, "GB")
    rate(
        gql,
        admin_key,
        home,
        title="Post",
        kind="FLAT",
        prices=[{"amount": "3.60", "currencyCode": "USD"}],
    )
    tax_rate(gql, admin_key, "GB", "20")
    book = variant(gql, admin_key, "12.00")
    ebook = variant(gql, admin_key, "5.99", digital=True)
    # when
    cart = cart_with(gql, (book, 1), (ebook, 1), ship_to=address("GB"))
    cart = change(gql, OPTION_SELECT, cartId=cart["id"], deliveryOptionId=option_id(cart, "Post"))
    # then: 12.00 / 6 = 2.00; 5.99 / 6 = 0.998 -> 1.00; 3.60 / 6 = 0.60
    assert [ln["cost"]["totalTaxAmount"]["amount"] for ln in cart["lines"]] == ["2.00", "1.00"]
    assert cost(cart) == {
        "subtotalAmount": "17.99",
        "shippingAmount": "3.60",
        "shippingTaxAmount": "0.60",
        "totalTaxAmount": "3.60",
        "totalAmount": "21.59",
        "taxesIncluded": True,
    }
    assert gql("{ pricesIncludeTax }") == {"data": {"pricesIncludeTax": True}}
