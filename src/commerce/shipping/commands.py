"""What staff ask of shipping: plain inputs to ``service.py``'s use cases.

Fields left as ``None`` in a change mean "unchanged".
"""

from __future__ import annotations

from dataclasses import dataclass

from commerce.money import Money
from commerce.shipping.model import RateKind, WeightBand


@dataclass(frozen=True, slots=True)
class ZoneDraft:
    """A new zone."""

    name: str
    countries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ZoneChanges:
    """Changes to a zone; ``countries`` replaces the zone's countries as a whole."""

    zone_id: str
    name: str | None = None
    countries: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class RateDraft:
    """A new rate in a zone."""

    zone_id: str
    title: str
    kind: RateKind
    prices: tuple[Money, ...] = ()
    weight_bands: tuple[WeightBand, ...] = ()
    free_above: tuple[Money, ...] = ()


@dataclass(frozen=True, slots=True)
class RateChanges:
    """Changes to a rate; each given list replaces the rate's list as a whole."""

    rate_id: str
    title: str | None = None
    kind: RateKind | None = None
    prices: tuple[Money, ...] | None = None
    weight_bands: tuple[WeightBand, ...] | None = None
    free_above: tuple[Money, ...] | None = None
