"""Tax rates and the tax on an amount: pure logic.

A rate is a percentage held as an exact ``Decimal`` (``Decimal("8.875")``), never a
float, with at most ``MAX_RATE_DECIMALS`` decimals and at most 100. A rate is set for a
country, or for a region of it (an ISO 3166-2 subdivision code without the country, e.g.
``CA`` for California, ``ON`` for Ontario); a region's rate overrides its country's.

Rounding: tax is computed per amount taxed (each cart line's total, and shipping) and
rounded to the minor unit with ``round_minor`` (half to even); the cart's tax is the sum
of those rounded amounts, so the lines always add up to the total shown.

- Prices exclude tax: ``tax = round_minor(amount x rate / 100)``, added on top.
- Prices include tax: ``tax = round_minor(amount x rate / (100 + rate))``, the part of
  the amount that is tax; the price the shopper pays does not change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from commerce.money import round_minor

MAX_RATE_DECIMALS = 4
MAX_RATE = Decimal(100)
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class TaxRate:
    """The tax percentage of a country, or of one region of it (``region_code`` non-empty)."""

    country_code: str
    region_code: str
    percentage: Decimal


def canonical_percentage(percentage: Decimal) -> Decimal:
    """``percentage`` without trailing zeros ("20.00" and "20" are one rate), never "2E+1"."""
    normalized = percentage.normalize()
    exponent = normalized.as_tuple().exponent
    assert isinstance(exponent, int)
    return normalized.quantize(Decimal(1)) if exponent > 0 else normalized


def rate_for(rates: Iterable[TaxRate], country_code: str, region_code: str) -> TaxRate | None:
    """The rate that applies to an address: its region's, else its country's, else none."""
    country = None
    for rate in rates:
        if rate.country_code != country_code:
            continue
        if region_code and rate.region_code == region_code:
            return rate
        if not rate.region_code:
            country = rate
    return country


def tax_on(amount: int, percentage: Decimal, *, included: bool) -> int:
    """The tax on ``amount`` minor units: added on top, or the part of it that is tax."""
    if included:
        return round_minor(Decimal(amount) * percentage / (_HUNDRED + percentage))
    return round_minor(Decimal(amount) * percentage / _HUNDRED)
