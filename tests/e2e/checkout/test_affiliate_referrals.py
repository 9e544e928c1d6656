"""A cart remembers the affiliate that referred it; affiliate promotions and orders follow."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from checkout_helpers import CART_CREATE, EMAIL, payload_of, variant

from commerce.access.model import Scope
from commerce.composition import Services
from commerce.graphql.ids import to_global_id
from commerce.pricing.model import Conditions, ItemsOff, Promotion, Selector

if TYPE_CHECKING:
    from conftest import GraphQLCaller

CREATE = CART_CREATE.replace("cart { id", "cart { id affiliateId cost { totalAmount { amount } }")
CHECKOUT = """
mutation ($input: CheckoutCompleteInput!) {
  checkoutComplete(input: $input) { order { affiliateId total { amount } } userErrors { code } }
}"""
PROMOTION = """
mutation ($input: PromotionInput!) {
  promotionCreate(input: $input) { promotion { affiliateIds } userErrors { field code } }
}"""


@pytest.fixture
def partners(services: Services) -> tuple[str, str, str]:
    """Two affiliates (their Partner ids) and the first one's checkout key."""
    blog = services.access.create_partner("Book blog", "blog@example.com")
    other = services.access.create_partner("Other blog", "other@example.com")
    key = services.access.create_key(
        "Blog checkout", frozenset({Scope.STOREFRONT_READ, Scope.CHECKOUT}), partner_id=blog.id
    )
    services.promotions.create_promotion(
        Promotion(
            "",
            "Blog readers save 10%",
            ItemsOff(Selector(), percent=Decimal(10)),
            Conditions(affiliate_ids=frozenset({blog.id})),
        )
    )
    return to_global_id("Partner", blog.id), to_global_id("Partner", other.id), key.plaintext


def _create(
    gql: GraphQLCaller, variant_id: str, api_key: str | None = None, **extra: Any
) -> dict[str, Any]:
    created = {
        "lines": [{"merchandiseId": variant_id, "quantity": 1}],
        "buyerIdentity": EMAIL,
        **extra,
    }
    return payload_of(gql(CREATE, {"input": created}, api_key=api_key))


def test_a_referred_shopper_gets_the_affiliate_offer_and_the_order_names_the_affiliate(
    gql: GraphQLCaller, admin_key: str, partners: tuple[str, str, str]
) -> None:
    blog, other, _ = partners
    ebook = variant(gql, admin_key, price="20.00", digital=True)

    referred = _create(gql, ebook, affiliateId=blog)["cart"]
    elsewhere = _create(gql, ebook, affiliateId=other)["cart"]
    direct = _create(gql, ebook)["cart"]

    assert (referred["affiliateId"], referred["cost"]["totalAmount"]["amount"]) == (blog, "18.00")
    assert elsewhere["cost"]["totalAmount"]["amount"] == "20.00"
    assert (direct["affiliateId"], direct["cost"]["totalAmount"]["amount"]) == (None, "20.00")
    placed = payload_of(
        gql(CHECKOUT, {"input": {"cartId": referred["id"], "idempotencyKey": "ref-1"}})
    )
    assert placed["order"] == {"affiliateId": blog, "total": {"amount": "18.00"}}


def test_a_partners_own_key_refers_its_carts(
    gql: GraphQLCaller, admin_key: str, partners: tuple[str, str, str]
) -> None:
    blog, other, blog_key = partners
    ebook = variant(gql, admin_key, price="20.00", digital=True)

    own = _create(gql, ebook, api_key=blog_key)
    claimed = _create(gql, ebook, api_key=blog_key, affiliateId=other)

    assert own["cart"]["affiliateId"] == blog
    assert own["cart"]["cost"]["totalAmount"]["amount"] == "18.00"
    assert [(e["code"], e["field"]) for e in claimed["userErrors"]] == [
        ("AFFILIATE_NOT_FOUND", ["affiliateId"])
    ]
    assert claimed["cart"] is None


@pytest.mark.parametrize("bad", ["not-an-id", to_global_id("Partner", "01" + "0" * 24)])
def test_an_unknown_affiliate_refuses_the_cart(
    gql: GraphQLCaller, admin_key: str, bad: str
) -> None:
    ebook = variant(gql, admin_key, price="20.00", digital=True)

    refused = _create(gql, ebook, affiliateId=bad)

    assert [e["code"] for e in refused["userErrors"]] == ["AFFILIATE_NOT_FOUND"]
    assert refused["cart"] is None


def test_promotions_name_affiliates_by_partner_id(
    gql: GraphQLCaller, admin_key: str, partners: tuple[str, str, str]
) -> None:
    blog, _, _ = partners
    base = {"name": "Blog deal", "kind": "ITEMS_OFF", "percent": "5"}

    good = gql(PROMOTION, {"input": {**base, "affiliateIds": [blog]}}, api_key=admin_key)
    bad = gql(PROMOTION, {"input": {**base, "affiliateIds": ["blog"]}}, api_key=admin_key)

    assert good["data"]["promotionCreate"]["promotion"] == {"affiliateIds": [blog]}
    assert [e["code"] for e in bad["data"]["promotionCreate"]["userErrors"]] == ["INVALID_ID"]
