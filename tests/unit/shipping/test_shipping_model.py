"""Which delivery options a cart is offered, and at what price: pure functions."""

from __future__ import annotations

from commerce.money import Currency, Money
from commerce.shipping.model import (
    DeliveryOption,
    RateKind,
    ShippingRate,
    ShippingZone,
    WeightBand,
    delivery_options,
    zone_for_country,
    zone_of_rate,
)

USD, EUR = Currency.USD, Currency.EUR


def usd(amount: int) -> Money:
    return Money(amount, USD)


FLAT = ShippingRate("flat", "Standard", RateKind.FLAT, prices=(usd(500), Money(450, EUR)))
FREE_ABOVE = ShippingRate(
    "free", "Free over 50", RateKind.FREE_ABOVE, prices=(usd(700),), free_above=(usd(5000),)
)
BY_WEIGHT = ShippingRate(
    "weight",
    "By weight",
    RateKind.WEIGHT,
    weight_bands=(WeightBand(2000, (usd(900),)), WeightBand(500, (usd(300),))),
)


def test_a_flat_rate_costs_its_price_in_the_carts_currency() -> None:
    assert FLAT.price_for(EUR, Money(100, EUR), 0) == Money(450, EUR)


def test_a_rate_without_a_price_in_the_currency_is_not_offered() -> None:
    assert FLAT.price_for(Currency.GBP, Money(100, Currency.GBP), 0) is None


def test_a_free_above_rate_is_free_from_the_threshold_on() -> None:
    assert FREE_ABOVE.price_for(USD, usd(4999), 0) == usd(700)
    assert FREE_ABOVE.price_for(USD, usd(5000), 0) == usd(0)


def test_a_free_above_rate_without_a_threshold_in_the_currency_stays_flat() -> None:
    rate = ShippingRate(
        "f", "F", RateKind.FREE_ABOVE, prices=(usd(700), Money(600, EUR)), free_above=(usd(1),)
    )
    assert rate.price_for(EUR, Money(10**9, EUR), 0) == Money(600, EUR)


def test_the_lightest_band_that_holds_the_parcel_applies_whatever_the_order_given() -> None:
    assert BY_WEIGHT.price_for(USD, usd(0), 0) == usd(300)
    assert BY_WEIGHT.price_for(USD, usd(0), 500) == usd(300)
    assert BY_WEIGHT.price_for(USD, usd(0), 501) == usd(900)
    assert BY_WEIGHT.price_for(USD, usd(0), 2000) == usd(900)


def test_a_parcel_heavier_than_every_band_gets_no_option_from_the_rate() -> None:
    assert BY_WEIGHT.price_for(USD, usd(0), 2001) is None


def test_options_are_the_applicable_rates_cheapest_first() -> None:
    zone = ShippingZone("z", "Home", ("US",), (FLAT, FREE_ABOVE, BY_WEIGHT))
    options = delivery_options(zone, USD, usd(6000), 3000)
    assert options == (
        DeliveryOption("free", "Free over 50", usd(0)),
        DeliveryOption("flat", "Standard", usd(500)),
    )


def test_a_country_finds_its_zone_and_a_rate_its_zone() -> None:
    home = ShippingZone("a", "Home", ("US", "CA"), (FLAT,))
    europe = ShippingZone("b", "Europe", ("FR", "DE"), (BY_WEIGHT,))
    assert zone_for_country([home, europe], "DE") == europe
    assert zone_for_country([home, europe], "JP") is None
    assert zone_of_rate([home, europe], "weight") == europe
    assert zone_of_rate([home, europe], "nope") is None
