"""Every selector criterion, created through promotionCreate and priced in a cart over GraphQL.

Staff create each promotion as a client does (global ids in, global ids back), a shopper
prices a cart with ``cartCreate``, and the discount is the one the selector promises. One
catalog is made through the API for the whole file; each test's promotion lives only for
that test, so no test prices another's offer.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import itertools
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from commerce.access.model import Scope
from commerce.app import create_app
from commerce.composition import build_services
from commerce.db.table import create_table_if_missing
from commerce.payments.local import LocalStripe
from table_settings import fresh_settings

ERRORS = "userErrors { field code message }"
SELECTOR = "productIds variantIds collectionIds tags kinds match attributes { name value }"
PROMOTION_CREATE = f"""
mutation ($input: PromotionInput!) {{
  promotionCreate(input: $input) {{
    promotion {{
      id
      selector {{ {SELECTOR} children {{ {SELECTOR} children {{ {SELECTOR} }} }} }}
      components {{ quantity label selector {{ {SELECTOR} }} }}
    }}
    {ERRORS}
  }}
}}"""
PROMOTION_DELETE = f"""
mutation ($id: ID!) {{ promotionDelete(input: {{id: $id}}) {{ deletedPromotionId {ERRORS} }} }}"""
PRODUCT_CREATE = f"""
mutation ($input: ProductCreateInput!) {{
  productCreate(input: $input) {{ product {{ id variants {{ id sku }} }} {ERRORS} }}
}}"""
COLLECTION_CREATE = f"""
mutation ($input: CollectionCreateInput!) {{
  collectionCreate(input: $input) {{ collection {{ id }} {ERRORS} }}
}}"""
CART = """
    id
    lines { quantity merchandise { id } discountAllocations { promotionId amount { amount } } }
    cost { subtotalAmount { amount } discountAmount { amount } totalAmount { amount } }
"""
CART_CREATE = f"""
mutation ($input: CartCreateInput!) {{ cartCreate(input: $input) {{ cart {{ {CART} }} {ERRORS} }} }}
"""
BUNDLE_ADD = f"""
mutation ($input: CartBundleAddInput!) {{
  cartBundleAdd(input: $input) {{ cart {{ {CART} }} {ERRORS} }}
}}"""

_serial = itertools.count(1)


class Api:
    """POSTs operations as a client does; staff calls carry the admin key."""

    def __init__(self, client: TestClient, admin_key: str) -> None:
        self.client = client
        self.admin_key = admin_key

    def __call__(
        self, query: str, variables: dict[str, Any], field: str, *, staff: bool = False
    ) -> dict[str, Any]:
        headers = {"X-API-Key": self.admin_key} if staff else {}
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        payload: dict[str, Any] = body["data"][field]
        return payload


@dataclasses.dataclass(frozen=True)
class Shop:
    """The file's catalog, by the global ids clients see.

    "Tidewater" (author Le Guin, tag award, in the Fantasy collection): HARDCOVER 20.00 USD
    (physical) then AUDIOBOOK 15.00 USD (digital). "Almanac" (author Moore, tag sale):
    PAPERBACK 10.00 USD or 9.00 EUR (physical) then EBOOK 8.00 USD (digital).
    """

    api: Api
    tidewater: str
    almanac: str
    fantasy: str
    hardcover: str
    audiobook: str
    paperback: str
    ebook: str


def _product(api: Api, title: str, **fields: Any) -> dict[str, Any]:
    created = api(
        PRODUCT_CREATE, {"input": {"title": title, **fields}}, "productCreate", staff=True
    )
    assert created["userErrors"] == [], created
    product: dict[str, Any] = created["product"]
    return product


def _variant(sku: str, kind: str, *prices: tuple[str, str]) -> dict[str, Any]:
    return {
        "sku": sku,
        "kind": kind,
        "prices": [{"amount": a, "currencyCode": c} for a, c in prices],
        "initialStock": 50 if kind == "PHYSICAL" else 0,
        "options": [{"name": "Format", "value": sku.rsplit("-", 1)[1]}],
    }


@pytest.fixture(scope="module")
def shop(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Iterator[Shop]:
    settings = fresh_settings(dynamodb_endpoint, stripe_server.endpoint, "whsec_selectors")
    services = build_services(settings)
    create_table_if_missing()
    admin_key = services.access.create_key("staff", frozenset({Scope.ADMIN})).plaintext
    with TestClient(create_app(services)) as client:
        api = Api(client, admin_key)
        fantasy = api(
            COLLECTION_CREATE, {"input": {"title": "Fantasy"}}, "collectionCreate", staff=True
        )["collection"]["id"]
        tidewater = _product(
            api,
            "Tidewater",
            published=True,
            collectionIds=[fantasy],
            tags=["award"],
            attributes=[{"name": "author", "values": ["Le Guin"]}],
            variants=[
                _variant("TIDE-HARDCOVER", "PHYSICAL", ("20.00", "USD")),
                _variant("TIDE-AUDIOBOOK", "DIGITAL", ("15.00", "USD")),
            ],
        )
        almanac = _product(
            api,
            "Almanac",
            published=True,
            tags=["sale"],
            attributes=[{"name": "author", "values": ["Moore"]}],
            variants=[
                _variant("ALMA-PAPERBACK", "PHYSICAL", ("10.00", "USD"), ("9.00", "EUR")),
                _variant("ALMA-EBOOK", "DIGITAL", ("8.00", "USD")),
            ],
        )
        yield Shop(
            api=api,
            tidewater=tidewater["id"],
            almanac=almanac["id"],
            fantasy=fantasy,
            hardcover=tidewater["variants"][0]["id"],
            audiobook=tidewater["variants"][1]["id"],
            paperback=almanac["variants"][0]["id"],
            ebook=almanac["variants"][1]["id"],
        )


@contextlib.contextmanager
def live(shop: Shop, **fields: Any) -> Iterator[dict[str, Any]]:
    """A promotion created by staff, deleted when the test is done with it."""
    promotion_input = {"name": f"Offer {next(_serial)}", **fields}
    created = shop.api(PROMOTION_CREATE, {"input": promotion_input}, "promotionCreate", staff=True)
    assert created["userErrors"] == [], created
    promotion: dict[str, Any] = created["promotion"]
    try:
        yield promotion
    finally:
        deleted = shop.api(PROMOTION_DELETE, {"id": promotion["id"]}, "promotionDelete", staff=True)
        assert deleted["userErrors"] == []


def ten_percent_off(selector: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "ITEMS_OFF", "percent": "10", "selector": selector}


def cart_of(shop: Shop, *variants: str, currency: str = "USD") -> dict[str, Any]:
    lines = [{"merchandiseId": v, "quantity": 1} for v in variants]
    created = shop.api(CART_CREATE, {"input": {"lines": lines, "currency": currency}}, "cartCreate")
    assert created["userErrors"] == [], created
    cart: dict[str, Any] = created["cart"]
    return cart


def discounted(cart: dict[str, Any]) -> dict[str, str]:
    """Each line's discount by variant id ("0.00": none)."""
    zero = Decimal("0.00")
    return {
        line["merchandise"]["id"]: str(
            sum((Decimal(a["amount"]["amount"]) for a in line["discountAllocations"]), zero)
        )
        for line in cart["lines"]
    }


def test_a_product_selector_discounts_every_variant_of_that_product_only(shop: Shop) -> None:
    with live(shop, **ten_percent_off({"productIds": [shop.tidewater]})):
        cart = cart_of(shop, shop.hardcover, shop.audiobook, shop.paperback)

    assert discounted(cart) == {
        shop.hardcover: "2.00",
        shop.audiobook: "1.50",
        shop.paperback: "0.00",
    }
    assert cart["cost"]["discountAmount"] == {"amount": "3.50"}


def test_a_variant_selector_discounts_that_variant_and_not_its_other_formats(
    shop: Shop,
) -> None:
    with live(shop, **ten_percent_off({"variantIds": [shop.hardcover]})) as promotion:
        cart = cart_of(shop, shop.hardcover, shop.audiobook)

    # Read back, the promotion names the variant by the id staff sent.
    assert promotion["selector"]["variantIds"] == [shop.hardcover]
    assert discounted(cart) == {shop.hardcover: "2.00", shop.audiobook: "0.00"}
    assert cart["cost"]["totalAmount"] == {"amount": "33.00"}


def test_a_collection_selector_discounts_the_collections_products(shop: Shop) -> None:
    with live(shop, **ten_percent_off({"collectionIds": [shop.fantasy]})) as promotion:
        cart = cart_of(shop, shop.hardcover, shop.paperback)

    assert promotion["selector"]["collectionIds"] == [shop.fantasy]
    assert discounted(cart) == {shop.hardcover: "2.00", shop.paperback: "0.00"}


def test_an_attribute_selector_discounts_products_with_that_value(shop: Shop) -> None:
    selector = {"attributes": [{"name": "author", "value": "Moore"}]}
    with live(shop, **ten_percent_off(selector)):
        cart = cart_of(shop, shop.hardcover, shop.paperback, shop.ebook)

    assert discounted(cart) == {shop.hardcover: "0.00", shop.paperback: "1.00", shop.ebook: "0.80"}


def test_a_tag_selector_discounts_products_with_that_tag(shop: Shop) -> None:
    with live(shop, **ten_percent_off({"tags": ["award"]})):
        cart = cart_of(shop, shop.audiobook, shop.paperback)

    assert discounted(cart) == {shop.audiobook: "1.50", shop.paperback: "0.00"}


def test_a_kind_selector_discounts_digital_variants_only(shop: Shop) -> None:
    with live(shop, **ten_percent_off({"kinds": ["DIGITAL"]})) as promotion:
        cart = cart_of(shop, shop.hardcover, shop.audiobook, shop.paperback, shop.ebook)

    assert promotion["selector"]["kinds"] == ["DIGITAL"]
    assert discounted(cart) == {
        shop.hardcover: "0.00",
        shop.audiobook: "1.50",
        shop.paperback: "0.00",
        shop.ebook: "0.80",
    }


def test_all_of_a_collection_and_any_of_two_criteria_nests(shop: Shop) -> None:
    # Fantasy AND (digital OR tagged sale): only the Tidewater audiobook.
    selector = {
        "match": "ALL",
        "collectionIds": [shop.fantasy],
        "children": [{"match": "ANY", "kinds": ["DIGITAL"], "tags": ["sale"]}],
    }
    with live(shop, **ten_percent_off(selector)) as promotion:
        cart = cart_of(shop, shop.hardcover, shop.audiobook, shop.paperback, shop.ebook)

    assert promotion["selector"]["children"][0]["kinds"] == ["DIGITAL"]
    assert discounted(cart) == {
        shop.hardcover: "0.00",
        shop.audiobook: "1.50",
        shop.paperback: "0.00",
        shop.ebook: "0.00",
    }


def test_any_of_a_product_and_all_of_two_criteria_nests(shop: Shop) -> None:
    # The Almanac, OR (physical AND by Le Guin): everything but the Tidewater audiobook.
    selector = {
        "productIds": [shop.almanac],
        "children": [
            {
                "match": "ALL",
                "kinds": ["PHYSICAL"],
                "attributes": [{"name": "author", "value": "Le Guin"}],
            }
        ],
    }
    with live(shop, **ten_percent_off(selector)):
        cart = cart_of(shop, shop.hardcover, shop.audiobook, shop.paperback, shop.ebook)

    assert discounted(cart) == {
        shop.hardcover: "2.00",
        shop.audiobook: "0.00",
        shop.paperback: "1.00",
        shop.ebook: "0.80",
    }


def bundle(*components: dict[str, Any], price: str) -> dict[str, Any]:
    return {"kind": "BUNDLE", "currencyCode": "USD", "price": price, "components": list(components)}


def add_bundle(shop: Shop, promotion_id: str, currency: str = "USD") -> dict[str, Any]:
    cart_id = cart_of(shop, currency=currency)["id"]
    variables = {"input": {"cartId": cart_id, "promotionId": promotion_id}}
    return shop.api(BUNDLE_ADD, variables, "cartBundleAdd")


def quantities(cart: dict[str, Any]) -> dict[str, int]:
    return {line["merchandise"]["id"]: line["quantity"] for line in cart["lines"]}


def test_a_bundle_of_named_variants_adds_them_and_costs_the_bundle_price(shop: Shop) -> None:
    offer = bundle(
        {"selector": {"variantIds": [shop.hardcover]}, "label": "the hardcover"},
        {"selector": {"variantIds": [shop.audiobook]}, "label": "its audiobook"},
        price="25.00",
    )
    with live(shop, **offer) as promotion:
        added = add_bundle(shop, promotion["id"])

    assert [c["selector"]["variantIds"] for c in promotion["components"]] == [
        [shop.hardcover],
        [shop.audiobook],
    ]
    assert added["userErrors"] == []
    assert quantities(added["cart"]) == {shop.hardcover: 1, shop.audiobook: 1}
    assert added["cart"]["cost"] == {
        "subtotalAmount": {"amount": "35.00"},
        "discountAmount": {"amount": "10.00"},
        "totalAmount": {"amount": "25.00"},
    }


def test_a_bundle_naming_one_product_twice_adds_two_of_its_variants(shop: Shop) -> None:
    # Each component takes the product's first variant no other component took.
    offer = bundle(
        {"selector": {"productIds": [shop.tidewater]}, "label": "the book"},
        {"selector": {"productIds": [shop.tidewater]}, "label": "another format"},
        price="30.00",
    )
    with live(shop, **offer) as promotion:
        added = add_bundle(shop, promotion["id"])

    assert added["userErrors"] == []
    assert quantities(added["cart"]) == {shop.hardcover: 1, shop.audiobook: 1}
    assert added["cart"]["cost"]["totalAmount"] == {"amount": "30.00"}


def test_a_bundle_of_two_products_adds_each_products_first_variant(shop: Shop) -> None:
    offer = bundle(
        {"selector": {"productIds": [shop.tidewater]}},
        {"selector": {"productIds": [shop.almanac]}, "quantity": 2},
        price="35.00",
    )
    with live(shop, **offer) as promotion:
        added = add_bundle(shop, promotion["id"])

    assert added["userErrors"] == []
    assert quantities(added["cart"]) == {shop.hardcover: 1, shop.paperback: 2}
    assert added["cart"]["cost"]["totalAmount"] == {"amount": "35.00"}


def test_a_bundle_the_shopper_completes_is_not_added_whole(shop: Shop) -> None:
    offer = bundle(
        {"selector": {"variantIds": [shop.hardcover]}},
        {"selector": {"collectionIds": [shop.fantasy]}, "label": "any fantasy title"},
        price="30.00",
    )
    with live(shop, **offer) as promotion:
        added = add_bundle(shop, promotion["id"])

    assert added["cart"] is None
    assert added["userErrors"] == [
        {
            "field": ["promotionId"],
            "code": "NOT_A_BUNDLE",
            "message": "Bundle component 2 (any fantasy title) is for the shopper to choose: "
            "add it with cartLinesAdd",
        }
    ]


def test_a_bundle_with_an_item_not_sold_in_the_carts_currency_says_so(shop: Shop) -> None:
    offer = {
        "kind": "BUNDLE",
        "percent": "20",
        "components": [
            {"selector": {"variantIds": [shop.paperback]}, "label": "the paperback"},
            {"selector": {"variantIds": [shop.hardcover]}, "label": "the hardcover"},
        ],
    }
    with live(shop, **offer) as promotion:
        in_euros = add_bundle(shop, promotion["id"], currency="EUR")
        in_dollars = add_bundle(shop, promotion["id"])

    assert in_euros["userErrors"] == [
        {
            "field": ["promotionId"],
            "code": "BUNDLE_NOT_AVAILABLE",
            "message": "Bundle component 2 (the hardcover) is not for sale in EUR",
        }
    ]
    assert in_dollars["userErrors"] == []
    assert in_dollars["cart"]["cost"]["discountAmount"] == {"amount": "6.00"}


def test_a_selector_naming_a_variant_by_a_malformed_id_is_refused(shop: Shop) -> None:
    product_local = base64.urlsafe_b64decode(shop.tidewater + "==").decode().split(":")[1]
    not_a_variant = (
        base64.urlsafe_b64encode(f"ProductVariant:{product_local}".encode()).decode().rstrip("=")
    )
    promotion_input = {
        "name": "Broken",
        **ten_percent_off({"variantIds": [shop.hardcover, not_a_variant, shop.tidewater]}),
    }
    created = shop.api(PROMOTION_CREATE, {"input": promotion_input}, "promotionCreate", staff=True)

    assert created["promotion"] is None
    assert [(e["field"], e["code"]) for e in created["userErrors"]] == [
        (["input", "selector", "variantIds", "1"], "INVALID_ID"),
        (["input", "selector", "variantIds", "2"], "INVALID_ID"),
    ]
