"""Builders for cart totals tests: weighed products, zones, rates and tax rates over GraphQL."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from cart_helpers import CART_FIELDS, USER_ERRORS, money, mutate

if TYPE_CHECKING:
    from conftest import GraphQLCaller

_serial = itertools.count(1)

TOTALS_FIELDS = f"""
    {CART_FIELDS}
    totalWeightGrams checkoutReady
    checkoutIssues {{ code message }}
    deliveryOptions {{ id title price {{ amount currencyCode }} }}
    selectedDeliveryOption {{ id title price {{ amount }} }}
    lines {{ cost {{ totalTaxAmount {{ amount }} }} }}
    cost {{
      subtotalAmount {{ amount }} shippingAmount {{ amount }} shippingTaxAmount {{ amount }}
      totalTaxAmount {{ amount }} totalAmount {{ amount }} taxesIncluded
    }}
"""
CART = f"query ($id: ID!) {{ cart(id: $id) {{ {TOTALS_FIELDS} }} }}"
CART_CREATE = f"""
mutation ($input: CartCreateInput!) {{
  cartCreate(input: $input) {{ cart {{ {TOTALS_FIELDS} }} {USER_ERRORS} }}
}}"""
ADDRESS_UPDATE = f"""
mutation ($input: CartShippingAddressUpdateInput!) {{
  cartShippingAddressUpdate(input: $input) {{ cart {{ {TOTALS_FIELDS} }} {USER_ERRORS} }}
}}"""
OPTION_SELECT = f"""
mutation ($input: CartDeliveryOptionSelectInput!) {{
  cartDeliveryOptionSelect(input: $input) {{ cart {{ {TOTALS_FIELDS} }} {USER_ERRORS} }}
}}"""
PRODUCT_CREATE = """
mutation ($input: ProductCreateInput!) {
  productCreate(input: $input) { product { variants { id } } userErrors { code } }
}"""
ZONE_CREATE = """
mutation ($input: ShippingZoneCreateInput!) {
  shippingZoneCreate(input: $input) { shippingZone { id } userErrors { code } }
}"""
RATE_CREATE = """
mutation ($input: ShippingRateCreateInput!) {
  shippingRateCreate(input: $input) { shippingRate { id } userErrors { code } }
}"""
RATE_DELETE = """
mutation ($input: ShippingDeleteInput!) {
  shippingRateDelete(input: $input) { deletedShippingRateId userErrors { code } }
}"""
TAX_RATE_SET = """
mutation ($input: TaxRateSetInput!) { taxRateSet(input: $input) { userErrors { code } } }
"""


def variant(
    gql: GraphQLCaller,
    admin_key: str,
    price: str,
    *,
    grams: int | None = None,
    digital: bool = False,
) -> str:
    """A published product with one variant priced in USD; the variant's id."""
    suffix = next(_serial)
    draft: dict[str, Any] = {
        "sku": f"TOT-{suffix}",
        "prices": [money(price)],
        "kind": "DIGITAL" if digital else "PHYSICAL",
        "initialStock": 0 if digital else 50,
    }
    if grams is not None:
        draft["weightGrams"] = grams
    payload = mutate(
        gql,
        PRODUCT_CREATE,
        {"title": f"Totals {suffix}", "variants": [draft], "published": True},
        admin_key,
    )
    assert payload["userErrors"] == [], payload
    variant_id: str = payload["product"]["variants"][0]["id"]
    return variant_id


def zone(gql: GraphQLCaller, admin_key: str, *countries: str) -> str:
    """A shipping zone's id."""
    payload = mutate(
        gql, ZONE_CREATE, {"name": "/".join(countries), "countries": list(countries)}, admin_key
    )
    assert payload["userErrors"] == [], payload
    zone_id: str = payload["shippingZone"]["id"]
    return zone_id


def rate(gql: GraphQLCaller, admin_key: str, zone_id: str, **input: Any) -> str:
    """A shipping rate's id."""
    payload = mutate(gql, RATE_CREATE, {"zoneId": zone_id, **input}, admin_key)
    assert payload["userErrors"] == [], payload
    rate_id: str = payload["shippingRate"]["id"]
    return rate_id


def tax_rate(
    gql: GraphQLCaller, admin_key: str, country: str, rate: str, region: str | None = None
) -> None:
    """Set a tax rate."""
    payload = mutate(
        gql, TAX_RATE_SET, {"countryCode": country, "regionCode": region, "rate": rate}, admin_key
    )
    assert payload["userErrors"] == [], payload


def address(country: str, province: str = "") -> dict[str, str]:
    """A MailingAddressInput."""
    return {"address1": "1 Main St", "city": "Town", "province": province, "countryCode": country}


def cart_with(
    gql: GraphQLCaller, *lines: tuple[str, int], ship_to: dict[str, str] | None = None
) -> dict[str, Any]:
    """A cart with these (variant, quantity) lines, shipped to ``ship_to`` when given."""
    payload = mutate(
        gql, CART_CREATE, {"lines": [{"merchandiseId": v, "quantity": q} for v, q in lines]}
    )
    assert payload["userErrors"] == [], payload
    cart: dict[str, Any] = payload["cart"]
    if ship_to is not None:
        cart = change(gql, ADDRESS_UPDATE, cartId=cart["id"], address=ship_to)
    return cart


def change(gql: GraphQLCaller, mutation: str, **input: Any) -> dict[str, Any]:
    """A cart mutation that must work; the cart as it is now."""
    payload = mutate(gql, mutation, input)
    assert payload["userErrors"] == [], payload
    cart: dict[str, Any] = payload["cart"]
    return cart


def read(gql: GraphQLCaller, cart_id: str) -> dict[str, Any]:
    """The cart with its totals."""
    body = gql(CART, {"id": cart_id})
    assert "errors" not in body, body
    cart: dict[str, Any] = body["data"]["cart"]
    return cart


def cost(cart: dict[str, Any]) -> dict[str, str | None]:
    """The cart's cost amounts by name (None for null amounts), and taxesIncluded."""
    return {
        name: (value["amount"] if isinstance(value, dict) else value)
        for name, value in cart["cost"].items()
    }


def issues(cart: dict[str, Any]) -> list[str]:
    """The codes of the cart's checkout issues."""
    return [issue["code"] for issue in cart["checkoutIssues"]]


def options(cart: dict[str, Any]) -> list[tuple[str, str]]:
    """The cart's delivery options as (title, price)."""
    return [(o["title"], o["price"]["amount"]) for o in cart["deliveryOptions"]]


def option_id(cart: dict[str, Any], title: str) -> str:
    """The id of the delivery option with this title."""
    found: str = next(o["id"] for o in cart["deliveryOptions"] if o["title"] == title)
    return found
