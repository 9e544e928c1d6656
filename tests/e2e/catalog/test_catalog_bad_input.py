"""Refused catalog changes: exact userErrors codes and fields, and nothing written."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from helpers import (
    COLLECTION_ADD_PRODUCTS,
    COLLECTION_CREATE,
    COLLECTION_DELETE,
    COLLECTION_REMOVE_PRODUCTS,
    COLLECTION_UPDATE,
    PRODUCT_CREATE,
    PRODUCT_DELETE,
    PRODUCT_PUBLISH,
    PRODUCT_UNPUBLISH,
    PRODUCT_UPDATE,
    UNKNOWN_COLLECTION_ID,
    UNKNOWN_PRODUCT_ID,
    UNKNOWN_VARIANT_ID,
    VARIANT_CREATE,
    VARIANT_DELETE,
    VARIANT_PRICES_SET,
    VARIANT_UPDATE,
    catalog_state,
    codes,
    create_collection,
    create_product,
    create_product_payload,
    global_id,
    local_id,
    money,
    mutate,
    product_input,
    read_product,
    read_product_by_handle,
    variant_input,
)

if TYPE_CHECKING:
    from conftest import GraphQLCaller

Expected = list[tuple[str, list[str] | None]]


def assert_refused(payload: dict[str, Any], expected: Expected) -> None:
    """The payload carries exactly these (code, field) errors and no result object."""
    assert codes(payload) == expected, payload["userErrors"]
    results = {k: v for k, v in payload.items() if k != "userErrors"}
    assert all(v is None for v in results.values()), results


def test_a_taken_handle_is_refused_and_nothing_is_written(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    first = create_product(gql, admin_key, title="Dune", handle="dune")
    second = create_product(gql, admin_key, title="Dune Messiah", handle="dune-messiah")
    before = catalog_state(gql, admin_key)

    # when: a new product and an existing one both ask for the taken handle
    created = create_product_payload(
        gql, admin_key, title="Dune (2021)", handle="dune", variants=[variant_input(sku="D21")]
    )
    renamed = mutate(gql, PRODUCT_UPDATE, {"id": second["id"], "handle": "dune"}, admin_key)

    # then
    assert_refused(created, [("HANDLE_TAKEN", ["handle"])])
    assert_refused(renamed, [("HANDLE_TAKEN", ["handle"])])
    assert catalog_state(gql, admin_key) == before
    assert read_product_by_handle(gql, "dune") == first
    assert read_product_by_handle(gql, "dune-messiah") == second
    # the refused product's SKU was not claimed either
    create_product(gql, admin_key, variants=[variant_input(sku="D21")])


def test_a_sku_used_by_another_product_is_refused_and_the_first_product_stays_intact(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    first = create_product(
        gql, admin_key, handle="first", variants=[variant_input(sku="ISBN-1", stock=4)]
    )
    other = create_product(gql, admin_key, variants=[variant_input(sku="ISBN-2")])
    before = catalog_state(gql, admin_key)

    # when: a new product, a new variant and a renamed variant all claim ISBN-1
    created = create_product_payload(
        gql,
        admin_key,
        handle="second",
        variants=[variant_input(sku="ISBN-3"), variant_input(sku="ISBN-1")],
    )
    added = mutate(
        gql, VARIANT_CREATE, {"productId": other["id"], **variant_input(sku="ISBN-1")}, admin_key
    )
    renamed = mutate(
        gql, VARIANT_UPDATE, {"id": other["variants"][0]["id"], "sku": "ISBN-1"}, admin_key
    )

    # then
    assert_refused(created, [("SKU_TAKEN", ["variants", "1", "sku"])])
    assert_refused(added, [("SKU_TAKEN", ["sku"])])
    assert_refused(renamed, [("SKU_TAKEN", ["sku"])])
    assert catalog_state(gql, admin_key) == before
    assert read_product(gql, first["id"]) == first
    assert first["variants"][0]["quantityAvailable"] == 4
    # the refused product claimed neither its handle nor its other SKU
    create_product(gql, admin_key, handle="second", variants=[variant_input(sku="ISBN-3")])


def test_two_variants_of_one_product_cannot_share_a_sku(gql: GraphQLCaller, admin_key: str) -> None:
    # when
    payload = create_product_payload(
        gql, admin_key, variants=[variant_input(sku="TWIN"), variant_input(sku="TWIN")]
    )

    # then
    assert_refused(payload, [("DUPLICATE", ["variants"])])
    assert catalog_state(gql, admin_key)["products"]["nodes"] == []


def test_prices_must_not_be_negative_nor_finer_than_the_currency_allows(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    product = create_product(gql, admin_key, variants=[variant_input(price="10.00")])
    variant_id = product["variants"][0]["id"]
    before = catalog_state(gql, admin_key)

    # when
    negative = create_product_payload(gql, admin_key, variants=[variant_input(price="-1.00")])
    too_fine = create_product_payload(gql, admin_key, variants=[variant_input(price="1.234")])
    yen_cents = mutate(
        gql, VARIANT_PRICES_SET, {"id": variant_id, "prices": [money("1.5", "JPY")]}, admin_key
    )
    negative_set = mutate(
        gql, VARIANT_PRICES_SET, {"id": variant_id, "prices": [money("-0.01")]}, admin_key
    )
    negative_cost = mutate(
        gql, VARIANT_UPDATE, {"id": variant_id, "costPrice": money("-2.00")}, admin_key
    )
    too_fine_cost = mutate(
        gql, VARIANT_UPDATE, {"id": variant_id, "costPrice": money("2.001")}, admin_key
    )

    # then
    assert_refused(negative, [("NEGATIVE", ["variants", "0", "prices", "0", "amount"])])
    assert_refused(too_fine, [("INVALID", ["variants", "0", "prices", "0", "amount"])])
    assert_refused(yen_cents, [("INVALID", ["prices", "0", "amount"])])
    assert_refused(negative_set, [("NEGATIVE", ["prices", "0", "amount"])])
    assert_refused(negative_cost, [("NEGATIVE", ["costPrice"])])
    assert_refused(too_fine_cost, [("INVALID", ["costPrice"])])
    assert catalog_state(gql, admin_key) == before


def test_a_currency_is_priced_once_and_cannot_be_set_and_removed_at_once(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    product = create_product(gql, admin_key)
    before = catalog_state(gql, admin_key)

    # when
    payload = mutate(
        gql,
        VARIANT_PRICES_SET,
        {
            "id": product["variants"][0]["id"],
            "prices": [money("1.00", "EUR"), money("2.00", "EUR")],
            "removeCurrencies": ["EUR"],
        },
        admin_key,
    )

    # then
    assert_refused(
        payload, [("DUPLICATE", ["prices", "1", "currencyCode"]), ("INVALID", ["removeCurrencies"])]
    )
    assert catalog_state(gql, admin_key) == before


def test_a_blank_title_is_refused(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    product = create_product(gql, admin_key, title="Thud!")
    collection = create_collection(gql, admin_key, title="Watch")
    before = catalog_state(gql, admin_key)

    # when
    created = create_product_payload(gql, admin_key, title="   ", handle="blank")
    updated = mutate(gql, PRODUCT_UPDATE, {"id": product["id"], "title": ""}, admin_key)
    shelf = mutate(gql, COLLECTION_CREATE, {"title": " ", "handle": "blank"}, admin_key)
    renamed_shelf = mutate(gql, COLLECTION_UPDATE, {"id": collection["id"], "title": ""}, admin_key)

    # then
    for payload in (created, updated, shelf, renamed_shelf):
        assert_refused(payload, [("BLANK", ["title"])])
    assert catalog_state(gql, admin_key) == before


def test_a_handle_that_is_not_lowercase_words_joined_by_hyphens_is_refused(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    product = create_product(gql, admin_key, handle="good-handle")
    before = catalog_state(gql, admin_key)

    for handle in ["Upper-Case", "two words", "trailing-", "double--hyphen", "ümlaut", "a" * 121]:
        # when
        created = create_product_payload(gql, admin_key, handle=handle)
        updated = mutate(gql, PRODUCT_UPDATE, {"id": product["id"], "handle": handle}, admin_key)
        shelf = mutate(gql, COLLECTION_CREATE, {"title": "Shelf", "handle": handle}, admin_key)

        # then
        for payload in (created, updated, shelf):
            assert_refused(payload, [("INVALID_HANDLE", ["handle"])])
    assert catalog_state(gql, admin_key) == before


def test_a_digital_variant_cannot_be_given_stock(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    product = create_product(gql, admin_key)
    before = catalog_state(gql, admin_key)

    # when
    created = create_product_payload(
        gql, admin_key, variants=[variant_input(kind="DIGITAL", initialStock=3)]
    )
    added = mutate(
        gql,
        VARIANT_CREATE,
        {"productId": product["id"], **variant_input(kind="DIGITAL", initialStock=1)},
        admin_key,
    )

    # then
    assert_refused(created, [("DIGITAL_HAS_NO_STOCK", ["variants", "0", "initialStock"])])
    assert_refused(added, [("DIGITAL_HAS_NO_STOCK", ["initialStock"])])
    assert catalog_state(gql, admin_key) == before


def test_the_last_variant_of_a_product_cannot_be_deleted(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    product = create_product(gql, admin_key, variants=[variant_input(sku="ONLY-ONE")])
    before = catalog_state(gql, admin_key)

    # when
    payload = mutate(gql, VARIANT_DELETE, {"id": product["variants"][0]["id"]}, admin_key)

    # then
    assert_refused(payload, [("LAST_VARIANT", ["id"])])
    assert catalog_state(gql, admin_key) == before
    assert read_product(gql, product["id"]) == product


def test_every_problem_of_a_product_form_is_reported_at_once(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # when
    payload = create_product_payload(
        gql,
        admin_key,
        title=" ",
        handle="Not Valid",
        tags=["fine", " "],
        images=[{"url": "ftp://img.example/cover.jpg"}],
        variants=[
            variant_input(price="-1.00"),
            variant_input(kind="DIGITAL", initialStock=2),
            variant_input(sku=" "),
        ],
    )

    # then
    expected: Expected = [
        ("BLANK", ["title"]),
        ("INVALID_HANDLE", ["handle"]),
        ("BLANK", ["tags", "1"]),
        ("INVALID", ["images", "0", "url"]),
        ("NEGATIVE", ["variants", "0", "prices", "0", "amount"]),
        ("DIGITAL_HAS_NO_STOCK", ["variants", "1", "initialStock"]),
        ("BLANK", ["variants", "2", "sku"]),
    ]
    assert len(payload["userErrors"]) == len(expected)
    assert sorted(codes(payload), key=repr) == sorted(expected, key=repr)
    assert payload["product"] is None
    assert catalog_state(gql, admin_key)["products"]["nodes"] == []


def test_a_price_with_too_many_decimals_is_reported_together_with_the_other_problems(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # when
    payload = create_product_payload(
        gql, admin_key, title=" ", handle="fine", variants=[variant_input(price="1.234")]
    )

    # then
    assert codes(payload) == [
        ("BLANK", ["title"]),
        ("INVALID", ["variants", "0", "prices", "0", "amount"]),
    ]


def test_a_product_without_variants_is_refused(gql: GraphQLCaller, admin_key: str) -> None:
    # when
    payload = create_product_payload(gql, admin_key, variants=[])

    # then
    assert_refused(payload, [("BLANK", ["variants"])])
    assert catalog_state(gql, admin_key)["products"]["nodes"] == []


def test_unknown_ids_are_refused_as_not_found(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    product = create_product(gql, admin_key)
    collection = create_collection(gql, admin_key)
    unknown_variant_of_product = global_id(
        "ProductVariant", f"{local_id(product['id'])}.{'1' * 26}"
    )
    before = catalog_state(gql, admin_key)
    cases: list[tuple[str, dict[str, Any], Expected]] = [
        (PRODUCT_UPDATE, {"id": UNKNOWN_PRODUCT_ID, "title": "X"}, [("NOT_FOUND", ["id"])]),
        (PRODUCT_PUBLISH, {"id": UNKNOWN_PRODUCT_ID}, [("NOT_FOUND", ["id"])]),
        (PRODUCT_UNPUBLISH, {"id": UNKNOWN_PRODUCT_ID}, [("NOT_FOUND", ["id"])]),
        (PRODUCT_DELETE, {"id": UNKNOWN_PRODUCT_ID}, [("NOT_FOUND", ["id"])]),
        (
            PRODUCT_CREATE,
            product_input(collectionIds=[collection["id"], UNKNOWN_COLLECTION_ID]),
            [("NOT_FOUND", ["collectionIds", "1"])],
        ),
        (
            PRODUCT_UPDATE,
            {"id": product["id"], "collectionIds": [UNKNOWN_COLLECTION_ID]},
            [("NOT_FOUND", ["collectionIds", "0"])],
        ),
        (
            VARIANT_CREATE,
            {"productId": UNKNOWN_PRODUCT_ID, **variant_input()},
            [("NOT_FOUND", ["productId"])],
        ),
        (VARIANT_UPDATE, {"id": UNKNOWN_VARIANT_ID, "sku": "X"}, [("NOT_FOUND", ["id"])]),
        (VARIANT_UPDATE, {"id": unknown_variant_of_product, "sku": "X"}, [("NOT_FOUND", ["id"])]),
        (
            VARIANT_PRICES_SET,
            {"id": unknown_variant_of_product, "prices": [money("1.00")]},
            [("NOT_FOUND", ["id"])],
        ),
        (VARIANT_DELETE, {"id": UNKNOWN_VARIANT_ID}, [("NOT_FOUND", ["id"])]),
        (COLLECTION_UPDATE, {"id": UNKNOWN_COLLECTION_ID, "title": "X"}, [("NOT_FOUND", ["id"])]),
        (COLLECTION_DELETE, {"id": UNKNOWN_COLLECTION_ID}, [("NOT_FOUND", ["id"])]),
        (
            COLLECTION_ADD_PRODUCTS,
            {"collectionId": UNKNOWN_COLLECTION_ID, "productIds": [product["id"]]},
            [("NOT_FOUND", ["collectionId"])],
        ),
        (
            COLLECTION_ADD_PRODUCTS,
            {"collectionId": collection["id"], "productIds": [product["id"], UNKNOWN_PRODUCT_ID]},
            [("NOT_FOUND", ["productIds", "1"])],
        ),
        (
            COLLECTION_REMOVE_PRODUCTS,
            {"collectionId": collection["id"], "productIds": [UNKNOWN_PRODUCT_ID]},
            [("NOT_FOUND", ["productIds", "0"])],
        ),
    ]

    for mutation, input, expected in cases:
        # when
        payload = mutate(gql, mutation, input, admin_key)

        # then
        assert_refused(payload, expected)
    assert catalog_state(gql, admin_key) == before


def test_malformed_ids_are_refused_as_invalid_id(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    product = create_product(gql, admin_key)
    variant_id = product["variants"][0]["id"]
    collection = create_collection(gql, admin_key)
    before = catalog_state(gql, admin_key)
    variant_without_variant_part = global_id("ProductVariant", "0" * 26)
    cases: list[tuple[str, dict[str, Any], Expected]] = [
        (PRODUCT_UPDATE, {"id": "not-an-id", "title": "X"}, [("INVALID_ID", ["id"])]),
        (PRODUCT_PUBLISH, {"id": collection["id"]}, [("INVALID_ID", ["id"])]),
        (PRODUCT_UNPUBLISH, {"id": variant_id}, [("INVALID_ID", ["id"])]),
        (PRODUCT_DELETE, {"id": "!!!"}, [("INVALID_ID", ["id"])]),
        (
            PRODUCT_CREATE,
            product_input(collectionIds=[collection["id"], product["id"]]),
            [("INVALID_ID", ["collectionIds", "1"])],
        ),
        (
            VARIANT_CREATE,
            {"productId": variant_id, **variant_input()},
            [("INVALID_ID", ["productId"])],
        ),
        (VARIANT_UPDATE, {"id": product["id"], "sku": "X"}, [("INVALID_ID", ["id"])]),
        (
            VARIANT_UPDATE,
            {"id": variant_without_variant_part, "sku": "X"},
            [("INVALID_ID", ["id"])],
        ),
        (
            VARIANT_PRICES_SET,
            {"id": "", "prices": [money("1.00")]},
            [("INVALID_ID", ["id"])],
        ),
        (VARIANT_DELETE, {"id": "bm9wZQ"}, [("INVALID_ID", ["id"])]),
        (COLLECTION_UPDATE, {"id": product["id"], "title": "X"}, [("INVALID_ID", ["id"])]),
        (COLLECTION_DELETE, {"id": "%%%"}, [("INVALID_ID", ["id"])]),
        (
            COLLECTION_ADD_PRODUCTS,
            {"collectionId": "nope", "productIds": [product["id"], collection["id"]]},
            [("INVALID_ID", ["collectionId"]), ("INVALID_ID", ["productIds", "1"])],
        ),
        (
            COLLECTION_REMOVE_PRODUCTS,
            {"collectionId": collection["id"], "productIds": ["nope"]},
            [("INVALID_ID", ["productIds", "0"])],
        ),
    ]

    for mutation, input, expected in cases:
        # when
        payload = mutate(gql, mutation, input, admin_key)

        # then
        assert_refused(payload, expected)
    assert catalog_state(gql, admin_key) == before


def test_at_most_fifty_products_join_or_leave_a_collection_at_a_time(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    collection = create_collection(gql, admin_key)
    product_ids = [global_id("Product", f"{n:026d}") for n in range(51)]
    before = catalog_state(gql, admin_key)

    # when
    added = mutate(
        gql,
        COLLECTION_ADD_PRODUCTS,
        {"collectionId": collection["id"], "productIds": product_ids},
        admin_key,
    )
    removed = mutate(
        gql,
        COLLECTION_REMOVE_PRODUCTS,
        {"collectionId": collection["id"], "productIds": product_ids},
        admin_key,
    )

    # then
    assert_refused(added, [("TOO_MANY", ["productIds"])])
    assert_refused(removed, [("TOO_MANY", ["productIds"])])
    assert catalog_state(gql, admin_key) == before
