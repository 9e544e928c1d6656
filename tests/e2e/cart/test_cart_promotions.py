"""Carts are priced through the live promotions: discounts, codes and near misses over GraphQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from cart_helpers import Clock, global_id

from commerce.cart.commands import CreateCart
from commerce.cart.model import LineRequest
from commerce.cart.service import CartService
from commerce.catalog.demo import seed_demo_catalog
from commerce.catalog.model import handle_from_title
from commerce.money import Currency
from commerce.pricing.model import (
    BuyXGetY,
    Conditions,
    OrderOff,
    Promotion,
    Selector,
    SeriesSet,
)
from commerce.promotions.service import PromotionsService
from dynamodb_calls import count_dynamodb_calls

if TYPE_CHECKING:
    from commerce.composition import Services
    from commerce.settings import Settings
    from conftest import GraphQLCaller

DISCOUNT = "promotionId code amount { amount } explanation"
PROMOTED = f"""
    id
    lines {{
      id quantity
      cost {{ totalAmount {{ amount }} discountedTotalAmount {{ amount }} }}
      discountAllocations {{ {DISCOUNT} }}
    }}
    cost {{
      subtotalAmount {{ amount }} discountAmount {{ amount }}
      shippingDiscountAmount {{ amount }} totalDiscountAmount {{ amount }}
      totalAmount {{ amount }}
    }}
    orderDiscounts {{ {DISCOUNT} }}
    discountCodes {{ code applicable reason message }}
    nearMisses {{ promotionId kind message itemsMissing amountMissing {{ amount }} }}
"""
CART = f"query ($id: ID!) {{ cart(id: $id) {{ {PROMOTED} }} }}"
CODES_UPDATE = f"""
mutation ($input: CartDiscountCodesUpdateInput!) {{
  cartDiscountCodesUpdate(input: $input) {{
    cart {{ {PROMOTED} }} userErrors {{ field code message }}
  }}
}}"""

TIDEWATER = Selector(attributes=frozenset({("series", "Tidewater Station")}))
TIDEWATER_EBOOKS = ("The Drowned Relay", "Saltwater Protocol", "The Long Undertow")


def ebook_lines(services: Services, titles: tuple[str, ...]) -> list[LineRequest]:
    """One ebook of each demo title (digital: no address or shipping needed)."""
    lines = []
    for title in titles:
        view = services.catalog.product_by_handle(
            handle_from_title(title), include_unpublished=False
        )
        assert view is not None, title
        ebook = next(v for v in view.product.variants if v.sku.endswith("-EB"))
        lines.append(LineRequest(view.product.id, ebook.id, 1))
    return lines


@pytest.fixture
def demo(services: Services) -> Services:
    seed_demo_catalog(services.catalog)
    return services


def buy_3_get_1(services: Services, **conditions: Any) -> Promotion:
    return services.promotions.create_promotion(
        Promotion(
            "",
            "Tidewater 3 for 2",
            BuyXGetY(TIDEWATER, buy=2, get=1, noun="book"),
            Conditions(**conditions),
        )
    )


def read(gql: GraphQLCaller, cart_token: str) -> dict[str, Any]:
    body = gql(CART, {"id": global_id("Cart", cart_token)})
    assert "errors" not in body, body
    cart: dict[str, Any] = body["data"]["cart"]
    return cart


def set_codes(gql: GraphQLCaller, cart_token: str, codes: list[str]) -> dict[str, Any]:
    body = gql(
        CODES_UPDATE, {"input": {"cartId": global_id("Cart", cart_token), "discountCodes": codes}}
    )
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["cartDiscountCodesUpdate"]
    return payload


def test_buy_3_get_the_cheapest_free_on_a_demo_series(demo: Services, gql: GraphQLCaller) -> None:
    promotion = buy_3_get_1(demo)
    token = demo.cart.create(CreateCart(lines=ebook_lines(demo, TIDEWATER_EBOOKS))).cart.id

    cart = read(gql, token)

    # 9.99 + 9.99 + 10.99: one 9.99 ebook is free.
    assert cart["cost"] == {
        "subtotalAmount": {"amount": "30.97"},
        "discountAmount": {"amount": "9.99"},
        "shippingDiscountAmount": {"amount": "0.00"},
        "totalDiscountAmount": {"amount": "9.99"},
        "totalAmount": {"amount": "20.98"},
    }
    allocations = [a for line in cart["lines"] for a in line["discountAllocations"]]
    assert allocations == [
        {
            "promotionId": global_id("Promotion", promotion.id),
            "code": None,
            "amount": {"amount": "9.99"},
            "explanation": allocations[0]["explanation"],
        }
    ]
    assert "free" in allocations[0]["explanation"].lower()
    discounted = [line["cost"]["discountedTotalAmount"]["amount"] for line in cart["lines"]]
    assert sorted(discounted) == ["0.00", "10.99", "9.99"]
    assert cart["nearMisses"] == []


def test_two_books_of_three_show_a_near_miss(demo: Services, gql: GraphQLCaller) -> None:
    promotion = buy_3_get_1(demo)
    token = demo.cart.create(CreateCart(lines=ebook_lines(demo, TIDEWATER_EBOOKS[:2]))).cart.id

    cart = read(gql, token)

    assert cart["cost"]["discountAmount"] == {"amount": "0.00"}
    assert cart["cost"]["totalAmount"] == {"amount": "19.98"}
    [miss] = cart["nearMisses"]
    assert miss["promotionId"] == global_id("Promotion", promotion.id)
    assert miss["kind"] == "ADD_ITEMS"
    assert miss["itemsMissing"] == 1
    assert "1 more book" in miss["message"]


def test_an_order_discount_is_shared_out_over_the_lines(demo: Services, gql: GraphQLCaller) -> None:
    demo.promotions.create_promotion(
        Promotion("", "Ten off", OrderOff(amount=1000, min_subtotal=2000), currency=Currency.USD)
    )
    token = demo.cart.create(CreateCart(lines=ebook_lines(demo, TIDEWATER_EBOOKS))).cart.id

    cart = read(gql, token)

    assert cart["cost"]["discountAmount"] == {"amount": "10.00"}
    assert cart["cost"]["totalAmount"] == {"amount": "20.97"}
    [order_discount] = cart["orderDiscounts"]
    assert order_discount["amount"] == {"amount": "10.00"}
    shares = [
        Decimal(a["amount"]["amount"])
        for line in cart["lines"]
        for a in line["discountAllocations"]
    ]
    assert sum(shares) == Decimal("10.00")


def test_a_code_applies_and_is_shown_on_the_cart(demo: Services, gql: GraphQLCaller) -> None:
    promotion = buy_3_get_1(demo, requires_code=True)
    demo.promotions.create_code(promotion.id, "TIDE3")
    token = demo.cart.create(CreateCart(lines=ebook_lines(demo, TIDEWATER_EBOOKS))).cart.id
    assert read(gql, token)["cost"]["discountAmount"] == {"amount": "0.00"}

    payload = set_codes(gql, token, [" tide3 "])

    assert payload["userErrors"] == []
    cart = payload["cart"]
    assert cart["discountCodes"] == [
        {
            "code": "TIDE3",
            "applicable": True,
            "reason": None,
            "message": "Code TIDE3 applied: Tidewater 3 for 2.",
        }
    ]
    assert cart["cost"]["discountAmount"] == {"amount": "9.99"}
    [allocation] = [a for line in cart["lines"] for a in line["discountAllocations"]]
    assert allocation["code"] == "TIDE3"
    # Read back: the code is stored on the cart.
    assert read(gql, token)["discountCodes"] == cart["discountCodes"]
    # An empty list removes it.
    cleared = set_codes(gql, token, [])["cart"]
    assert cleared["discountCodes"] == []
    assert cleared["cost"]["discountAmount"] == {"amount": "0.00"}


def refusal(gql: GraphQLCaller, token: str, code: str) -> dict[str, Any]:
    payload = set_codes(gql, token, [code])
    assert payload["userErrors"] == []
    [entry] = payload["cart"]["discountCodes"]
    assert entry["applicable"] is False
    assert entry["message"]
    assert payload["cart"]["cost"]["discountAmount"] == {"amount": "0.00"}
    return entry


def test_refused_codes_say_why(demo: Services, gql: GraphQLCaller) -> None:
    now = datetime.now(UTC)
    promotion = buy_3_get_1(demo, requires_code=True)
    demo.promotions.create_code(promotion.id, "OLD", ends_at=now - timedelta(days=1))
    demo.promotions.create_code(promotion.id, "SOON", starts_at=now + timedelta(days=1))
    demo.promotions.create_code(promotion.id, "ONCE", usage_limit=1)
    demo.promotions.use_codes("some-order", None, ["ONCE"])
    big = demo.promotions.create_promotion(
        Promotion(
            "",
            "Big spender",
            OrderOff(amount=500, min_subtotal=10000),
            Conditions(requires_code=True),
            currency=Currency.USD,
        )
    )
    demo.promotions.create_code(big.id, "BIG")
    token = demo.cart.create(CreateCart(lines=ebook_lines(demo, TIDEWATER_EBOOKS[:2]))).cart.id

    assert refusal(gql, token, "NOPE")["reason"] == "UNKNOWN"
    assert refusal(gql, token, "OLD")["reason"] == "EXPIRED"
    assert refusal(gql, token, "SOON")["reason"] == "NOT_YET_VALID"
    assert refusal(gql, token, "ONCE")["reason"] == "USED_UP"
    assert refusal(gql, token, "BIG")["reason"] == "MINIMUM_NOT_REACHED"


def test_bad_codes_are_refused_and_nothing_is_written(demo: Services, gql: GraphQLCaller) -> None:
    token = demo.cart.create(CreateCart(lines=ebook_lines(demo, TIDEWATER_EBOOKS[:1]))).cart.id

    payload = set_codes(gql, token, ["", "X" * 33, *[f"C{i}" for i in range(6)]])

    assert payload["cart"] is None
    assert {(tuple(e["field"]), e["code"]) for e in payload["userErrors"]} == {
        (("codes", "0"), "BLANK"),
        (("codes", "1"), "TOO_LONG"),
        (("codes",), "TOO_LARGE"),
    }
    assert read(gql, token)["discountCodes"] == []


def test_a_warm_cart_read_costs_no_promotion_read(
    demo: Services, gql: GraphQLCaller, settings: Settings, clock: Clock
) -> None:
    # The shared fixtures disable caches; here the promotions are cached as deployed.
    promotions = PromotionsService(cache_seconds=60)
    carts = CartService(
        demo.catalog,
        demo.shipping,
        demo.tax,
        promotions,
        ttl_seconds=settings.cart_ttl_seconds,
        default_currency=settings.default_currency,
        clock=clock,
    )
    cached = dataclasses.replace(demo, cart=carts, promotions=promotions)
    buy_3_get_1(cached)
    token = carts.create(CreateCart(lines=ebook_lines(cached, TIDEWATER_EBOOKS))).cart.id

    # Creating the cart priced it, so the promotions are cached already.
    with count_dynamodb_calls() as warm:
        priced = carts.cart(token)

    assert priced is not None
    assert priced.totals.discount.amount == 999
    assert warm.by_operation() == {"GetItem": 1, "BatchGetItem": 1}
    promotions.create_promotion(
        Promotion("", "Another", OrderOff(amount=100), currency=Currency.USD)
    )  # drops the cache
    with count_dynamodb_calls() as after_change:
        carts.cart(token)
    assert after_change.by_operation() == {"GetItem": 1, "BatchGetItem": 1, "Query": 1}


def test_the_cart_shows_the_offers_on_its_products(demo: Services, gql: GraphQLCaller) -> None:
    series = demo.promotions.create_promotion(
        Promotion("", "Tidewater set", SeriesSet("Tidewater Station", ("1", "2", "3"), Decimal(15)))
    )
    buy_3_get_1(demo)
    token = demo.cart.create(CreateCart(lines=ebook_lines(demo, TIDEWATER_EBOOKS[:1]))).cart.id

    body = gql(
        "query ($id: ID!) { cart(id: $id) { offers { promotionId name kind saving { amount } "
        "nextStep } } }",
        {"id": global_id("Cart", token)},
    )

    assert "errors" not in body, body
    offers = {o["name"]: o for o in body["data"]["cart"]["offers"]}
    assert set(offers) == {"Tidewater set", "Tidewater 3 for 2"}
    assert offers["Tidewater set"]["promotionId"] == global_id("Promotion", series.id)
    assert offers["Tidewater set"]["kind"] == "SERIES_SET"
    assert offers["Tidewater set"]["saving"] == {"amount": "0.00"}
    assert "add volumes 2 and 3" in offers["Tidewater set"]["nextStep"]
    assert "2 more books" in offers["Tidewater 3 for 2"]["nextStep"]
