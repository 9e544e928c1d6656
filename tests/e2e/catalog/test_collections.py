"""Collections: staff curate them, shoppers browse their products."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from helpers import (
    COLLECTION_ADD_PRODUCTS,
    COLLECTION_CREATE,
    COLLECTION_DELETE,
    COLLECTION_REMOVE_PRODUCTS,
    COLLECTION_UPDATE,
    catalog_state,
    codes,
    create_collection,
    create_product,
    list_products,
    mutate,
    read_product,
    variant_input,
)

if TYPE_CHECKING:
    from conftest import GraphQLCaller

COLLECTION = """
query ($id: ID, $handle: String) {
  collection(id: $id, handle: $handle) { id handle title description image { url altText } }
}
"""

COLLECTION_PRODUCTS = """
query ($handle: String!, $first: Int, $after: String, $sortKey: ProductSortKeys! = TITLE,
       $filter: ProductFilter, $query: String) {
  collection(handle: $handle) {
    title
    products(first: $first, after: $after, sortKey: $sortKey, filter: $filter, query: $query) {
      nodes { title collections { handle } }
      pageInfo { hasNextPage endCursor }
      totalCount
    }
  }
}
"""

COLLECTIONS = """
query ($first: Int, $after: String, $last: Int, $before: String) {
  collections(first: $first, after: $after, last: $last, before: $before) {
    nodes { title }
    edges { cursor }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}
"""


def read_collection(gql: GraphQLCaller, **by: str) -> dict[str, Any] | None:
    body = gql(COLLECTION, by)
    assert "errors" not in body, body
    found: dict[str, Any] | None = body["data"]["collection"]
    return found


def collection_products(
    gql: GraphQLCaller, handle: str, *, api_key: str | None = None, **arguments: Any
) -> dict[str, Any]:
    body = gql(COLLECTION_PRODUCTS, {"handle": handle, **arguments}, api_key=api_key)
    assert "errors" not in body, body
    products: dict[str, Any] = body["data"]["collection"]["products"]
    return products


def titles(connection: dict[str, Any]) -> list[str]:
    return [p["title"] for p in connection["nodes"]]


def test_a_collection_is_created_changed_and_found_by_id_or_handle(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    image = {"url": "https://img.example/discworld.jpg", "altText": "A turtle"}

    # when
    created = mutate(
        gql,
        COLLECTION_CREATE,
        {"title": "Discworld", "handle": "disc", "description": "Turtles.", "image": image},
        admin_key,
    )

    # then
    assert created["userErrors"] == []
    collection = created["collection"]
    assert collection == {
        "id": collection["id"],
        "handle": "disc",
        "title": "Discworld",
        "description": "Turtles.",
        "image": image,
    }
    assert read_collection(gql, id=collection["id"]) == collection
    assert read_collection(gql, handle="disc") == collection

    # when
    updated = mutate(
        gql,
        COLLECTION_UPDATE,
        {"id": collection["id"], "title": "The Discworld", "handle": "discworld"},
        admin_key,
    )

    # then: changed fields change, the others stay, the old handle is free
    assert updated["userErrors"] == []
    changed = {**collection, "title": "The Discworld", "handle": "discworld"}
    assert updated["collection"] == changed
    assert read_collection(gql, id=collection["id"]) == changed
    assert read_collection(gql, handle="discworld") == changed
    assert read_collection(gql, handle="disc") is None
    other = create_collection(gql, admin_key, "Discs", handle="disc")
    assert read_collection(gql, handle="disc") == {**other, "description": "", "image": None}


def test_a_collection_handle_is_unique(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    create_collection(gql, admin_key, "Discworld", handle="discworld")
    other = create_collection(gql, admin_key, "Witches", handle="witches")
    before = catalog_state(gql, admin_key)

    # when
    created = mutate(gql, COLLECTION_CREATE, {"title": "Copy", "handle": "discworld"}, admin_key)
    renamed = mutate(gql, COLLECTION_UPDATE, {"id": other["id"], "handle": "discworld"}, admin_key)

    # then
    for payload in (created, renamed):
        assert codes(payload) == [("HANDLE_TAKEN", ["handle"])]
        assert payload["collection"] is None
    assert catalog_state(gql, admin_key) == before


def test_products_join_and_leave_a_collection_and_shoppers_see_its_published_ones(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    shelf = create_collection(gql, admin_key, "Witches", handle="witches")
    books = {
        title: create_product(
            gql, admin_key, title=title, published=title != "The Shepherd's Crown"
        )
        for title in ("Wyrd Sisters", "Equal Rites", "Maskerade", "The Shepherd's Crown")
    }
    outsider = create_product(gql, admin_key, title="Mort")
    ids = [b["id"] for b in books.values()]

    # when
    added = mutate(
        gql, COLLECTION_ADD_PRODUCTS, {"collectionId": shelf["id"], "productIds": ids}, admin_key
    )

    # then: shoppers see the published members, by title; staff see all
    assert added == {"collection": {"id": shelf["id"]}, "userErrors": []}
    shown = collection_products(gql, "witches")
    assert titles(shown) == ["Equal Rites", "Maskerade", "Wyrd Sisters"]
    assert shown["totalCount"] == 3
    assert shown["nodes"][0]["collections"] == [{"handle": "witches"}]
    assert titles(collection_products(gql, "witches", api_key=admin_key)) == [
        "Equal Rites",
        "Maskerade",
        "The Shepherd's Crown",
        "Wyrd Sisters",
    ]
    assert [
        p["title"] for p in list_products(gql, filter={"collectionHandle": "witches"})["nodes"]
    ] == ["Equal Rites", "Maskerade", "Wyrd Sisters"]
    outsider_now = read_product(gql, outsider["id"])
    assert outsider_now is not None
    assert outsider_now["collections"] == []

    # when: adding members again changes nothing
    again = mutate(
        gql,
        COLLECTION_ADD_PRODUCTS,
        {"collectionId": shelf["id"], "productIds": ids[:2]},
        admin_key,
    )

    # then
    assert again["userErrors"] == []
    wyrd = read_product(gql, books["Wyrd Sisters"]["id"])
    assert wyrd is not None
    assert wyrd["collections"] == [{"id": shelf["id"], "handle": "witches"}]

    # when: one leaves, and a non-member is "removed" too
    removed = mutate(
        gql,
        COLLECTION_REMOVE_PRODUCTS,
        {"collectionId": shelf["id"], "productIds": [books["Maskerade"]["id"], outsider["id"]]},
        admin_key,
    )

    # then
    assert removed == {"collection": {"id": shelf["id"]}, "userErrors": []}
    assert titles(collection_products(gql, "witches")) == ["Equal Rites", "Wyrd Sisters"]
    maskerade = read_product(gql, books["Maskerade"]["id"])
    assert maskerade is not None
    assert maskerade["collections"] == []


def test_a_collections_products_can_be_searched_filtered_sorted_and_paged(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    shelf = create_collection(gql, admin_key, "Watch", handle="watch")
    elsewhere = create_collection(gql, admin_key, "Elsewhere", handle="elsewhere")
    for title, price, stock in (
        ("Guards! Guards!", "11.00", 1),
        ("Men at Arms", "9.00", 0),
        ("Feet of Clay", "10.00", 4),
        ("Night Watch", "14.00", 2),
    ):
        create_product(
            gql,
            admin_key,
            title=title,
            collectionIds=[shelf["id"]],
            variants=[variant_input(price=price, stock=stock)],
        )
    create_product(gql, admin_key, title="Night Train", collectionIds=[elsewhere["id"]])

    # when / then
    by_price = collection_products(gql, "watch", sortKey="PRICE")
    assert titles(by_price) == ["Men at Arms", "Feet of Clay", "Guards! Guards!", "Night Watch"]
    assert titles(collection_products(gql, "watch", query="night")) == ["Night Watch"]
    in_stock = collection_products(gql, "watch", filter={"inStock": True})
    assert titles(in_stock) == ["Feet of Clay", "Guards! Guards!", "Night Watch"]
    other_shelf = collection_products(gql, "watch", filter={"collectionHandle": "elsewhere"})
    assert (other_shelf["nodes"], other_shelf["totalCount"]) == ([], 0)
    first = collection_products(gql, "watch", first=3)
    rest = collection_products(gql, "watch", first=3, after=first["pageInfo"]["endCursor"])
    assert titles(first) + titles(rest) == [
        "Feet of Clay",
        "Guards! Guards!",
        "Men at Arms",
        "Night Watch",
    ]
    assert (first["pageInfo"]["hasNextPage"], rest["pageInfo"]["hasNextPage"]) == (True, False)


def test_a_deleted_collection_disappears_and_its_products_stop_listing_it(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    doomed = create_collection(gql, admin_key, "Rincewind", handle="rincewind")
    kept = create_collection(gql, admin_key, "Wizards", handle="wizards")
    book = create_product(gql, admin_key, collectionIds=[doomed["id"], kept["id"]])

    # when
    deleted = mutate(gql, COLLECTION_DELETE, {"id": doomed["id"]}, admin_key)

    # then
    assert deleted == {"deletedCollectionId": doomed["id"], "userErrors": []}
    assert read_collection(gql, id=doomed["id"]) is None
    assert read_collection(gql, handle="rincewind") is None
    node = gql("query ($id: ID!) { node(id: $id) { id } }", {"id": doomed["id"]})
    assert node == {"data": {"node": None}}
    listing = gql(COLLECTIONS, {"first": 10})["data"]["collections"]
    assert (titles(listing), listing["totalCount"]) == (["Wizards"], 1)
    still_there = read_product(gql, book["id"])
    assert still_there is not None
    assert still_there["collections"] == [{"id": kept["id"], "handle": "wizards"}]
    assert list_products(gql, filter={"collectionId": doomed["id"]})["totalCount"] == 0
    # deleting again finds nothing; the handle is free for a new, empty collection
    again = mutate(gql, COLLECTION_DELETE, {"id": doomed["id"]}, admin_key)
    assert (again["deletedCollectionId"], codes(again)) == (None, [("NOT_FOUND", ["id"])])
    create_collection(gql, admin_key, "Rincewind again", handle="rincewind")
    assert collection_products(gql, "rincewind")["totalCount"] == 0


def test_collections_page_by_title_forward_and_backward(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    for title in ("Watch", "Witches", "Death", "Rincewind", "Tiffany"):
        create_collection(gql, admin_key, title)

    def page(**arguments: Any) -> dict[str, Any]:
        body = gql(COLLECTIONS, arguments)
        assert "errors" not in body, body
        connection: dict[str, Any] = body["data"]["collections"]
        assert connection["totalCount"] == 5
        return connection

    # when: forward
    first = page(first=2)
    second = page(first=2, after=first["pageInfo"]["endCursor"])
    third = page(first=2, after=second["pageInfo"]["endCursor"])

    # then
    assert [titles(p) for p in (first, second, third)] == [
        ["Death", "Rincewind"],
        ["Tiffany", "Watch"],
        ["Witches"],
    ]
    assert [p["pageInfo"]["hasNextPage"] for p in (first, second, third)] == [True, True, False]
    assert [p["pageInfo"]["hasPreviousPage"] for p in (first, second, third)] == [
        False,
        True,
        True,
    ]

    # when: backward
    last = page(last=2)
    before_last = page(last=2, before=last["pageInfo"]["startCursor"])

    # then
    assert titles(last) == ["Watch", "Witches"]
    assert titles(before_last) == ["Rincewind", "Tiffany"]
    assert before_last["pageInfo"]["hasPreviousPage"] is True

    # and bad requests are refused
    for variables, reason in (
        ({"first": 101}, "INVALID_PAGE_REQUEST"),
        ({"after": "garbage"}, "INVALID_CURSOR"),
    ):
        body = gql(COLLECTIONS, variables)
        assert body["data"] is None
        assert [(e["extensions"]["code"], e["extensions"]["reason"]) for e in body["errors"]] == [
            ("BAD_USER_INPUT", reason)
        ]
