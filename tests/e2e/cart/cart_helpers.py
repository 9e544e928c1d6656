"""Small builders for cart e2e tests: products to buy, cart mutations and read-backs.

Named ``cart_helpers`` because test folders are not packages: a second ``helpers``
module would clash with the catalog's.
"""

from __future__ import annotations

import base64
import itertools
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import GraphQLCaller

_serial = itertools.count(1)


class Clock:
    """A clock that stands still until told to move.

    It starts at the real time: DynamoDB Local deletes items whose ``ttl`` is in the
    (real) past within seconds, so expiry is tested by moving this clock forward, never
    by writing carts that are already expired in real time.
    """

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


USER_ERRORS = "userErrors { field code message }"

CART_FIELDS = """
    id currencyCode createdAt updatedAt expiresAt requiresShipping totalQuantity
    buyerIdentity { email phone marketingConsent { email sms } }
    shippingAddress {
      firstName lastName address1 address2 city province zip countryCode
    }
    lines {
      id quantity available unavailableReason
      merchandise { id sku availableForSale product { title } }
      cost { amountPerQuantity { amount currencyCode } totalAmount { amount currencyCode } }
    }
    cost { subtotalAmount { amount currencyCode } totalAmount { amount currencyCode } }
    warnings { code message lineId }
"""


def _mutation(name: str, input_type: str) -> str:
    return f"""
mutation ($input: {input_type}!) {{
  {name}(input: $input) {{ cart {{ {CART_FIELDS} }} {USER_ERRORS} }}
}}
"""


CART_CREATE = _mutation("cartCreate", "CartCreateInput")
CART_LINES_ADD = _mutation("cartLinesAdd", "CartLinesAddInput")
CART_LINES_UPDATE = _mutation("cartLinesUpdate", "CartLinesUpdateInput")
CART_LINES_REMOVE = _mutation("cartLinesRemove", "CartLinesRemoveInput")
CART_BUYER_IDENTITY_UPDATE = _mutation("cartBuyerIdentityUpdate", "CartBuyerIdentityUpdateInput")
CART_SHIPPING_ADDRESS_UPDATE = _mutation(
    "cartShippingAddressUpdate", "CartShippingAddressUpdateInput"
)
CART_CURRENCY_UPDATE = _mutation("cartCurrencyUpdate", "CartCurrencyUpdateInput")

CART = f"query ($id: ID!) {{ cart(id: $id) {{ {CART_FIELDS} }} }}"

PRODUCT_CREATE = """
mutation ($input: ProductCreateInput!) {
  productCreate(input: $input) {
    product { id variants { id } }
    userErrors { field code message }
  }
}
"""

PRODUCT_UNPUBLISH = """
mutation ($input: IdInput!) {
  productUnpublish(input: $input) { product { id } userErrors { code } }
}
"""

VARIANT_PRICES_SET = """
mutation ($input: ProductVariantPricesSetInput!) {
  productVariantPricesSet(input: $input) { productVariant { id } userErrors { code } }
}
"""


def money(amount: str, currency: str = "USD") -> dict[str, str]:
    """A MoneyInput."""
    return {"amount": amount, "currencyCode": currency}


def create_variant(
    gql: GraphQLCaller,
    admin_key: str,
    *,
    prices: list[dict[str, str]] | None = None,
    stock: int = 10,
    kind: str = "PHYSICAL",
    published: bool = True,
) -> str:
    """A product with one variant (10.00 USD, 10 in stock by default); the variant's id."""
    suffix = f"{next(_serial):04d}"
    variant = {
        "sku": f"CART-{suffix}",
        "prices": [money("10.00")] if prices is None else prices,
        "kind": kind,
        "initialStock": 0 if kind == "DIGITAL" else stock,
    }
    product_input = {"title": f"Book {suffix}", "variants": [variant], "published": published}
    body = gql(PRODUCT_CREATE, {"input": product_input}, api_key=admin_key)
    payload = body["data"]["productCreate"]
    assert payload["userErrors"] == [], payload
    variant_id: str = payload["product"]["variants"][0]["id"]
    return variant_id


def product_of(variant_id: str) -> str:
    """The global id of a variant's product."""
    local = local_id(variant_id)
    return global_id("Product", local.partition(".")[0])


def line(merchandise_id: str, quantity: int = 1) -> dict[str, Any]:
    """A CartLineInput."""
    return {"merchandiseId": merchandise_id, "quantity": quantity}


def mutate(
    gql: GraphQLCaller, mutation: str, input: dict[str, Any], api_key: str | None = None
) -> dict[str, Any]:
    """Run a one-field mutation and return its payload (asserting no top-level errors)."""
    body = gql(mutation, {"input": input}, api_key=api_key)
    assert "errors" not in body, body
    (payload,) = body["data"].values()
    assert isinstance(payload, dict)
    return payload


def create_cart(gql: GraphQLCaller, **input: Any) -> dict[str, Any]:
    """A new cart through cartCreate; returns the cart as the payload shows it."""
    payload = mutate(gql, CART_CREATE, input)
    assert payload["userErrors"] == [], payload["userErrors"]
    cart: dict[str, Any] = payload["cart"]
    return cart


def change_cart(gql: GraphQLCaller, mutation: str, **input: Any) -> dict[str, Any]:
    """Run a cart mutation that must work; the cart as it is now."""
    payload = mutate(gql, mutation, input)
    assert payload["userErrors"] == [], payload["userErrors"]
    cart: dict[str, Any] = payload["cart"]
    return cart


def read_cart(gql: GraphQLCaller, cart_id: str) -> dict[str, Any] | None:
    """The cart as its holder reads it."""
    body = gql(CART, {"id": cart_id})
    assert "errors" not in body, body
    cart: dict[str, Any] | None = body["data"]["cart"]
    return cart


def codes(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    """The (code, field) pairs of a payload's userErrors, in order."""
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


def amounts(cart: dict[str, Any]) -> tuple[str, str]:
    """The cart's subtotal and total amounts."""
    cost = cart["cost"]
    return cost["subtotalAmount"]["amount"], cost["totalAmount"]["amount"]


def global_id(type_name: str, local: str) -> str:
    """A global id as the API encodes it, for ids the API never issued."""
    return base64.urlsafe_b64encode(f"{type_name}:{local}".encode()).decode().rstrip("=")


def local_id(global_id_: str) -> str:
    """The local part of a global id."""
    padded = global_id_ + "=" * (-len(global_id_) % 4)
    return base64.urlsafe_b64decode(padded).decode().partition(":")[2]


UNKNOWN_CART_ID = global_id("Cart", "A" * 32)
UNKNOWN_VARIANT_ID = global_id("ProductVariant", f"{'0' * 26}.{'1' * 26}")
