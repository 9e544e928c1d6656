"""Calculated query cost, depth and breadth of known operations (pure: no HTTP, no DB)."""

from __future__ import annotations

import pytest
from graphql import GraphQLSchema, parse

from commerce.graphql.cost import MAX_NESTING, SATURATED, OperationTooDeep, operation_cost
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


def _doubling_chain(levels: int, on: str, leaf: str) -> str:
    """Fragments each spreading the next twice: 2**levels copies of ``leaf`` once expanded."""
    chain = "".join(f"fragment F{i} on {on} {{ ...F{i + 1} ...F{i + 1} }} " for i in range(levels))
    return chain + f"fragment F{levels} on {on} {{ {leaf} }}"


def test_a_doubling_fragment_chain_is_analysed_once_per_fragment(schema: GraphQLSchema) -> None:
    # given 40 levels: 2**40 root fields once expanded, far past any walk that expands
    query = "{ ...F0 } " + _doubling_chain(40, "Query", 'product(handle: "x") { title }')
    # when
    figures = operation_cost(schema, parse(query))
    # then every spread counts, and the work done is one visit per selection written
    assert figures.root_fields == 2**40
    assert figures.cost == 2**40
    assert figures.work == 1 + 2 * 40 + 2


def test_a_doubling_chain_inside_a_connection_costs_its_objects_only(
    schema: GraphQLSchema,
) -> None:
    # given scalars at the leaves: only the connection and its nodes are objects
    query = "{ products(first: 1) { nodes { ...F0 } } } " + _doubling_chain(60, "Product", "title")
    # when
    figures = operation_cost(schema, parse(query))
    # then
    assert (figures.cost, figures.depth) == (2, 3)
    assert figures.work < 200


def test_figures_saturate_instead_of_growing_without_bound(schema: GraphQLSchema) -> None:
    query = "{ ...F0 } " + _doubling_chain(60, "Query", 'product(handle: "x") { title }')
    assert operation_cost(schema, parse(query)).cost == SATURATED


def test_an_int_literal_of_thousands_of_digits_counts_as_the_largest_page(
    schema: GraphQLSchema,
) -> None:
    digits = "9" * 5000
    literal = f"{{ products(first: {digits}) {{ nodes {{ title }} }} }}"
    default = f"query Q($n: Int = {digits}) {{ products(first: $n) {{ nodes {{ title }} }} }}"
    assert operation_cost(schema, parse(literal)).cost == SATURATED
    assert operation_cost(schema, parse(default)).cost == SATURATED
    negative = f"{{ products(first: -{digits}) {{ nodes {{ title }} }} }}"
    assert operation_cost(schema, parse(negative)).cost == 1


def test_fragments_nested_past_the_bound_are_refused_before_validation(
    schema: GraphQLSchema,
) -> None:
    # given a chain of single spreads deeper than the walk follows
    levels = MAX_NESTING + 5
    chain = "".join(f"fragment F{i} on Query {{ ...F{i + 1} }} " for i in range(levels))
    query = "{ ...F0 } " + chain + f"fragment F{levels} on Query {{ __typename }}"
    # when / then
    with pytest.raises(OperationTooDeep):
        operation_cost(schema, parse(query))


def test_mutually_cyclic_fragments_count_nothing_and_end(schema: GraphQLSchema) -> None:
    query = (
        "{ ...A } fragment A on Query { ...B ...B shop { name } } fragment B on Query { ...A ...A }"
    )
    figures = operation_cost(schema, parse(query))
    assert figures.root_fields == 1
