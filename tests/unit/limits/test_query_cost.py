"""Calculated query cost, depth and breadth of known operations (pure: no HTTP, no DB)."""

from __future__ import annotations

import pytest
from graphql import GraphQLSchema, parse

from commerce.graphql.cost import operation_cost
from commerce.schema import build_schema


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    built: GraphQLSchema = build_schema()._schema
    return built


LISTING = """
query Listing($first: Int!) {
  products(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id title
      priceRange { minVariantPrice { amount currencyCode } }
      variants { id sku price { amount currencyCode } }
    }
  }
}
"""


@pytest.mark.parametrize(
    ("query", "variables", "cost"),
    [
        # 1 + pageInfo 1 + 50 x (product 1 + priceRange 1 + Money 1 + variants 1 + Money 1)
        (LISTING, {"first": 50}, 252),
        # first absent: the default page of 20
        ("{ products { nodes { title } } }", None, 21),
        ("{ products(last: 7) { edges { cursor node { title } } } }", None, 15),
        # scalars only: the object alone
        ('{ product(handle: "dune") { title handle } }', None, 1),
        ("{ __typename }", None, 0),
        # nodes(ids:) costs per id
        ('{ nodes(ids: ["a", "b", "c"]) { id } }', None, 3),
        # nested connections multiply
        (
            "{ collections(first: 10) { nodes { products(first: 10) { nodes { title } } } } }",
            None,
            121,
        ),
        # a mutation's root field costs 10 more
        (
            'mutation { productCreate(input: {title: "x"}) '
            "{ product { title } userErrors { code } } }",
            None,
            13,
        ),
    ],
)
def test_known_operations_cost_what_the_rules_say(
    schema: GraphQLSchema, query: str, variables: dict[str, int] | None, cost: int
) -> None:
    assert operation_cost(schema, parse(query), None, variables).cost == cost


def test_a_variable_default_is_used_when_the_variable_is_not_sent(schema: GraphQLSchema) -> None:
    query = "query Q($n: Int = 3) { products(first: $n) { nodes { title } } }"
    assert operation_cost(schema, parse(query)).cost == 4


def test_fragments_count_where_they_are_spread(schema: GraphQLSchema) -> None:
    query = """
    query { products(first: 10) { ...Page } }
    fragment Page on ProductConnection { nodes { ...Card } }
    fragment Card on Product { title priceRange { minVariantPrice { amount } } }
    """
    assert operation_cost(schema, parse(query)).cost == 1 + 10 * 3


def test_on_an_interface_the_dearest_possible_type_counts(schema: GraphQLSchema) -> None:
    query = """
    { node(id: "x") {
        ... on Product { variants { price { amount } } }
        ... on Collection { products(first: 5) { nodes { title } } }
    } }
    """
    # Product: 1 + variants 1 + Money 1 = 3; Collection: 1 + 1 + 5 = 7
    assert operation_cost(schema, parse(query)).cost == 7


def test_cyclic_fragments_do_not_loop(schema: GraphQLSchema) -> None:
    query = "{ products { ...A } } fragment A on ProductConnection { ...A }"
    assert operation_cost(schema, parse(query)).cost == 1


def test_the_named_operation_is_the_one_costed(schema: GraphQLSchema) -> None:
    document = parse("query A { products(first: 1) { nodes { title } } } query B { __typename }")
    assert operation_cost(schema, document, "A").cost == 2
    assert operation_cost(schema, document, "B").cost == 0
    assert operation_cost(schema, document, None).operation_type is None


def test_depth_root_fields_and_aliases_are_counted(schema: GraphQLSchema) -> None:
    query = (
        '{ a: product(handle: "a") { title } '
        'b: product(handle: "b") { variants { price { amount } } } }'
    )
    figures = operation_cost(schema, parse(query))
    assert (figures.root_fields, figures.aliases, figures.depth) == (2, 2, 4)
