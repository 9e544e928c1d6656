"""Validation of shipping input: pure functions that list every problem at once."""

from __future__ import annotations

from collections.abc import Sequence

from commerce.amounts import AmountCodes, check_amounts
from commerce.countries import COUNTRY_CODES
from commerce.money import Money
from commerce.problems import Problem
from commerce.shipping.errors import ShippingErrorCode as Code
from commerce.shipping.model import RateKind, ShippingRate, ShippingZone

MAX_NAME_LENGTH = 255
# All zones live in one item (see store.py): these keep it far below DynamoDB's 400 KB.
MAX_ZONES = 100
MAX_RATES_PER_ZONE = 20
MAX_WEIGHT_BANDS = 20
MAX_BAND_GRAMS = 1_000_000_000

_AMOUNT_CODES = AmountCodes(Code.DUPLICATE, Code.NEGATIVE, Code.TOO_LARGE)


def check_name(name: str, field: tuple[str, ...], what: str = "Name") -> list[Problem]:
    """Names and titles are required and bounded."""
    if not name.strip():
        return [Problem(Code.BLANK, f"{what} can't be blank", field)]
    if len(name) > MAX_NAME_LENGTH:
        return [Problem(Code.TOO_LONG, f"{what} is longer than {MAX_NAME_LENGTH}", field)]
    return []


def check_countries(countries: Sequence[str], field: tuple[str, ...]) -> list[Problem]:
    """At least one country, each an ISO 3166-1 alpha-2 code, none twice."""
    if not countries:
        return [Problem(Code.INVALID, "A zone has at least one country", field)]
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, code in enumerate(countries):
        at = (*field, str(i))
        if code not in COUNTRY_CODES:
            problems.append(
                Problem(Code.INVALID_COUNTRY, f"{code!r} is not an ISO 3166-1 alpha-2 code", at)
            )
        elif code in seen:
            problems.append(Problem(Code.DUPLICATE, f"{code} is given twice", at))
        seen.add(code)
    return problems


def check_countries_free(
    zones: Sequence[ShippingZone],
    zone_id: str,
    countries: Sequence[str],
    field: tuple[str, ...],
) -> list[Problem]:
    """No country of ``countries`` belongs to a zone other than ``zone_id``."""
    owners = {c: z for z in zones if z.id != zone_id for c in z.countries}
    return [
        Problem(
            Code.ZONE_COUNTRY_TAKEN,
            f"{code} already belongs to the zone {owners[code].name!r}",
            (*field, str(i)),
        )
        for i, code in enumerate(countries)
        if code in owners
    ]


def check_prices(prices: Sequence[Money], field: tuple[str, ...]) -> list[Problem]:
    """Amounts are not negative, bounded, one per currency."""
    return check_amounts(prices, field, _AMOUNT_CODES, "Amount")


def _absent(given: Sequence[object], field: str, kind: RateKind) -> list[Problem]:
    if not given:
        return []
    return [Problem(Code.INVALID, f"A {kind.value} rate takes no {field}", (field,))]


def _present(given: Sequence[object], field: str, kind: RateKind) -> list[Problem]:
    if given:
        return []
    return [Problem(Code.INVALID, f"A {kind.value} rate needs {field}", (field,))]


def check_rate(rate: ShippingRate) -> list[Problem]:
    """Everything that can be wrong with a rate on its own (fields named as in the API)."""
    kind = rate.kind
    problems = [
        *check_name(rate.title, ("title",), "Title"),
        *check_prices(rate.prices, ("prices",)),
        *check_prices(rate.free_above, ("freeAbove",)),
    ]
    if kind is RateKind.WEIGHT:
        problems += _present(rate.weight_bands, "weightBands", kind)
        problems += _absent(rate.prices, "prices", kind)
        problems += _absent(rate.free_above, "freeAbove", kind)
        problems += check_weight_bands(rate, ("weightBands",))
    else:
        problems += _present(rate.prices, "prices", kind)
        problems += _absent(rate.weight_bands, "weightBands", kind)
        if kind is RateKind.FREE_ABOVE:
            problems += _present(rate.free_above, "freeAbove", kind)
        else:
            problems += _absent(rate.free_above, "freeAbove", kind)
    return problems


def check_weight_bands(rate: ShippingRate, field: tuple[str, ...]) -> list[Problem]:
    """Bands have positive, distinct limits (two bands for one weight would overlap)."""
    problems: list[Problem] = []
    if len(rate.weight_bands) > MAX_WEIGHT_BANDS:
        problems.append(Problem(Code.TOO_MANY, f"At most {MAX_WEIGHT_BANDS} bands", field))
    seen: set[int] = set()
    for i, band in enumerate(rate.weight_bands):
        at = (*field, str(i))
        if not 0 < band.up_to_grams <= MAX_BAND_GRAMS:
            problems.append(
                Problem(
                    Code.INVALID,
                    f"A band's limit is 1 to {MAX_BAND_GRAMS} grams",
                    (*at, "upToGrams"),
                )
            )
        elif band.up_to_grams in seen:
            problems.append(
                Problem(
                    Code.OVERLAPPING_WEIGHT_BANDS,
                    f"Two bands end at {band.up_to_grams} g",
                    (*at, "upToGrams"),
                )
            )
        seen.add(band.up_to_grams)
        if not band.prices:
            problems.append(Problem(Code.INVALID, "A band needs a price", (*at, "prices")))
        problems += check_prices(band.prices, (*at, "prices"))
    return problems
