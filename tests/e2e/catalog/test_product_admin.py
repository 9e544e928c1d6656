"""Staff manage products and variants through GraphQL; the storefront then sees the result."""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpers import (
    PRODUCT_CREATE,
    PRODUCT_DELETE,
    PRODUCT_PUBLISH,
    PRODUCT_UNPUBLISH,
    PRODUCT_UPDATE,
    VARIANT_CREATE,
    VARIANT_DELETE,
    VARIANT_PRICES_SET,
    VARIANT_UPDATE,
    codes,
    create_product,
    create_product_id,
    list_products,
    money,
    mutate,
    product_input,
    read_product,
    read_product_by_handle,
    variant_input,
)

if TYPE_CHECKING:
    from conftest import GraphQLCaller

NODE = "query ($id: ID!) { node(id: $id) { id ... on Product { title } } }"


def test_a_created_product_reads_back_with_everything_staff_gave(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    product = product_input(
        "Small Gods",
        handle="small-gods",
        description="Om, a tortoise.",
        attributes=[{"name": "author", "values": ["Terry Pratchett"]}],
        tags=["discworld", "satire"],
        images=[{"url": "https://img.example/small-gods.jpg", "altText": "Cover"}],
        variants=[
            variant_input(
                sku="SG-HB",
                format="Hardcover",
                price="24.00",
                stock=3,
                weightGrams=640,
                costPrice=money("9.00"),
            ),
            variant_input(sku="SG-EB", format="Ebook", price="7.99", kind="DIGITAL"),
        ],
    )

    # when
    payload = mutate(gql, PRODUCT_CREATE, product, admin_key)

    # then
    assert payload["userErrors"] == []
    created = payload["product"]
    read_back = read_product(gql, created["id"])
    assert read_back == created
    assert read_back is not None
    assert read_back["handle"] == "small-gods"
    assert read_back["description"] == "Om, a tortoise."
    assert read_back["attributes"] == [{"name": "author", "values": ["Terry Pratchett"]}]
    assert read_back["tags"] == ["discworld", "satire"]
    assert read_back["priceRange"] == {
        "minVariantPrice": {"amount": "7.99", "currencyCode": "USD"},
        "maxVariantPrice": {"amount": "24.00", "currencyCode": "USD"},
    }
    hardcover, ebook = read_back["variants"]
    assert (hardcover["sku"], hardcover["kind"], hardcover["weightGrams"]) == (
        "SG-HB",
        "PHYSICAL",
        640,
    )
    assert hardcover["selectedOptions"] == [{"name": "Format", "value": "Hardcover"}]
    assert (hardcover["quantityAvailable"], hardcover["availableForSale"]) == (3, True)
    assert (ebook["sku"], ebook["kind"]) == ("SG-EB", "DIGITAL")
    assert (ebook["quantityAvailable"], ebook["availableForSale"]) == (None, True)
    assert read_product_by_handle(gql, "small-gods") == read_back


def test_an_unpublished_product_is_hidden_from_shoppers_but_shown_to_staff(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    draft = create_product(gql, admin_key, title="Draft Book", handle="draft", published=False)
    create_product(gql, admin_key, title="Live Book", handle="live")

    # when / then: shoppers see only the published one, anywhere they look
    assert read_product(gql, draft["id"]) is None
    assert read_product_by_handle(gql, "draft") is None
    assert gql(NODE, {"id": draft["id"]})["data"] == {"node": None}
    shop_listing = list_products(gql)
    assert [p["title"] for p in shop_listing["nodes"]] == ["Live Book"]
    assert shop_listing["totalCount"] == 1

    # staff see both
    assert read_product(gql, draft["id"], api_key=admin_key) == draft
    assert read_product_by_handle(gql, "draft", api_key=admin_key) == draft
    assert gql(NODE, {"id": draft["id"]}, api_key=admin_key)["data"] == {
        "node": {"id": draft["id"], "title": "Draft Book"}
    }
    staff_listing = list_products(gql, api_key=admin_key)
    assert [p["title"] for p in staff_listing["nodes"]] == ["Draft Book", "Live Book"]
    assert staff_listing["totalCount"] == 2


def test_publishing_shows_a_product_to_shoppers_and_unpublishing_hides_it_again(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    product_id = create_product_id(gql, admin_key, handle="soon", published=False)

    # when
    published = mutate(gql, PRODUCT_PUBLISH, {"id": product_id}, admin_key)

    # then
    assert published == {"product": {"id": product_id, "published": True}, "userErrors": []}
    shown = read_product(gql, product_id)
    assert shown is not None
    assert shown["published"] is True
    assert read_product_by_handle(gql, "soon") == shown
    assert [p["id"] for p in list_products(gql)["nodes"]] == [product_id]

    # when
    unpublished = mutate(gql, PRODUCT_UNPUBLISH, {"id": product_id}, admin_key)

    # then
    assert unpublished == {"product": {"id": product_id, "published": False}, "userErrors": []}
    assert read_product(gql, product_id) is None
    assert read_product_by_handle(gql, "soon") is None
    assert list_products(gql)["totalCount"] == 0
    assert gql(NODE, {"id": product_id})["data"] == {"node": None}


def test_updating_a_product_changes_the_given_fields_and_keeps_the_others(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    before = create_product(
        gql,
        admin_key,
        title="Mort",
        handle="mort",
        description="Death takes an apprentice.",
        tags=["discworld"],
        attributes=[{"name": "author", "values": ["Terry Pratchett"]}],
    )

    # when
    payload = mutate(
        gql,
        PRODUCT_UPDATE,
        {"id": before["id"], "title": "Mort (Discworld 4)", "tags": ["discworld", "death"]},
        admin_key,
    )

    # then
    assert payload["userErrors"] == []
    after = read_product(gql, before["id"])
    assert after == payload["product"]
    assert after == {**before, "title": "Mort (Discworld 4)", "tags": ["discworld", "death"]}


def test_changing_a_handle_moves_the_product_and_frees_the_old_handle(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    product_id = create_product_id(gql, admin_key, title="Guards! Guards!", handle="guards")

    # when
    payload = mutate(gql, PRODUCT_UPDATE, {"id": product_id, "handle": "guards-guards"}, admin_key)

    # then
    assert payload["userErrors"] == []
    assert payload["product"]["handle"] == "guards-guards"
    assert read_product_by_handle(gql, "guards") is None
    moved = read_product_by_handle(gql, "guards-guards")
    assert moved is not None
    assert moved["id"] == product_id
    # the old handle can be claimed by another product
    other = create_product(gql, admin_key, title="Guards (poster)", handle="guards")
    found = read_product_by_handle(gql, "guards")
    assert found is not None
    assert found["id"] == other["id"] != product_id


def test_a_deleted_product_is_gone_from_product_products_and_node(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    doomed = create_product(
        gql, admin_key, title="Doomed", handle="doomed", variants=[variant_input(sku="DOOM-1")]
    )
    keeper_id = create_product_id(gql, admin_key, title="Keeper")

    # when
    payload = mutate(gql, PRODUCT_DELETE, {"id": doomed["id"]}, admin_key)

    # then
    assert payload == {"deletedProductId": doomed["id"], "userErrors": []}
    for api_key in (None, admin_key):
        assert read_product(gql, doomed["id"], api_key=api_key) is None
        assert read_product_by_handle(gql, "doomed", api_key=api_key) is None
        assert gql(NODE, {"id": doomed["id"]}, api_key=api_key)["data"] == {"node": None}
        listing = list_products(gql, api_key=api_key)
        assert [p["id"] for p in listing["nodes"]] == [keeper_id]
        assert listing["totalCount"] == 1
    variant_node = gql(
        "query ($id: ID!) { node(id: $id) { id } }", {"id": doomed["variants"][0]["id"]}
    )
    assert variant_node["data"] == {"node": None}
    # deleting it again finds nothing
    again = mutate(gql, PRODUCT_DELETE, {"id": doomed["id"]}, admin_key)
    assert again["deletedProductId"] is None
    assert codes(again) == [("NOT_FOUND", ["id"])]
    # its handle and SKU are free again
    reborn = create_product(
        gql, admin_key, title="Doomed", handle="doomed", variants=[variant_input(sku="DOOM-1")]
    )
    assert reborn["id"] != doomed["id"]


def test_variants_can_be_added_changed_and_removed(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    product_id = create_product_id(
        gql,
        admin_key,
        title="Reaper Man",
        variants=[variant_input(sku="RM-PB", format="Paperback", price="9.99", stock=2)],
    )

    # when: a variant is added
    added = mutate(
        gql,
        VARIANT_CREATE,
        {
            "productId": product_id,
            **variant_input(sku="RM-HB", format="Hardcover", price="21.00", stock=7),
        },
        admin_key,
    )

    # then
    assert added["userErrors"] == []
    hardcover = added["productVariant"]
    assert (hardcover["sku"], hardcover["quantityAvailable"]) == ("RM-HB", 7)
    assert [v["sku"] for v in added["product"]["variants"]] == ["RM-PB", "RM-HB"]

    # when: it is changed
    changed = mutate(
        gql,
        VARIANT_UPDATE,
        {
            "id": hardcover["id"],
            "sku": "RM-HB-2",
            "options": [{"name": "Format", "value": "Collector's Hardcover"}],
            "weightGrams": 700,
        },
        admin_key,
    )

    # then: the storefront sees the change, stock untouched
    assert changed["userErrors"] == []
    shown = read_product(gql, product_id)
    assert shown is not None
    assert [v["sku"] for v in shown["variants"]] == ["RM-PB", "RM-HB-2"]
    shown_hardcover = shown["variants"][1]
    assert shown_hardcover["title"] == "Collector's Hardcover"
    assert shown_hardcover["weightGrams"] == 700
    assert shown_hardcover["quantityAvailable"] == 7
    assert {k: v for k, v in shown_hardcover.items() if k != "price"} == changed["productVariant"]
    # the old SKU is free for another product
    create_product(gql, admin_key, variants=[variant_input(sku="RM-HB")])

    # when: it is removed
    removed = mutate(gql, VARIANT_DELETE, {"id": hardcover["id"]}, admin_key)

    # then
    assert removed["userErrors"] == []
    assert removed["deletedProductVariantId"] == hardcover["id"]
    assert [v["sku"] for v in removed["product"]["variants"]] == ["RM-PB"]
    remaining = read_product(gql, product_id)
    assert remaining is not None
    assert [v["sku"] for v in remaining["variants"]] == ["RM-PB"]
    assert gql("query ($id: ID!) { node(id: $id) { id } }", {"id": hardcover["id"]})["data"] == {
        "node": None
    }


def test_turning_a_physical_variant_digital_drops_its_stock_limit_and_back_starts_at_zero(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    product = create_product(gql, admin_key, variants=[variant_input(stock=4)])
    variant_id = product["variants"][0]["id"]

    # when
    digital = mutate(gql, VARIANT_UPDATE, {"id": variant_id, "kind": "DIGITAL"}, admin_key)

    # then
    assert digital["userErrors"] == []
    shown = read_product(gql, product["id"])
    assert shown is not None
    assert shown["variants"][0]["kind"] == "DIGITAL"
    assert (shown["variants"][0]["quantityAvailable"], shown["availableForSale"]) == (None, True)

    # when
    physical = mutate(gql, VARIANT_UPDATE, {"id": variant_id, "kind": "PHYSICAL"}, admin_key)

    # then: its stock starts again from nothing
    assert physical["userErrors"] == []
    shown = read_product(gql, product["id"])
    assert shown is not None
    assert shown["variants"][0]["quantityAvailable"] == 0
    assert shown["variants"][0]["availableForSale"] is False
    assert shown["availableForSale"] is False


def test_setting_prices_adds_and_replaces_currencies_and_removes_others(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    product = create_product(gql, admin_key, variants=[variant_input(price="10.00")])
    variant_id = product["variants"][0]["id"]

    # when: a price in euros and yen is added and the dollar price replaced
    added = mutate(
        gql,
        VARIANT_PRICES_SET,
        {"id": variant_id, "prices": [money("9.50", "EUR"), money("1500", "JPY"), money("11")]},
        admin_key,
    )

    # then
    assert added["userErrors"] == []
    assert added["productVariant"]["prices"] == [
        {"amount": "9.50", "currencyCode": "EUR"},
        {"amount": "1500", "currencyCode": "JPY"},
        {"amount": "11.00", "currencyCode": "USD"},
    ]
    in_euros = read_product(gql, product["id"], currency="EUR")
    assert in_euros is not None
    assert in_euros["variants"][0]["price"] == {"amount": "9.50", "currencyCode": "EUR"}

    # when: the dollar price is removed
    removed = mutate(
        gql, VARIANT_PRICES_SET, {"id": variant_id, "removeCurrencies": ["USD"]}, admin_key
    )

    # then: the product is no longer sold in dollars
    assert removed["userErrors"] == []
    in_dollars = read_product(gql, product["id"], currency="USD")
    assert in_dollars is not None
    assert [p["currencyCode"] for p in in_dollars["variants"][0]["prices"]] == ["EUR", "JPY"]
    assert in_dollars["variants"][0]["price"] is None
    assert in_dollars["availableInCurrency"] is False
    assert in_dollars["priceRange"] is None
    dollar_range = {"price": {"min": "0", "max": "1000"}}
    assert list_products(gql, filter=dollar_range, currency="USD")["totalCount"] == 0
    assert list_products(gql, filter=dollar_range, currency="EUR")["totalCount"] == 1


def test_a_product_created_with_a_collection_lists_it(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    shelf = mutate(
        gql,
        "mutation ($input: CollectionCreateInput!) {"
        " collectionCreate(input: $input) { collection { id handle } userErrors { code } } }",
        {"title": "Discworld", "handle": "discworld"},
        admin_key,
    )["collection"]

    # when
    product = create_product(gql, admin_key, collectionIds=[shelf["id"]])

    # then
    assert product["collections"] == [shelf]
    shown = read_product(gql, product["id"])
    assert shown is not None
    assert shown["collections"] == [shelf]
