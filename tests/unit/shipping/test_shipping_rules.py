"""What staff may not set up as zones and rates: every problem, with its exact code."""

from __future__ import annotations

from commerce.money import Currency, Money
from commerce.problems import Problem
from commerce.shipping.errors import ShippingErrorCode as Code
from commerce.shipping.model import RateKind, ShippingRate, ShippingZone, WeightBand
from commerce.shipping.rules import (
    check_countries,
    check_countries_free,
    check_name,
    check_rate,
)


def usd(amount: int) -> Money:
    return Money(amount, Currency.USD)


def codes(problems: list[Problem]) -> list[tuple[object, tuple[str, ...]]]:
    return [(p.code, p.field) for p in problems]


def test_countries_must_be_iso_codes_given_once() -> None:
    problems = check_countries(["US", "XX", "US", "usa"], ("countries",))
    assert codes(problems) == [
        (Code.INVALID_COUNTRY, ("countries", "1")),
        (Code.DUPLICATE, ("countries", "2")),
        (Code.INVALID_COUNTRY, ("countries", "3")),
    ]


def test_a_zone_needs_a_country_and_a_name() -> None:
    assert codes(check_countries([], ("countries",))) == [(Code.INVALID, ("countries",))]
    assert codes(check_name("  ", ("name",))) == [(Code.BLANK, ("name",))]
    assert codes(check_name("x" * 256, ("name",))) == [(Code.TOO_LONG, ("name",))]


def test_a_country_of_another_zone_is_taken_but_the_zones_own_is_not() -> None:
    zones = [ShippingZone("a", "Home", ("US",)), ShippingZone("b", "Europe", ("FR",))]
    assert check_countries_free(zones, "a", ["US"], ("countries",)) == []
    problems = check_countries_free(zones, "a", ["US", "FR"], ("countries",))
    assert codes(problems) == [(Code.ZONE_COUNTRY_TAKEN, ("countries", "1"))]


def test_a_flat_rate_needs_non_negative_prices_one_per_currency() -> None:
    rate = ShippingRate("r", "Std", RateKind.FLAT, prices=(usd(-1), usd(5)))
    assert codes(check_rate(rate)) == [
        (Code.NEGATIVE, ("prices", "0", "amount")),
        (Code.DUPLICATE, ("prices", "1", "currencyCode")),
    ]
    assert codes(check_rate(ShippingRate("r", "Std", RateKind.FLAT))) == [
        (Code.INVALID, ("prices",))
    ]


def test_each_kind_takes_only_its_own_fields() -> None:
    band = WeightBand(100, (usd(1),))
    flat = ShippingRate("r", "F", RateKind.FLAT, (usd(1),), (band,), (usd(1),))
    assert codes(check_rate(flat)) == [
        (Code.INVALID, ("weightBands",)),
        (Code.INVALID, ("freeAbove",)),
    ]
    weight = ShippingRate("r", "W", RateKind.WEIGHT, prices=(usd(1),))
    assert codes(check_rate(weight)) == [
        (Code.INVALID, ("weightBands",)),
        (Code.INVALID, ("prices",)),
    ]
    free = ShippingRate("r", "Free", RateKind.FREE_ABOVE, prices=(usd(1),))
    assert codes(check_rate(free)) == [(Code.INVALID, ("freeAbove",))]


def test_weight_bands_may_not_overlap_and_need_positive_limits_and_prices() -> None:
    rate = ShippingRate(
        "r",
        "W",
        RateKind.WEIGHT,
        weight_bands=(
            WeightBand(500, (usd(300),)),
            WeightBand(500, (usd(400),)),
            WeightBand(0, (usd(100),)),
            WeightBand(900, ()),
        ),
    )
    assert codes(check_rate(rate)) == [
        (Code.OVERLAPPING_WEIGHT_BANDS, ("weightBands", "1", "upToGrams")),
        (Code.INVALID, ("weightBands", "2", "upToGrams")),
        (Code.INVALID, ("weightBands", "3", "prices")),
    ]
