"""Shipping use cases: staff manage zones and rates; carts ask for their zone.

Every change is a read-modify-write of the one zones item guarded by its version; a
change that loses a race is re-applied to the fresh zones a few times before
``CONCURRENT_UPDATE``. Carts read the zones through a short in-process cache (the same
freshness as the catalog view), dropped by this process's own changes.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from commerce.catalog.view_cache import ViewCache
from commerce.ids import new_id
from commerce.problems import Problem, Rejected
from commerce.shipping import rules, store
from commerce.shipping.commands import RateChanges, RateDraft, ZoneChanges, ZoneDraft
from commerce.shipping.errors import ShippingErrorCode as Code
from commerce.shipping.model import ShippingRate, ShippingZone, zone_for_country, zone_of_rate

T = TypeVar("T")
Zones = tuple[ShippingZone, ...]
MAX_ATTEMPTS = 5
_PAUSE_SECONDS = 0.005


def _not_found(what: str, field: str = "id") -> Rejected:
    return Rejected([Problem(Code.NOT_FOUND, f"No such {what}", (field,))])


def _normalized_countries(countries: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in countries)


class ShippingService:
    """Shipping zones and rates, over the single table."""

    def __init__(
        self, *, cache_seconds: float, pause: Callable[[float], None] = time.sleep
    ) -> None:
        self._pause = pause
        self._cache: ViewCache[Zones] = ViewCache(
            lambda: store.get_zones_record(consistent=False).zones,
            fresh_seconds=cache_seconds,
            stale_seconds=cache_seconds,
        )

    # -- reads -------------------------------------------------------------------------

    def zones(self) -> Zones:
        """Every zone as stored now (staff see their own changes at once)."""
        return store.get_zones_record().zones

    def zone(self, zone_id: str) -> ShippingZone | None:
        """One zone as stored now, if it exists."""
        return next((z for z in self.zones() if z.id == zone_id), None)

    def rate(self, rate_id: str) -> ShippingRate | None:
        """One rate as stored now, if it exists."""
        zone = zone_of_rate(self.zones(), rate_id)
        return None if zone is None else zone.rate(rate_id)

    def zone_for_country(self, country_code: str) -> ShippingZone | None:
        """The zone that ships to ``country_code``; from the cache while it is fresh."""
        return zone_for_country(self._cache.get(), country_code)

    # -- zones -------------------------------------------------------------------------

    def create_zone(self, draft: ZoneDraft) -> ShippingZone:
        """A new zone without rates; its countries must belong to no other zone."""
        zone = ShippingZone(new_id(), draft.name.strip(), _normalized_countries(draft.countries))
        problems = [
            *rules.check_name(draft.name, ("name",)),
            *rules.check_countries(zone.countries, ("countries",)),
        ]
        if problems:
            raise Rejected(problems)

        def edit(zones: Zones) -> tuple[Zones, ShippingZone]:
            found = rules.check_countries_free(zones, zone.id, zone.countries, ("countries",))
            if len(zones) >= rules.MAX_ZONES:
                found.append(Problem(Code.TOO_MANY, f"At most {rules.MAX_ZONES} zones"))
            if found:
                raise Rejected(found)
            return (*zones, zone), zone

        return self._change(edit)

    def update_zone(self, changes: ZoneChanges) -> ShippingZone:
        """Rename a zone or replace its countries."""
        zone_id = changes.zone_id
        countries = None
        problems: list[Problem] = []
        if changes.name is not None:
            problems += rules.check_name(changes.name, ("name",))
        if changes.countries is not None:
            countries = _normalized_countries(changes.countries)
            problems += rules.check_countries(countries, ("countries",))
        if problems:
            raise Rejected(problems)

        def edit(zones: Zones) -> tuple[Zones, ShippingZone]:
            zone = next((z for z in zones if z.id == zone_id), None)
            if zone is None:
                raise _not_found("shipping zone")
            if countries is not None:
                taken = rules.check_countries_free(zones, zone_id, countries, ("countries",))
                if taken:
                    raise Rejected(taken)
            changed = replace(
                zone,
                name=zone.name if changes.name is None else changes.name.strip(),
                countries=zone.countries if countries is None else countries,
            )
            return tuple(changed if z.id == zone_id else z for z in zones), changed

        return self._change(edit)

    def delete_zone(self, zone_id: str) -> str:
        """Remove a zone with its rates (its id is returned); carts in its countries lose
        their options."""

        def edit(zones: Zones) -> tuple[Zones, str]:
            if not any(z.id == zone_id for z in zones):
                raise _not_found("shipping zone")
            return tuple(z for z in zones if z.id != zone_id), zone_id

        return self._change(edit)

    # -- rates -------------------------------------------------------------------------

    def create_rate(self, draft: RateDraft) -> tuple[ShippingZone, ShippingRate]:
        """A new rate in a zone."""
        zone_id = draft.zone_id
        rate = ShippingRate(
            id=new_id(),
            title=draft.title.strip(),
            kind=draft.kind,
            prices=draft.prices,
            weight_bands=draft.weight_bands,
            free_above=draft.free_above,
        )
        problems = rules.check_rate(replace(rate, title=draft.title))
        if problems:
            raise Rejected(problems)

        def edit(zones: Zones) -> tuple[Zones, tuple[ShippingZone, ShippingRate]]:
            zone = next((z for z in zones if z.id == zone_id), None)
            if zone is None:
                raise _not_found("shipping zone", "zoneId")
            if len(zone.rates) >= rules.MAX_RATES_PER_ZONE:
                raise Rejected(
                    [Problem(Code.TOO_MANY, f"At most {rules.MAX_RATES_PER_ZONE} rates a zone")]
                )
            changed = replace(zone, rates=(*zone.rates, rate))
            return tuple(changed if z.id == zone_id else z for z in zones), (changed, rate)

        return self._change(edit)

    def update_rate(self, changes: RateChanges) -> tuple[ShippingZone, ShippingRate]:
        """Change a rate; the result must be a valid rate of its (possibly new) kind."""
        rate_id = changes.rate_id

        def edit(zones: Zones) -> tuple[Zones, tuple[ShippingZone, ShippingRate]]:
            zone = zone_of_rate(zones, rate_id)
            rate = None if zone is None else zone.rate(rate_id)
            if zone is None or rate is None:
                raise _not_found("shipping rate")
            changed = ShippingRate(
                id=rate.id,
                title=rate.title if changes.title is None else changes.title,
                kind=rate.kind if changes.kind is None else changes.kind,
                prices=rate.prices if changes.prices is None else changes.prices,
                weight_bands=(
                    rate.weight_bands if changes.weight_bands is None else changes.weight_bands
                ),
                free_above=rate.free_above if changes.free_above is None else changes.free_above,
            )
            problems = rules.check_rate(changed)
            if problems:
                raise Rejected(problems)
            changed = replace(changed, title=changed.title.strip())
            new_zone = replace(
                zone, rates=tuple(changed if r.id == rate_id else r for r in zone.rates)
            )
            return tuple(new_zone if z.id == zone.id else z for z in zones), (new_zone, changed)

        return self._change(edit)

    def delete_rate(self, rate_id: str) -> ShippingZone:
        """Remove a rate; carts that chose it are asked to choose again."""

        def edit(zones: Zones) -> tuple[Zones, ShippingZone]:
            zone = zone_of_rate(zones, rate_id)
            if zone is None:
                raise _not_found("shipping rate")
            changed = replace(zone, rates=tuple(r for r in zone.rates if r.id != rate_id))
            return tuple(changed if z.id == zone.id else z for z in zones), changed

        return self._change(edit)

    # -- helpers ---------------------------------------------------------------------

    def _change(self, edit: Callable[[Zones], tuple[Zones, T]]) -> T:
        """Apply ``edit`` to the current zones and store them, re-reading after a conflict."""
        for attempt in range(MAX_ATTEMPTS):
            record = store.get_zones_record()
            zones, result = edit(record.zones)
            try:
                store.replace_zones(record, zones)
            except store.ZonesChanged:
                self._pause(_PAUSE_SECONDS * (attempt + 1) * (1 + secrets.randbelow(100) / 100))
                continue
            self._cache.invalidate()
            return result
        raise Rejected(
            [Problem(Code.CONCURRENT_UPDATE, "Shipping is being changed elsewhere; retry")]
        )
