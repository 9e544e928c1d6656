"""Who may change the catalog: only callers with an admin key; everyone else writes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from helpers import (
    catalog_state,
    create_collection,
    create_product,
    money,
    product_input,
    variant_input,
)

from commerce.access.model import Scope

if TYPE_CHECKING:
    from commerce.composition import Services
    from conftest import GraphQLCaller

# Every catalog mutation with its input type.
MUTATIONS = {
    "productCreate": "ProductCreateInput",
    "productUpdate": "ProductUpdateInput",
    "productPublish": "IdInput",
    "productUnpublish": "IdInput",
    "productDelete": "IdInput",
    "productVariantCreate": "ProductVariantCreateInput",
    "productVariantUpdate": "ProductVariantUpdateInput",
    "productVariantPricesSet": "ProductVariantPricesSetInput",
    "productVariantDelete": "IdInput",
    "collectionCreate": "CollectionCreateInput",
    "collectionUpdate": "CollectionUpdateInput",
    "collectionDelete": "IdInput",
    "collectionAddProducts": "CollectionProductsInput",
    "collectionRemoveProducts": "CollectionProductsInput",
}


def call(name: str) -> str:
    """The mutation document for one mutation, selecting only its userErrors."""
    return (
        f"mutation ($input: {MUTATIONS[name]}!) "
        f"{{ {name}(input: $input) {{ userErrors {{ field code }} }} }}"
    )


def valid_requests(gql: GraphQLCaller, admin_key: str) -> list[tuple[str, dict[str, Any]]]:
    """One request per mutation, each of which an admin could run, in an order that works."""
    product = create_product(gql, admin_key, variants=[variant_input(), variant_input()])
    hidden = create_product(gql, admin_key, published=False)
    shelf = create_collection(gql, admin_key)
    shelved = create_product(gql, admin_key, collectionIds=[shelf["id"]])
    variant_id, second_variant_id = (v["id"] for v in product["variants"])
    requests = [
        ("productCreate", product_input("Intruder", handle="intruder")),
        ("productUpdate", {"id": product["id"], "title": "Defaced"}),
        ("productPublish", {"id": hidden["id"]}),
        ("productVariantCreate", {"productId": product["id"], **variant_input(sku="SNEAKY")}),
        ("productVariantUpdate", {"id": variant_id, "sku": "RENAMED"}),
        ("productVariantPricesSet", {"id": variant_id, "prices": [money("0.01")]}),
        ("productVariantDelete", {"id": second_variant_id}),
        ("collectionCreate", {"title": "Intruders"}),
        ("collectionUpdate", {"id": shelf["id"], "title": "Defaced"}),
        ("collectionAddProducts", {"collectionId": shelf["id"], "productIds": [product["id"]]}),
        ("collectionRemoveProducts", {"collectionId": shelf["id"], "productIds": [shelved["id"]]}),
        ("productUnpublish", {"id": product["id"]}),
        ("collectionDelete", {"id": shelf["id"]}),
        ("productDelete", {"id": product["id"]}),
    ]
    assert sorted(name for name, _ in requests) == sorted(MUTATIONS)
    return requests


def assert_refused_as(body: dict[str, Any], name: str, code: str) -> None:
    """One top-level error with ``code`` on the mutation's field, and no data."""
    assert body["data"] is None, (name, body)
    assert len(body["errors"]) == 1, (name, body)
    error = body["errors"][0]
    assert (error["extensions"]["code"], error["path"]) == (code, [name]), (name, body)


def test_only_an_admin_key_may_run_catalog_mutations(
    services: Services, gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    requests = valid_requests(gql, admin_key)
    shop_key = services.access.create_key("shop", frozenset({Scope.STOREFRONT_READ})).plaintext
    before = catalog_state(gql, admin_key)

    # when / then: anonymous callers are unauthenticated, storefront keys forbidden
    for name, input in requests:
        anonymous = gql(call(name), {"input": input})
        assert_refused_as(anonymous, name, "UNAUTHENTICATED")
        storefront = gql(call(name), {"input": input}, api_key=shop_key)
        assert_refused_as(storefront, name, "FORBIDDEN")

    # then: nothing was written
    assert catalog_state(gql, admin_key) == before

    # and the very same requests succeed with an admin key, so they were refused for the key
    for name, input in requests:
        body = gql(call(name), {"input": input}, api_key=admin_key)
        assert body == {"data": {name: {"userErrors": []}}}, (name, body)
    assert catalog_state(gql, admin_key) != before


def test_an_unknown_or_revoked_key_is_refused_with_http_401(
    services: Services, gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    revoked = services.access.create_key("former staff", frozenset({Scope.ADMIN}))
    services.access.revoke_key(revoked.key.prefix)
    before = catalog_state(gql, admin_key)
    create = call("productCreate")

    for bad_key in (revoked.plaintext, "not-a-key", admin_key + "x"):
        # when
        mutation = gql(create, {"input": product_input()}, api_key=bad_key, status=401)
        query = gql("{ products { totalCount } }", api_key=bad_key, status=401)

        # then
        for body in (mutation, query):
            assert "data" not in body
            assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    assert catalog_state(gql, admin_key) == before


COST_PRICES = """
query ($id: ID!) {
  product(id: $id) { title variants { sku costPrice { amount currencyCode } } }
}
"""


def test_cost_price_is_shown_to_admins_only(
    services: Services, gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    product = create_product(
        gql,
        admin_key,
        title="Jingo",
        variants=[variant_input(sku="JINGO", costPrice=money("3.10"))],
    )
    shop_key = services.access.create_key("shop", frozenset({Scope.STOREFRONT_READ})).plaintext

    # when
    as_admin = gql(COST_PRICES, {"id": product["id"]}, api_key=admin_key)
    as_shopper = gql(COST_PRICES, {"id": product["id"]})
    as_storefront = gql(COST_PRICES, {"id": product["id"]}, api_key=shop_key)

    # then
    assert as_admin == {
        "data": {
            "product": {
                "title": "Jingo",
                "variants": [
                    {"sku": "JINGO", "costPrice": {"amount": "3.10", "currencyCode": "USD"}}
                ],
            }
        }
    }
    hidden = {"product": {"title": "Jingo", "variants": [{"sku": "JINGO", "costPrice": None}]}}
    for body, code in ((as_shopper, "UNAUTHENTICATED"), (as_storefront, "FORBIDDEN")):
        assert body["data"] == hidden
        assert [(e["extensions"]["code"], e["path"]) for e in body["errors"]] == [
            (code, ["product", "variants", 0, "costPrice"])
        ]
