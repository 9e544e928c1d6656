"""What staff ask of tax: plain inputs to ``service.py``'s use cases."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class TaxPlace:
    """A country, or one region of it (``region_code``), as staff typed it."""

    country_code: str
    region_code: str | None = None


@dataclass(frozen=True, slots=True)
class TaxRateSetting:
    """The percentage a place's tax rate is to be."""

    place: TaxPlace
    percentage: Decimal
