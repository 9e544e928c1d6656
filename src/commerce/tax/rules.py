"""Validation of tax input: pure functions that list every problem at once."""

from __future__ import annotations

import re
from decimal import Decimal

from commerce.countries import COUNTRY_CODES
from commerce.problems import Problem
from commerce.tax.errors import TaxErrorCode as Code
from commerce.tax.model import MAX_RATE, MAX_RATE_DECIMALS

# The part of an ISO 3166-2 code after the country and hyphen: 1 to 3 letters or digits.
_REGION = re.compile(r"^[A-Z0-9]{1,3}$")


def check_place(country_code: str, region_code: str) -> list[Problem]:
    """The country is ISO 3166-1 alpha-2; the region, when given, a subdivision code."""
    problems: list[Problem] = []
    if country_code not in COUNTRY_CODES:
        problems.append(
            Problem(
                Code.INVALID_COUNTRY,
                "Not an ISO 3166-1 alpha-2 country code, e.g. GB or US",
                ("countryCode",),
            )
        )
    if region_code and not _REGION.match(region_code):
        problems.append(
            Problem(
                Code.INVALID_REGION,
                "A region is the ISO 3166-2 code after the hyphen, e.g. CA for US-CA",
                ("regionCode",),
            )
        )
    return problems


def check_percentage(percentage: Decimal) -> list[Problem]:
    """0 to 100 percent, with at most ``MAX_RATE_DECIMALS`` decimals."""
    field = ("rate",)
    if not percentage.is_finite():
        return [Problem(Code.TOO_PRECISE, "A rate is a finite number", field)]
    if percentage < 0:
        return [Problem(Code.NEGATIVE, "A rate can't be negative", field)]
    if percentage > MAX_RATE:
        return [Problem(Code.TOO_LARGE, f"A rate is at most {MAX_RATE} percent", field)]
    exponent = percentage.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > MAX_RATE_DECIMALS:
        return [
            Problem(Code.TOO_PRECISE, f"A rate has at most {MAX_RATE_DECIMALS} decimals", field)
        ]
    return []
