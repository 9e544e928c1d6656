"""Builders for inventory e2e tests: variants to stock, stock mutations and read-backs.

Named ``inventory_helpers`` because test folders are not packages.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import GraphQLCaller

_serial = itertools.count(1)

PRODUCT_CREATE = """
mutation ($input: ProductCreateInput!) {
  productCreate(input: $input) { product { variants { id } } userErrors { code } }
}"""
SET = """
mutation ($input: InventorySetInput!) {
  inventorySet(input: $input) {
    inventoryLevel { variantId available } userErrors { field code message }
  }
}"""
ADJUST = """
mutation ($input: InventoryAdjustInput!) {
  inventoryAdjust(input: $input) {
    inventoryLevel { variantId available } userErrors { field code message }
  }
}"""
LEVEL = """
query ($id: ID!, $first: Int!, $after: String) {
  inventoryLevel(variantId: $id) {
    available
    history(first: $first, after: $after) {
      nodes { kind delta available reason actor createdAt }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""


def stocked_variant(
    gql: GraphQLCaller, admin_key: str, *, kind: str = "PHYSICAL", stock: int = 5
) -> str:
    suffix = f"{next(_serial):04d}"
    variant = {
        "sku": f"INV-{suffix}",
        "prices": [{"amount": "9.00", "currencyCode": "USD"}],
        "kind": kind,
        "initialStock": stock if kind == "PHYSICAL" else 0,
    }
    body = gql(
        PRODUCT_CREATE,
        {"input": {"title": f"Stocked {suffix}", "variants": [variant], "published": True}},
        api_key=admin_key,
    )
    variant_id: str = body["data"]["productCreate"]["product"]["variants"][0]["id"]
    return variant_id


def payload_of(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body
    (payload,) = body["data"].values()
    assert isinstance(payload, dict)
    return payload


def read_level(gql: GraphQLCaller, admin_key: str, variant_id: str, **page: Any) -> dict[str, Any]:
    variables = {"id": variant_id, "first": 10, **page}
    body = gql(LEVEL, variables, api_key=admin_key)
    assert "errors" not in body, body
    level: dict[str, Any] = body["data"]["inventoryLevel"]
    return level
