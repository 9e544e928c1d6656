"""Shipping zones in the single table.

Keys (see ``docs/data-model.md``):

- ``SHIPPING / ZONES``: every zone with its countries and rates, as one item. Zones are
  few and always read together (a cart needs "the zone of this country"; staff list them
  all), so one GetItem reads them, and one conditional PutItem guarded by ``version``
  changes them: "a country belongs to at most one zone" is then checked over the whole
  configuration at once, with no lookup items to keep in step and no transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import JSONAttribute, VersionAttribute
from pynamodb.exceptions import PutError

from commerce.db.table import TableItem
from commerce.money import Currency, Money
from commerce.shipping.model import RateKind, ShippingRate, ShippingZone, WeightBand

SHIPPING_PK = "SHIPPING"
ZONES_SK = "ZONES"


class ShippingZonesItem(TableItem, discriminator="ShippingZones"):
    """All shipping zones with their rates."""

    body = JSONAttribute()
    version = VersionAttribute()


@dataclass(frozen=True, slots=True)
class ZonesRecord:
    """The zones as stored, with the version a change must match (None: never stored)."""

    zones: tuple[ShippingZone, ...]
    version: int | None


class ZonesChanged(Exception):
    """Someone changed the zones since they were read; nothing was written."""


# -- conversions ---------------------------------------------------------------------------


def _money_to_json(prices: tuple[Money, ...]) -> dict[str, int]:
    return {p.currency.value: p.amount for p in prices}


def _money_from_json(raw: dict[str, Any]) -> tuple[Money, ...]:
    return tuple(Money(int(amount), Currency(code)) for code, amount in raw.items())


def _rate_to_json(rate: ShippingRate) -> dict[str, Any]:
    return {
        "id": rate.id,
        "title": rate.title,
        "kind": rate.kind.value,
        "prices": _money_to_json(rate.prices),
        "bands": [[b.up_to_grams, _money_to_json(b.prices)] for b in rate.weight_bands],
        "freeAbove": _money_to_json(rate.free_above),
    }


def _rate_from_json(raw: dict[str, Any]) -> ShippingRate:
    return ShippingRate(
        id=raw["id"],
        title=raw["title"],
        kind=RateKind(raw["kind"]),
        prices=_money_from_json(raw.get("prices", {})),
        weight_bands=tuple(
            WeightBand(int(grams), _money_from_json(prices)) for grams, prices in raw["bands"]
        ),
        free_above=_money_from_json(raw.get("freeAbove", {})),
    )


def _zone_to_json(zone: ShippingZone) -> dict[str, Any]:
    return {
        "id": zone.id,
        "name": zone.name,
        "countries": list(zone.countries),
        "rates": [_rate_to_json(r) for r in zone.rates],
    }


def _zone_from_json(raw: dict[str, Any]) -> ShippingZone:
    return ShippingZone(
        id=raw["id"],
        name=raw["name"],
        countries=tuple(raw["countries"]),
        rates=tuple(_rate_from_json(r) for r in raw.get("rates", [])),
    )


# -- reads and writes ----------------------------------------------------------------------


def get_zones_record(*, consistent: bool = True) -> ZonesRecord:
    """Every zone, from one GetItem; no zones when none was ever stored."""
    try:
        item = ShippingZonesItem.get(SHIPPING_PK, ZONES_SK, consistent_read=consistent)
    except ShippingZonesItem.DoesNotExist:
        return ZonesRecord((), None)
    zones = tuple(_zone_from_json(z) for z in item.body.get("zones", []))
    return ZonesRecord(zones, None if item.version is None else int(item.version))


def replace_zones(old: ZonesRecord, zones: tuple[ShippingZone, ...]) -> None:
    """Write ``zones`` over ``old`` if nobody changed them meanwhile; else ``ZonesChanged``."""
    item = ShippingZonesItem(
        pk=SHIPPING_PK, sk=ZONES_SK, body={"zones": [_zone_to_json(z) for z in zones]}
    )
    if old.version is not None:
        item.version = old.version
    # save() checks the version (or its absence, for the first write) and increments it.
    try:
        item.save()
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise ZonesChanged from None
        raise
