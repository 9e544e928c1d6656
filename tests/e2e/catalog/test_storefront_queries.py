"""What a storefront reads: products by id or handle, searched, filtered, sorted and paged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from helpers import (
    UNKNOWN_COLLECTION_ID,
    UNKNOWN_PRODUCT_ID,
    UNKNOWN_VARIANT_ID,
    create_collection,
    create_product,
    global_id,
    list_products,
    listed_titles,
    money,
    read_product,
    variant_input,
)

if TYPE_CHECKING:
    from starlette.testclient import TestClient

    from conftest import GraphQLCaller

PRATCHETT = [{"name": "author", "values": ["Terry Pratchett"]}]
TOLKIEN = [{"name": "author", "values": ["J. R. R. Tolkien"]}]


@dataclass(frozen=True)
class Shelf:
    """A small bookshop: five published books, one draft, two collections."""

    discworld: dict[str, Any]
    middle_earth: dict[str, Any]
    mort: dict[str, Any]
    small_gods: dict[str, Any]
    hobbit: dict[str, Any]
    silmarillion: dict[str, Any]
    dune: dict[str, Any]
    snuff: dict[str, Any]


@pytest.fixture
def shelf(gql: GraphQLCaller, admin_key: str) -> Shelf:
    """The bookshop, created through the API in this order (NEWEST lists it backwards)."""
    discworld = create_collection(gql, admin_key, "Discworld", handle="discworld")
    middle_earth = create_collection(gql, admin_key, "Middle-earth", handle="middle-earth")
    mort = create_product(
        gql,
        admin_key,
        title="Mort",
        handle="mort",
        attributes=PRATCHETT,
        tags=["fantasy"],
        collectionIds=[discworld["id"]],
        variants=[
            variant_input(
                format="Paperback", stock=3, prices=[money("9.99"), money("8.99", "EUR")]
            ),
            variant_input(format="Ebook", price="4.99", kind="DIGITAL"),
        ],
    )
    small_gods = create_product(
        gql,
        admin_key,
        title="Small Gods",
        handle="small-gods",
        attributes=PRATCHETT,
        collectionIds=[discworld["id"]],
        variants=[variant_input(format="Paperback", price="12.00", stock=0)],
    )
    hobbit = create_product(
        gql,
        admin_key,
        title="The Hobbit",
        handle="the-hobbit",
        attributes=TOLKIEN,
        tags=["fantasy"],
        collectionIds=[middle_earth["id"]],
        variants=[
            variant_input(
                format="Hardcover", stock=5, prices=[money("25.00"), money("23.00", "EUR")]
            )
        ],
    )
    silmarillion = create_product(
        gql,
        admin_key,
        title="The Silmarillion",
        handle="the-silmarillion",
        attributes=TOLKIEN,
        collectionIds=[middle_earth["id"]],
        variants=[
            variant_input(format="Paperback", price="15.00", stock=0),
            variant_input(format="Hardcover", price="30.00", stock=0),
        ],
    )
    dune = create_product(
        gql,
        admin_key,
        title="Dune",
        handle="dune",
        attributes=[{"name": "author", "values": ["Frank Herbert"]}],
        tags=["sci-fi"],
        variants=[variant_input(format="Paperback", price="18.50", stock=2)],
    )
    snuff = create_product(
        gql,
        admin_key,
        title="Snuff",
        handle="snuff",
        attributes=PRATCHETT,
        collectionIds=[discworld["id"]],
        published=False,
    )
    return Shelf(discworld, middle_earth, mort, small_gods, hobbit, silmarillion, dune, snuff)


ALPHABETICAL = ["Dune", "Mort", "Small Gods", "The Hobbit", "The Silmarillion"]


def errors_of(body: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(code, reason) of each top-level error."""
    return [(e["extensions"]["code"], e["extensions"].get("reason")) for e in body["errors"]]


def test_a_product_is_found_by_exactly_one_of_id_and_handle(
    gql: GraphQLCaller, shelf: Shelf
) -> None:
    # when
    by_id = read_product(gql, shelf.dune["id"])
    by_handle = gql('{ product(handle: "dune") { id title } }')
    both = gql(f'{{ product(id: "{shelf.dune["id"]}", handle: "dune") {{ id }} }}')
    neither = gql("{ product { id } }")
    unknown_handle = gql('{ product(handle: "no-such-book") { id } }')
    unknown_id = gql(f'{{ product(id: "{UNKNOWN_PRODUCT_ID}") {{ id }} }}')
    wrong_type = gql(f'{{ product(id: "{shelf.discworld["id"]}") {{ id }} }}')

    # then
    assert by_id == shelf.dune
    assert by_handle == {"data": {"product": {"id": shelf.dune["id"], "title": "Dune"}}}
    for refused in (both, neither, wrong_type):
        assert refused["data"] == {"product": None}
        assert errors_of(refused) == [("BAD_USER_INPUT", None)]
        assert refused["errors"][0]["path"] == ["product"]
    assert unknown_handle == {"data": {"product": None}}
    assert unknown_id == {"data": {"product": None}}


def test_a_text_query_matches_every_word_as_a_prefix_of_title_author_or_tag(
    gql: GraphQLCaller, admin_key: str, shelf: Shelf
) -> None:
    # when / then
    assert listed_titles(gql, query="tolk") == ["The Hobbit", "The Silmarillion"]
    assert listed_titles(gql, query="Terry") == ["Mort", "Small Gods"]  # not the draft Snuff
    assert listed_titles(gql, query="pratch mor") == ["Mort"]
    assert listed_titles(gql, query="sci") == ["Dune"]
    assert listed_titles(gql, query="fantasy hob") == ["The Hobbit"]
    nothing = list_products(gql, query="tolkien dune")
    assert (nothing["nodes"], nothing["totalCount"]) == ([], 0)
    # staff also find drafts
    assert listed_titles(gql, query="terry", api_key=admin_key) == ["Mort", "Small Gods", "Snuff"]


def test_filters_narrow_the_listing_and_combine(
    gql: GraphQLCaller, admin_key: str, shelf: Shelf
) -> None:
    def titles(filter: dict[str, Any], **arguments: Any) -> list[str]:
        return listed_titles(gql, filter=filter, **arguments)

    # by collection, id or handle
    assert titles({"collectionId": shelf.discworld["id"]}) == ["Mort", "Small Gods"]
    assert titles({"collectionHandle": "middle-earth"}) == ["The Hobbit", "The Silmarillion"]
    assert titles({"collectionHandle": "no-such-shelf"}) == []
    assert titles({"collectionId": UNKNOWN_COLLECTION_ID}) == []
    assert listed_titles(
        gql, filter={"collectionId": shelf.discworld["id"]}, api_key=admin_key
    ) == ["Mort", "Small Gods", "Snuff"]
    # by attribute value, ignoring case; tags filter as the attribute "tag"
    assert titles({"attributes": [{"name": "Author", "value": "terry pratchett"}]}) == [
        "Mort",
        "Small Gods",
    ]
    assert titles({"attributes": [{"name": "tag", "value": "Fantasy"}]}) == ["Mort", "The Hobbit"]
    # by some variant's price in the query's currency, bounds included
    assert titles({"price": {"min": "12.00", "max": "18.50"}}) == [
        "Dune",
        "Small Gods",
        "The Silmarillion",
    ]
    assert titles({"price": {"max": "5"}}) == ["Mort"]  # its ebook
    in_euros = {"min": "8.99", "max": "23.00"}
    assert titles({"price": in_euros}, currency="EUR") == ["Mort", "The Hobbit"]
    assert titles({"price": {"min": "9", "max": "22.99"}}, currency="EUR") == []
    assert titles({"price": {"min": "0"}}, currency="GBP") == []
    # by availability
    assert titles({"inStock": True}) == ["Dune", "Mort", "The Hobbit"]
    assert titles({"inStock": False}) == ["Small Gods", "The Silmarillion"]
    # every condition must hold
    assert titles(
        {
            "collectionHandle": "discworld",
            "inStock": True,
            "attributes": [{"name": "author", "value": "Terry Pratchett"}],
        }
    ) == ["Mort"]
    assert titles({"collectionId": shelf.middle_earth["id"], "price": {"max": "20"}}) == [
        "The Silmarillion"
    ]


def test_products_sort_by_title_price_or_newest_and_reverse(
    gql: GraphQLCaller, shelf: Shelf
) -> None:
    # when / then
    assert listed_titles(gql) == ALPHABETICAL
    assert listed_titles(gql, sortKey="TITLE", reverse=True) == ALPHABETICAL[::-1]
    # by the cheapest variant
    by_price = ["Mort", "Small Gods", "The Silmarillion", "Dune", "The Hobbit"]
    assert listed_titles(gql, sortKey="PRICE") == by_price
    assert listed_titles(gql, sortKey="PRICE", reverse=True) == by_price[::-1]
    # products without a price in the currency come last, either way round
    in_euros = listed_titles(gql, sortKey="PRICE", currency="EUR")
    assert in_euros[:2] == ["Mort", "The Hobbit"]
    assert sorted(in_euros[2:]) == ["Dune", "Small Gods", "The Silmarillion"]
    in_euros_reversed = listed_titles(gql, sortKey="PRICE", currency="EUR", reverse=True)
    assert in_euros_reversed[:2] == ["The Hobbit", "Mort"]
    assert sorted(in_euros_reversed[2:]) == ["Dune", "Small Gods", "The Silmarillion"]
    # newest first
    by_age = ["Dune", "The Silmarillion", "The Hobbit", "Small Gods", "Mort"]
    assert listed_titles(gql, sortKey="NEWEST") == by_age
    assert listed_titles(gql, sortKey="NEWEST", reverse=True) == by_age[::-1]


def test_paging_with_cursors_visits_every_product_once_forward_and_backward(
    gql: GraphQLCaller, shelf: Shelf
) -> None:
    for order in (
        {"sortKey": "TITLE"},
        {"sortKey": "PRICE", "reverse": True},
        {"sortKey": "NEWEST"},
    ):
        # given
        everything = listed_titles(gql, first=100, **order)
        assert len(everything) == 5

        # when: forward, two at a time
        forward = _pages(gql, order, size=2, forward=True)

        # then
        assert forward == [everything[0:2], everything[2:4], everything[4:5]], order

        # when: backward, two at a time from the end
        backward = _pages(gql, order, size=2, forward=False)

        # then
        assert backward == [everything[3:5], everything[1:3], everything[0:1]], order


def _pages(
    gql: GraphQLCaller, order: dict[str, Any], *, size: int, forward: bool
) -> list[list[str]]:
    """Titles page by page, following endCursor forward or startCursor backward."""
    pages: list[list[str]] = []
    cursor = None
    while True:
        if forward:
            page = list_products(gql, first=size, after=cursor, **order)
        else:
            page = list_products(gql, last=size, before=cursor, **order)
        pages.append([p["title"] for p in page["nodes"]])
        info = page["pageInfo"]
        cursors = [e["cursor"] for e in page["edges"]]
        assert page["totalCount"] == 5
        assert (info["startCursor"], info["endCursor"]) == (cursors[0], cursors[-1])
        more, earlier = (
            (info["hasNextPage"], info["hasPreviousPage"])
            if forward
            else (info["hasPreviousPage"], info["hasNextPage"])
        )
        assert earlier is (cursor is not None)
        if not more:
            return pages
        cursor = info["endCursor"] if forward else info["startCursor"]
        assert len(pages) < 10, "paging does not end"


def test_an_empty_page_has_no_cursors(gql: GraphQLCaller, shelf: Shelf) -> None:
    # when
    page = list_products(gql, first=0)
    nothing_found = list_products(gql, query="zzz")

    # then
    assert page["nodes"] == []
    assert page["totalCount"] == 5
    assert page["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }
    assert nothing_found["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


def test_bad_page_requests_and_cursors_are_refused_as_bad_user_input(
    gql: GraphQLCaller, shelf: Shelf
) -> None:
    # given
    title_cursor = list_products(gql, first=1)["pageInfo"]["endCursor"]
    query = """
    query ($first: Int, $last: Int, $after: String, $before: String, $sortKey: ProductSortKeys!) {
      products(first: $first, last: $last, after: $after, before: $before, sortKey: $sortKey) {
        totalCount
      }
    }
    """
    cases = [
        ({"first": 100000}, "INVALID_PAGE_REQUEST"),
        ({"first": 101}, "INVALID_PAGE_REQUEST"),
        ({"last": -1}, "INVALID_PAGE_REQUEST"),
        ({"first": 1, "last": 1}, "INVALID_PAGE_REQUEST"),
        ({"after": "not a cursor!"}, "INVALID_CURSOR"),
        ({"after": "eyJzIjoiVElUTEUifQ"}, "INVALID_CURSOR"),
        ({"before": title_cursor + "A"}, "INVALID_CURSOR"),
        ({"after": title_cursor, "sortKey": "PRICE"}, "INVALID_CURSOR"),
    ]

    for variables, reason in cases:
        # when
        body = gql(query, {"sortKey": "TITLE", **variables})

        # then
        assert body["data"] is None, variables
        assert errors_of(body) == [("BAD_USER_INPUT", reason)], variables
        assert body["errors"][0]["path"] == ["products"]
    # the biggest allowed page is fine
    assert list_products(gql, first=100)["totalCount"] == 5


def test_an_unknown_currency_code_in_a_variable_is_a_graphql_variable_error(
    client: TestClient, shelf: Shelf
) -> None:
    # given
    request = {
        "query": "query ($c: CurrencyCode) { products(currency: $c) { totalCount } }",
        "variables": {"c": "XYZ"},
    }

    # when
    as_json = client.post("/graphql", json=request, headers={"Accept": "application/json"})
    as_graphql_response = client.post(
        "/graphql", json=request, headers={"Accept": "application/graphql-response+json"}
    )

    # then
    assert as_json.status_code == 200
    assert as_json.headers["content-type"].startswith("application/json")
    body = as_json.json()
    assert "data" not in body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["GRAPHQL_VALIDATION_FAILED"]
    assert "$c" in body["errors"][0]["message"]
    # under the GraphQL-over-HTTP media type a request error is a 400
    assert as_graphql_response.status_code == 400
    assert as_graphql_response.json() == body


def test_prices_show_in_the_requested_currency_and_are_never_converted(
    gql: GraphQLCaller, shelf: Shelf
) -> None:
    # when
    mort_in_euros = read_product(gql, shelf.mort["id"], currency="EUR")
    small_gods_in_euros = read_product(gql, shelf.small_gods["id"], currency="EUR")
    small_gods_by_default = read_product(gql, shelf.small_gods["id"])

    # then
    assert mort_in_euros is not None
    assert mort_in_euros["currencyCode"] == "EUR"
    assert mort_in_euros["availableInCurrency"] is True
    assert mort_in_euros["priceRange"] == {
        "minVariantPrice": {"amount": "8.99", "currencyCode": "EUR"},
        "maxVariantPrice": {"amount": "8.99", "currencyCode": "EUR"},
    }
    paperback, ebook = mort_in_euros["variants"]
    assert paperback["price"] == {"amount": "8.99", "currencyCode": "EUR"}
    assert ebook["price"] is None
    assert ebook["prices"] == [{"amount": "4.99", "currencyCode": "USD"}]

    assert small_gods_in_euros is not None
    assert small_gods_in_euros["currencyCode"] == "EUR"
    assert small_gods_in_euros["availableInCurrency"] is False
    assert small_gods_in_euros["priceRange"] is None
    assert small_gods_in_euros["variants"][0]["price"] is None
    assert small_gods_in_euros["variants"][0]["prices"] == [
        {"amount": "12.00", "currencyCode": "USD"}
    ]
    # the store's currency when none is asked for
    assert small_gods_by_default is not None
    assert small_gods_by_default["currencyCode"] == "USD"
    assert small_gods_by_default["variants"][0]["price"] == {
        "amount": "12.00",
        "currencyCode": "USD",
    }
    # a listing in a currency still lists products without a price in it
    assert list_products(gql, currency="EUR")["totalCount"] == 5


def test_availability_follows_stock_for_physical_variants_and_is_unlimited_for_digital_ones(
    gql: GraphQLCaller, shelf: Shelf
) -> None:
    # when
    mort = read_product(gql, shelf.mort["id"])
    small_gods = read_product(gql, shelf.small_gods["id"])
    listing = gql("{ products(first: 10) { nodes { title availableForSale } } }")

    # then
    assert mort is not None
    assert small_gods is not None
    paperback, ebook = mort["variants"]
    assert (paperback["quantityAvailable"], paperback["availableForSale"]) == (3, True)
    assert (ebook["quantityAvailable"], ebook["availableForSale"]) == (None, True)
    sold_out = small_gods["variants"][0]
    assert (sold_out["quantityAvailable"], sold_out["availableForSale"]) == (0, False)
    assert (mort["availableForSale"], small_gods["availableForSale"]) == (True, False)
    assert {p["title"]: p["availableForSale"] for p in listing["data"]["products"]["nodes"]} == {
        "Dune": True,
        "Mort": True,
        "Small Gods": False,
        "The Hobbit": True,
        "The Silmarillion": False,
    }


NODES = """
query ($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename id
    ... on Product { title }
    ... on ProductVariant { sku quantityAvailable product { title } }
    ... on Collection { title }
  }
}
"""


def test_node_and_nodes_find_products_variants_and_collections_in_order(
    gql: GraphQLCaller, admin_key: str, shelf: Shelf
) -> None:
    # given
    paperback = shelf.mort["variants"][0]
    ids = [
        shelf.hobbit["id"],
        UNKNOWN_PRODUCT_ID,
        paperback["id"],
        shelf.discworld["id"],
        UNKNOWN_VARIANT_ID,
        UNKNOWN_COLLECTION_ID,
        shelf.snuff["id"],
        shelf.hobbit["id"],
    ]

    # when
    body = gql(NODES, {"ids": ids})
    single = gql(
        "query ($id: ID!) { node(id: $id) { __typename id ... on Collection { handle } } }",
        {"id": shelf.middle_earth["id"]},
    )
    as_staff = gql(NODES, {"ids": [shelf.snuff["id"]]}, api_key=admin_key)

    # then
    hobbit = {"__typename": "Product", "id": shelf.hobbit["id"], "title": "The Hobbit"}
    assert body == {
        "data": {
            "nodes": [
                hobbit,
                None,
                {
                    "__typename": "ProductVariant",
                    "id": paperback["id"],
                    "sku": paperback["sku"],
                    "quantityAvailable": 3,
                    "product": {"title": "Mort"},
                },
                {"__typename": "Collection", "id": shelf.discworld["id"], "title": "Discworld"},
                None,
                None,
                None,  # a draft, hidden from shoppers
                hobbit,
            ]
        }
    }
    assert single == {
        "data": {
            "node": {
                "__typename": "Collection",
                "id": shelf.middle_earth["id"],
                "handle": "middle-earth",
            }
        }
    }
    assert as_staff["data"]["nodes"] == [
        {"__typename": "Product", "id": shelf.snuff["id"], "title": "Snuff"}
    ]


def test_nodes_refuses_malformed_ids_and_more_than_a_hundred_ids(
    gql: GraphQLCaller, shelf: Shelf
) -> None:
    # given
    hundred = [global_id("Product", f"{n:026d}") for n in range(100)]

    # when
    malformed = gql(NODES, {"ids": [shelf.dune["id"], "not-an-id"]})
    # a well-formed id of a type node(id) does not resolve (a delivery option is no node)
    unknown_type = gql(NODES, {"ids": [global_id("DeliveryOption", "0" * 26)]})
    too_many = gql(NODES, {"ids": [*hundred, shelf.dune["id"]]})
    single_malformed = gql('{ node(id: "???") { id } }')
    at_the_limit = gql(NODES, {"ids": hundred})

    # then
    for refused in (malformed, unknown_type, too_many):
        assert refused["data"] is None
        assert errors_of(refused) == [("BAD_USER_INPUT", None)]
        assert refused["errors"][0]["path"] == ["nodes"]
    assert single_malformed["data"] == {"node": None}
    assert errors_of(single_malformed) == [("BAD_USER_INPUT", None)]
    assert at_the_limit == {"data": {"nodes": [None] * 100}}
