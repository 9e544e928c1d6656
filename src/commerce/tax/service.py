"""Tax use cases: staff set and delete rates; carts ask for the rate of an address.

Carts read the rates through a short in-process cache (the same freshness as the catalog
view), dropped by this process's own changes.
"""

from __future__ import annotations

from commerce.catalog.view_cache import ViewCache
from commerce.problems import Problem, Rejected
from commerce.tax import rules, store
from commerce.tax.commands import TaxPlace, TaxRateSetting
from commerce.tax.errors import TaxErrorCode as Code
from commerce.tax.model import TaxRate, canonical_percentage, rate_for


def _place(country_code: str, region_code: str | None) -> tuple[str, str]:
    return country_code.strip().upper(), (region_code or "").strip().upper()


def _typed(place: TaxPlace) -> tuple[str, str]:
    return _place(place.country_code, place.region_code)


class TaxService:
    """Tax rates, over the single table."""

    def __init__(self, *, cache_seconds: float, prices_include_tax: bool) -> None:
        self.prices_include_tax = prices_include_tax
        self._cache: ViewCache[tuple[TaxRate, ...]] = ViewCache(
            lambda: store.all_rates(consistent=False),
            fresh_seconds=cache_seconds,
            stale_seconds=cache_seconds,
        )

    def rates(self) -> tuple[TaxRate, ...]:
        """Every rate as stored now, by country then region."""
        return tuple(sorted(store.all_rates(), key=lambda r: (r.country_code, r.region_code)))

    def rate_for(self, country_code: str, region_code: str) -> TaxRate | None:
        """The rate for an address (region over country); from the cache while fresh."""
        country, region = _place(country_code, region_code)
        return rate_for(self._cache.get(), country, region)

    def set_rate(self, setting: TaxRateSetting) -> TaxRate:
        """Set the rate of a country, or of one of its regions, replacing any before."""
        country, region = _typed(setting.place)
        percentage = setting.percentage
        problems = [*rules.check_place(country, region), *rules.check_percentage(percentage)]
        if problems:
            raise Rejected(problems)
        rate = TaxRate(country, region, canonical_percentage(percentage))
        store.put_rate(rate)
        self._cache.invalidate()
        return rate

    def delete_rate(self, place: TaxPlace) -> TaxPlace:
        """Remove the rate of a country or region (the place is returned); NOT_FOUND when
        there is none."""
        country, region = _typed(place)
        problems = rules.check_place(country, region)
        if problems:
            raise Rejected(problems)
        if not store.delete_rate(country, region):
            raise Rejected([Problem(Code.NOT_FOUND, "No rate is set there", ("countryCode",))])
        self._cache.invalidate()
        return place
