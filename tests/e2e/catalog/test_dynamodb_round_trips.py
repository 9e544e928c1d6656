"""A storefront request costs a fixed number of DynamoDB calls, however many products it shows.

The ``settings`` fixture turns the catalog snapshot cache off, so every read a request
needs reaches DynamoDB: these counts are the worst case, on a cold cache.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from helpers import global_id

from commerce.catalog.commands import CollectionDraft, ProductDraft, VariantDraft
from commerce.catalog.model import OptionValue
from commerce.money import Currency, Money
from dynamodb_calls import count_dynamodb_calls

if TYPE_CHECKING:
    from collections import Counter

    from commerce.composition import Services
    from conftest import GraphQLCaller

PRODUCTS = 60
VARIANTS_PER_PRODUCT = 3
SHELVES = 3


def seed_bookshop(services: Services) -> list[str]:
    """60 published products of 3 physical variants on 3 shelves; their global ids.

    Written through the service, one worker per shelf: parallel writes keep the test fast,
    and each shelf's products are written one after another.
    """
    catalog = services.catalog
    shelves = [catalog.create_collection(CollectionDraft(f"Shelf {s}")) for s in range(SHELVES)]

    def draft(number: int) -> ProductDraft:
        return ProductDraft(
            title=f"Book {number:03d}",
            published=True,
            collection_ids=(shelves[number % SHELVES].id,),
            variants=tuple(
                VariantDraft(
                    sku=f"BOOK-{number:03d}-{v}",
                    options=(OptionValue("Format", f"Format {v}"),),
                    prices=(Money(1000 + number * 10 + v, Currency.USD),),
                    initial_stock=(number + v) % 4,
                )
                for v in range(VARIANTS_PER_PRODUCT)
            ),
        )

    def fill(shelf: int) -> list[str]:
        return [catalog.create_product(draft(n)).id for n in range(shelf, PRODUCTS, SHELVES)]

    with ThreadPoolExecutor(SHELVES) as pool:
        ids = [
            product_id for shelf_ids in pool.map(fill, range(SHELVES)) for product_id in shelf_ids
        ]
    return [global_id("Product", product_id) for product_id in ids]


LISTING = """
query ($first: Int!) {
  products(first: $first, sortKey: PRICE) {
    totalCount
    nodes {
      id title availableForSale
      priceRange { minVariantPrice { amount currencyCode } }
      collections { id handle title }
      variants {
        id sku price { amount currencyCode } quantityAvailable availableForSale
      }
    }
  }
}
"""

NODES = """
query ($ids: [ID!]!) {
  nodes(ids: $ids) {
    id
    ... on Product {
      title collections { handle } variants { quantityAvailable availableForSale }
    }
  }
}
"""


def calls_to_list(gql: GraphQLCaller, first: int) -> Counter[str]:
    """DynamoDB calls made while a shopper lists the first ``first`` products."""
    with count_dynamodb_calls() as calls:
        body = gql(LISTING, {"first": first})
    assert "errors" not in body, body
    nodes = body["data"]["products"]["nodes"]
    assert len(nodes) == first
    assert all(len(n["variants"]) == VARIANTS_PER_PRODUCT for n in nodes)
    assert all(len(n["collections"]) == 1 for n in nodes)
    return calls.by_operation()


def calls_to_load(gql: GraphQLCaller, ids: list[str]) -> Counter[str]:
    """DynamoDB calls made while a shopper loads these products through ``nodes``."""
    with count_dynamodb_calls() as calls:
        body = gql(NODES, {"ids": ids})
    assert "errors" not in body, body
    nodes = body["data"]["nodes"]
    assert [n["id"] for n in nodes] == ids
    assert all(len(n["variants"]) == VARIANTS_PER_PRODUCT for n in nodes)
    return calls.by_operation()


def test_listing_fifty_products_costs_as_many_dynamodb_calls_as_listing_five(
    services: Services, gql: GraphQLCaller
) -> None:
    # given
    seed_bookshop(services)

    # when
    for_five = calls_to_list(gql, 5)
    for_fifty = calls_to_list(gql, 50)

    # then
    print(f"products(first: 5): {dict(for_five)}; products(first: 50): {dict(for_fifty)}")  # noqa: T201
    assert for_fifty == for_five
    assert 1 <= sum(for_five.values()) <= 3


def test_loading_nodes_costs_one_batch_for_the_products_and_one_per_hundred_variants(
    services: Services, gql: GraphQLCaller
) -> None:
    # given
    ids = seed_bookshop(services)

    # when
    for_five = calls_to_load(gql, ids[:5])
    for_thirty_three = calls_to_load(gql, ids[:33])
    for_fifty = calls_to_load(gql, ids[:50])

    # then
    print(  # noqa: T201
        f"nodes(5 ids): {dict(for_five)}; nodes(33 ids): {dict(for_thirty_three)}; "
        f"nodes(50 ids): {dict(for_fifty)}"
    )
    # one BatchGetItem for the products, one for the stock of their 15 variants, and one
    # GetItem of the catalog snapshot's pointer for every product's collections
    assert for_five == {"BatchGetItem": 2, "GetItem": 1}
    # 99 variants still fit one stock batch
    assert for_thirty_three == for_five
    # 150 variants take two: DynamoDB's BatchGetItem reads at most 100 keys a call
    assert for_fifty == {"BatchGetItem": 3, "GetItem": 1}
