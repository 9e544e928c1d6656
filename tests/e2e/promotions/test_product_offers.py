"""Shoppers ask which offers concern a product: the saving now and what would unlock more."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.catalog.model import Attribute
from commerce.composition import Services
from commerce.graphql.ids import to_global_id
from commerce.money import Currency, Money
from commerce.pricing.model import (
    BuyXGetY,
    Conditions,
    ItemsOff,
    OrderOff,
    Promotion,
    Selector,
    SeriesSet,
)

if TYPE_CHECKING:
    from conftest import GraphQLCaller

OFFERS = """
query ($id: ID!) {
  offers(productId: $id) { promotionId name kind summary saving { amount currencyCode } nextStep }
}"""


def volume_one(services: Services) -> str:
    product = services.catalog.create_product(
        ProductDraft(
            title="A Wizard of Earthsea",
            published=True,
            attributes=(Attribute("series", ("Earthsea",)), Attribute("volume", ("1",))),
            tags=("fantasy",),
            variants=(VariantDraft(sku="EARTHSEA-1", prices=(Money(1200, Currency.USD),)),),
        )
    )
    return product.id


def test_a_product_shows_its_offers_with_the_saving_and_the_next_step(
    services: Services, gql: GraphQLCaller
) -> None:
    product_id = volume_one(services)
    promotions = services.promotions
    series = promotions.create_promotion(
        Promotion("", "Earthsea set", SeriesSet("Earthsea", ("1", "2", "3"), Decimal(15)))
    )
    fantasy = promotions.create_promotion(
        Promotion("", "Fantasy week", ItemsOff(Selector(tags=frozenset({"fantasy"})), Decimal(10)))
    )
    buy_3 = promotions.create_promotion(
        Promotion("", "Buy 3 get 1", BuyXGetY(Selector(), buy=3, noun="book"), priority=1)
    )
    # Not offered on a product: behind a code, for others, or for the whole order.
    promotions.create_promotion(replace_conditions(fantasy, Conditions(requires_code=True)))
    promotions.create_promotion(
        replace_conditions(fantasy, Conditions(customer_segments=frozenset({"vip"})))
    )
    promotions.create_promotion(
        Promotion("", "Big order", OrderOff(Decimal(5), min_subtotal=5000), currency=Currency.USD)
    )

    body = gql(OFFERS, {"id": to_global_id("Product", product_id)})

    assert "errors" not in body
    assert body["data"]["offers"] == [
        {
            "promotionId": to_global_id("Promotion", buy_3.id),
            "name": "Buy 3 get 1",
            "kind": "BUY_X_GET_Y",
            "summary": "Buy 3, get the cheapest free",
            "saving": {"amount": "0.00", "currencyCode": "USD"},
            "nextStep": "add 3 more books to get one free",
        },
        {
            "promotionId": to_global_id("Promotion", series.id),
            "name": "Earthsea set",
            "kind": "SERIES_SET",
            "summary": "Complete Earthsea set: 15% off",
            "saving": {"amount": "0.00", "currencyCode": "USD"},
            "nextStep": "complete the series: add volumes 2 and 3 and save 15%",
        },
        {
            "promotionId": to_global_id("Promotion", fantasy.id),
            "name": "Fantasy week",
            "kind": "ITEMS_OFF",
            "summary": "10% off",
            "saving": {"amount": "1.20", "currencyCode": "USD"},
            "nextStep": None,
        },
    ]


def test_an_unknown_product_has_no_offers(gql: GraphQLCaller) -> None:
    body = gql(OFFERS, {"id": to_global_id("Product", "0" * 26)})
    assert body["data"]["offers"] == []
    assert gql(OFFERS, {"id": "nonsense"})["data"]["offers"] == []


def replace_conditions(promotion: Promotion, conditions: Conditions) -> Promotion:
    return Promotion("", promotion.name, promotion.offer, conditions)
