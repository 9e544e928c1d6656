"""Tax rates and the tax on an amount: exact, rounded half to even, never above the amount."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from commerce.tax.errors import TaxErrorCode as Code
from commerce.tax.model import TaxRate, canonical_percentage, rate_for, tax_on
from commerce.tax.rules import check_percentage, check_place

US = TaxRate("US", "", Decimal(5))
CALIFORNIA = TaxRate("US", "CA", Decimal("7.25"))
UK = TaxRate("GB", "", Decimal(20))


def test_a_regions_rate_overrides_its_countrys() -> None:
    rates = [US, CALIFORNIA, UK]
    assert rate_for(rates, "US", "CA") == CALIFORNIA
    assert rate_for(rates, "US", "NY") == US
    assert rate_for(rates, "US", "") == US
    assert rate_for(rates, "FR", "") is None


def test_a_region_without_a_country_rate_applies_only_to_that_region() -> None:
    assert rate_for([CALIFORNIA], "US", "TX") is None


def test_tax_is_added_on_top_when_prices_exclude_it() -> None:
    assert tax_on(1000, Decimal(20), included=False) == 200
    # 1 cent at 7.25 %: 0.0725 rounds to 0
    assert tax_on(1, Decimal("7.25"), included=False) == 0


def test_tax_is_extracted_when_prices_include_it() -> None:
    # 12.00 including 20 %: 10.00 + 2.00 tax
    assert tax_on(1200, Decimal(20), included=True) == 200


def test_halves_round_to_even() -> None:
    # 250 x 1 % = 2.5 -> 2; 350 x 1 % = 3.5 -> 4
    assert tax_on(250, Decimal(1), included=False) == 2
    assert tax_on(350, Decimal(1), included=False) == 4


@given(
    amount=st.integers(0, 10**12),
    rate=st.decimals(0, 100, places=4, allow_nan=False, allow_infinity=False),
    included=st.booleans(),
)
def test_tax_is_never_negative_nor_more_than_the_amount(
    amount: int, rate: Decimal, included: bool
) -> None:
    assert 0 <= tax_on(amount, rate, included=included) <= amount


def test_rates_are_zero_to_a_hundred_percent_with_four_decimals() -> None:
    assert check_percentage(Decimal("8.875")) == []
    assert check_percentage(Decimal("100")) == []
    assert [p.code for p in check_percentage(Decimal("100.01"))] == [Code.TOO_LARGE]
    assert [p.code for p in check_percentage(Decimal("-1"))] == [Code.NEGATIVE]
    assert [p.code for p in check_percentage(Decimal("1.00001"))] == [Code.TOO_PRECISE]
    assert check_percentage(Decimal("1.50000")) == []


def test_places_are_iso_countries_and_subdivision_codes() -> None:
    assert check_place("US", "CA") == []
    assert [p.code for p in check_place("XX", "CA-")] == [
        Code.INVALID_COUNTRY,
        Code.INVALID_REGION,
    ]


def test_percentages_are_stored_without_trailing_zeros() -> None:
    assert str(canonical_percentage(Decimal("20.00"))) == "20"
    assert str(canonical_percentage(Decimal("8.8750"))) == "8.875"
    assert str(canonical_percentage(Decimal("0.0"))) == "0"
