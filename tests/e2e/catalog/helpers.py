"""Small builders for catalog e2e tests: inputs, mutations and read-backs over GraphQL.

A test spells out only the fields it is about; everything else gets a valid default.
SKUs and titles are unique per call so tests never collide by accident.
"""

from __future__ import annotations

import base64
import itertools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import GraphQLCaller

_serial = itertools.count(1)

PRODUCT_FIELDS = """
    id handle title description published tags
    attributes { name values }
    collections { id handle }
    currencyCode availableInCurrency availableForSale
    priceRange { minVariantPrice { amount currencyCode } maxVariantPrice { amount currencyCode } }
    variants {
      id sku title kind weightGrams
      selectedOptions { name value }
      price { amount currencyCode }
      prices { amount currencyCode }
      quantityAvailable availableForSale
    }
"""

USER_ERRORS = "userErrors { field code message }"

PRODUCT_CREATE = f"""
mutation ($input: ProductCreateInput!) {{
  productCreate(input: $input) {{ product {{ {PRODUCT_FIELDS} }} {USER_ERRORS} }}
}}
"""

PRODUCT_UPDATE = f"""
mutation ($input: ProductUpdateInput!) {{
  productUpdate(input: $input) {{ product {{ {PRODUCT_FIELDS} }} {USER_ERRORS} }}
}}
"""

PRODUCT_PUBLISH = f"""
mutation ($input: IdInput!) {{
  productPublish(input: $input) {{ product {{ id published }} {USER_ERRORS} }}
}}
"""

PRODUCT_UNPUBLISH = f"""
mutation ($input: IdInput!) {{
  productUnpublish(input: $input) {{ product {{ id published }} {USER_ERRORS} }}
}}
"""

PRODUCT_DELETE = f"""
mutation ($input: IdInput!) {{
  productDelete(input: $input) {{ deletedProductId {USER_ERRORS} }}
}}
"""

VARIANT_FIELDS = """
    id sku title kind weightGrams
    selectedOptions { name value }
    prices { amount currencyCode }
    quantityAvailable availableForSale
"""

VARIANT_CREATE = f"""
mutation ($input: ProductVariantCreateInput!) {{
  productVariantCreate(input: $input) {{
    productVariant {{ {VARIANT_FIELDS} }}
    product {{ id variants {{ id sku }} }}
    {USER_ERRORS}
  }}
}}
"""

VARIANT_UPDATE = f"""
mutation ($input: ProductVariantUpdateInput!) {{
  productVariantUpdate(input: $input) {{
    productVariant {{ {VARIANT_FIELDS} }}
    {USER_ERRORS}
  }}
}}
"""

VARIANT_PRICES_SET = f"""
mutation ($input: ProductVariantPricesSetInput!) {{
  productVariantPricesSet(input: $input) {{
    productVariant {{ id prices {{ amount currencyCode }} }}
    {USER_ERRORS}
  }}
}}
"""

VARIANT_DELETE = f"""
mutation ($input: IdInput!) {{
  productVariantDelete(input: $input) {{
    deletedProductVariantId
    product {{ id variants {{ id sku }} }}
    {USER_ERRORS}
  }}
}}
"""

COLLECTION_FIELDS = "id handle title description image { url altText }"

COLLECTION_CREATE = f"""
mutation ($input: CollectionCreateInput!) {{
  collectionCreate(input: $input) {{ collection {{ {COLLECTION_FIELDS} }} {USER_ERRORS} }}
}}
"""

COLLECTION_UPDATE = f"""
mutation ($input: CollectionUpdateInput!) {{
  collectionUpdate(input: $input) {{ collection {{ {COLLECTION_FIELDS} }} {USER_ERRORS} }}
}}
"""

COLLECTION_DELETE = f"""
mutation ($input: IdInput!) {{
  collectionDelete(input: $input) {{ deletedCollectionId {USER_ERRORS} }}
}}
"""

COLLECTION_ADD_PRODUCTS = f"""
mutation ($input: CollectionProductsInput!) {{
  collectionAddProducts(input: $input) {{ collection {{ id }} {USER_ERRORS} }}
}}
"""

COLLECTION_REMOVE_PRODUCTS = f"""
mutation ($input: CollectionProductsInput!) {{
  collectionRemoveProducts(input: $input) {{ collection {{ id }} {USER_ERRORS} }}
}}
"""

PRODUCT_BY_ID = f"""
query ($id: ID!, $currency: CurrencyCode) {{
  product(id: $id, currency: $currency) {{ {PRODUCT_FIELDS} }}
}}
"""

PRODUCT_BY_HANDLE = f"""
query ($handle: String!) {{ product(handle: $handle) {{ {PRODUCT_FIELDS} }} }}
"""


def unique_suffix() -> str:
    """A short suffix no other call in this process returns."""
    return f"{next(_serial):04d}"


def money(amount: str, currency: str = "USD") -> dict[str, str]:
    """A MoneyInput."""
    return {"amount": amount, "currencyCode": currency}


def variant_input(
    *,
    sku: str | None = None,
    price: str | None = "10.00",
    currency: str = "USD",
    stock: int = 5,
    kind: str = "PHYSICAL",
    format: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A VariantInput; digital variants get no stock unless asked for."""
    suffix = unique_suffix()
    return {
        "sku": sku or f"SKU-{suffix}",
        "options": [{"name": "Format", "value": format or f"Edition {suffix}"}],
        "prices": [] if price is None else [money(price, currency)],
        "kind": kind,
        "initialStock": 0 if kind == "DIGITAL" and "initialStock" not in extra else stock,
        **extra,
    }


def product_input(
    title: str | None = None,
    *,
    variants: list[dict[str, Any]] | None = None,
    published: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """A ProductCreateInput with one physical USD variant unless told otherwise."""
    return {
        "title": title or f"Book {unique_suffix()}",
        "variants": [variant_input()] if variants is None else variants,
        "published": published,
        **extra,
    }


def create_product_payload(gql: GraphQLCaller, admin_key: str, **fields: Any) -> dict[str, Any]:
    """The productCreate payload for ``product_input(**fields)``, refused or not."""
    body = gql(PRODUCT_CREATE, {"input": product_input(**fields)}, api_key=admin_key)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["productCreate"]
    return payload


def create_product(gql: GraphQLCaller, admin_key: str, **fields: Any) -> dict[str, Any]:
    """Create a product through productCreate; returns the product as the payload shows it."""
    payload = create_product_payload(gql, admin_key, **fields)
    assert payload["userErrors"] == [], payload["userErrors"]
    product: dict[str, Any] = payload["product"]
    return product


def create_product_id(gql: GraphQLCaller, admin_key: str, **fields: Any) -> str:
    """Create a product through productCreate and return its global id."""
    product_id: str = create_product(gql, admin_key, **fields)["id"]
    return product_id


def create_collection(
    gql: GraphQLCaller, admin_key: str, title: str | None = None, **fields: Any
) -> dict[str, Any]:
    """Create a collection through collectionCreate; returns it as the payload shows it."""
    collection_input = {"title": title or f"Shelf {unique_suffix()}", **fields}
    body = gql(COLLECTION_CREATE, {"input": collection_input}, api_key=admin_key)
    assert "errors" not in body, body
    payload = body["data"]["collectionCreate"]
    assert payload["userErrors"] == [], payload["userErrors"]
    collection: dict[str, Any] = payload["collection"]
    return collection


def mutate(
    gql: GraphQLCaller, mutation: str, input: dict[str, Any], api_key: str
) -> dict[str, Any]:
    """Run a one-field mutation and return its payload (asserting no top-level errors)."""
    body = gql(mutation, {"input": input}, api_key=api_key)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    (payload,) = data.values()
    assert isinstance(payload, dict)
    return payload


def codes(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    """The (code, field) pairs of a payload's userErrors, in order."""
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


def read_product(
    gql: GraphQLCaller,
    product_id: str,
    *,
    api_key: str | None = None,
    currency: str | None = None,
) -> dict[str, Any] | None:
    """The product by id as a caller (anonymous unless a key is given) sees it."""
    body = gql(PRODUCT_BY_ID, {"id": product_id, "currency": currency}, api_key=api_key)
    assert "errors" not in body, body
    product: dict[str, Any] | None = body["data"]["product"]
    return product


def read_product_by_handle(
    gql: GraphQLCaller, handle: str, *, api_key: str | None = None
) -> dict[str, Any] | None:
    """The product by handle as a caller sees it."""
    body = gql(PRODUCT_BY_HANDLE, {"handle": handle}, api_key=api_key)
    assert "errors" not in body, body
    product: dict[str, Any] | None = body["data"]["product"]
    return product


def listed_titles(gql: GraphQLCaller, *, api_key: str | None = None, **arguments: Any) -> list[str]:
    """Titles of the first page of ``products(...)`` with the given variables."""
    return [p["title"] for p in list_products(gql, api_key=api_key, **arguments)["nodes"]]


PRODUCTS = """
query (
  $first: Int, $after: String, $last: Int, $before: String, $query: String,
  $filter: ProductFilter, $sortKey: ProductSortKeys! = TITLE, $reverse: Boolean! = false,
  $currency: CurrencyCode
) {
  products(
    first: $first, after: $after, last: $last, before: $before, query: $query,
    filter: $filter, sortKey: $sortKey, reverse: $reverse, currency: $currency
  ) {
    nodes { id title handle }
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}
"""


def list_products(
    gql: GraphQLCaller, *, api_key: str | None = None, **arguments: Any
) -> dict[str, Any]:
    """The ``products`` connection for the given variables (first, query, filter, ...)."""
    body = gql(PRODUCTS, arguments, api_key=api_key)
    assert "errors" not in body, body
    connection: dict[str, Any] = body["data"]["products"]
    return connection


def global_id(type_name: str, local_id: str) -> str:
    """A global id as the API encodes it, for ids the API never issued."""
    return base64.urlsafe_b64encode(f"{type_name}:{local_id}".encode()).decode().rstrip("=")


# Well-formed ids of objects that do not exist.
UNKNOWN_PRODUCT_ID = global_id("Product", "0" * 26)
UNKNOWN_VARIANT_ID = global_id("ProductVariant", f"{'0' * 26}.{'1' * 26}")
UNKNOWN_COLLECTION_ID = global_id("Collection", "0" * 26)


CATALOG_STATE = f"""
query {{
  products(first: 100, sortKey: NEWEST) {{
    nodes {{
      {PRODUCT_FIELDS}
      createdAt updatedAt
      variants {{ costPrice {{ amount currencyCode }} }}
    }}
  }}
  collections(first: 100) {{ nodes {{ {COLLECTION_FIELDS} createdAt updatedAt }} }}
}}
"""


def catalog_state(gql: GraphQLCaller, admin_key: str) -> dict[str, Any]:
    """Everything staff can read about the catalog, to prove a refused change wrote nothing."""
    body = gql(CATALOG_STATE, api_key=admin_key)
    assert "errors" not in body, body
    state: dict[str, Any] = body["data"]
    return state


def local_id(global_id_: str) -> str:
    """The local part of a global id, to build ids of objects that do not exist."""
    padded = global_id_ + "=" * (-len(global_id_) % 4)
    return base64.urlsafe_b64decode(padded).decode().partition(":")[2]
