"""Shipping zones, their rates, and the delivery options a cart is offered: pure logic.

A zone is a set of countries (a country belongs to at most one zone) with rates. A rate
is priced per currency and never converted: a rate without a price in the cart's
currency is not offered. Three kinds:

- ``FLAT``: one price per currency.
- ``WEIGHT``: bands "up to N grams -> price"; the first band whose limit the parcel does
  not exceed applies, and a parcel heavier than the last band gets no option from it.
- ``FREE_ABOVE``: a flat price that becomes 0 once the cart's subtotal (merchandise, as
  the catalog prices it) reaches the threshold in the cart's currency.

The parcel's weight is the sum of ``weight x quantity`` over physical lines; a variant
without a weight counts 0 g (staff are told to set weights when they use weight rates).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from commerce.money import Currency, Money


class RateKind(enum.Enum):
    """How a rate's price is found."""

    FLAT = "FLAT"
    WEIGHT = "WEIGHT"
    FREE_ABOVE = "FREE_ABOVE"


def _in(prices: Iterable[Money], currency: Currency) -> Money | None:
    return next((p for p in prices if p.currency is currency), None)


@dataclass(frozen=True, slots=True)
class WeightBand:
    """Parcels up to ``up_to_grams`` (inclusive, above the previous band) cost ``prices``."""

    up_to_grams: int
    prices: tuple[Money, ...]


@dataclass(frozen=True, slots=True)
class ShippingRate:
    """One way to ship within a zone, priced per currency."""

    id: str
    title: str
    kind: RateKind
    prices: tuple[Money, ...] = ()
    weight_bands: tuple[WeightBand, ...] = ()
    free_above: tuple[Money, ...] = ()

    def price_for(self, currency: Currency, subtotal: Money, weight_grams: int) -> Money | None:
        """What shipping costs by this rate, or None when it is not offered for the cart."""
        if self.kind is RateKind.WEIGHT:
            for band in sorted(self.weight_bands, key=lambda b: b.up_to_grams):
                if weight_grams <= band.up_to_grams:
                    return _in(band.prices, currency)
            return None
        price = _in(self.prices, currency)
        if price is None or self.kind is RateKind.FLAT:
            return price
        threshold = _in(self.free_above, currency)
        if threshold is not None and subtotal.amount >= threshold.amount:
            return Money(0, currency)
        return price


@dataclass(frozen=True, slots=True)
class ShippingZone:
    """Countries that share rates."""

    id: str
    name: str
    countries: tuple[str, ...]
    rates: tuple[ShippingRate, ...] = ()

    def rate(self, rate_id: str) -> ShippingRate | None:
        """The rate with this id, if the zone has it."""
        return next((r for r in self.rates if r.id == rate_id), None)


@dataclass(frozen=True, slots=True)
class DeliveryOption:
    """A rate as offered to one cart: its price for that cart."""

    id: str
    title: str
    price: Money


def zone_for_country(zones: Iterable[ShippingZone], country_code: str) -> ShippingZone | None:
    """The zone that ships to ``country_code``, if any."""
    return next((z for z in zones if country_code in z.countries), None)


def zone_of_rate(zones: Iterable[ShippingZone], rate_id: str) -> ShippingZone | None:
    """The zone holding the rate with this id, if any."""
    return next((z for z in zones if z.rate(rate_id) is not None), None)


def delivery_options(
    zone: ShippingZone, currency: Currency, subtotal: Money, weight_grams: int
) -> tuple[DeliveryOption, ...]:
    """The zone's rates that apply to the cart, cheapest first (ties keep the zone's order)."""
    options = []
    for rate in zone.rates:
        price = rate.price_for(currency, subtotal, weight_grams)
        if price is not None:
            options.append(DeliveryOption(rate.id, rate.title, price))
    return tuple(sorted(options, key=lambda o: o.price.amount))
