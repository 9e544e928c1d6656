"""Shipping input types and their conversion into the service's commands.

Malformed ids and amounts become problems at the field that holds them, so they come
back in ``userErrors`` with everything else that is wrong; an input with any of them
becomes no command.
"""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from commerce.graphql.inputs import InputErrors, Path
from commerce.graphql.money import MoneyInput
from commerce.money import Money
from commerce.shipping import commands, model
from commerce.shipping.api.types import ShippingRateKind
from commerce.shipping.errors import ShippingErrorCode as Code


@strawberry.input(description="A new shipping zone.")
class ShippingZoneCreateInput:
    name: str = strawberry.field(description="The zone's name, for staff.")
    countries: list[str] = strawberry.field(
        description="ISO 3166-1 alpha-2 codes; none may belong to another zone."
    )

    def to_command(self, errors: InputErrors) -> commands.ZoneDraft:
        return commands.ZoneDraft(self.name, tuple(self.countries))


@strawberry.input(description="Changes to a shipping zone; fields left out stay as they are.")
class ShippingZoneUpdateInput:
    id: strawberry.ID = strawberry.field(description="The zone.")
    name: str | None = strawberry.field(default=None, description="A new name.")
    countries: list[str] | None = strawberry.field(
        default=None, description="The zone's countries, replacing the old ones as a whole."
    )

    def to_command(self, errors: InputErrors) -> commands.ZoneChanges | None:
        zone_id = errors.id(self.id, "ShippingZone", "id")
        if zone_id is None:
            return None
        countries = None if self.countries is None else tuple(self.countries)
        return commands.ZoneChanges(zone_id, name=self.name, countries=countries)


@strawberry.input(description="The shipping zone or rate to delete.")
class ShippingDeleteInput:
    id: strawberry.ID = strawberry.field(description="The ShippingZone or ShippingRate id.")

    def to_command(self, errors: InputErrors, type_name: str) -> str | None:
        """The local id, when ``id`` names a ``type_name`` (the mutation says which)."""
        return errors.id(self.id, type_name, "id")


@strawberry.input(description="A weight band of a WEIGHT rate.")
class WeightBandInput:
    up_to_grams: int = strawberry.field(description="The band's upper limit in grams, inclusive.")
    prices: list[MoneyInput] = strawberry.field(description="The price in each currency.")


@strawberry.input(description="A new rate in a shipping zone.")
class ShippingRateCreateInput:
    zone_id: strawberry.ID = strawberry.field(description="The zone.")
    title: str = strawberry.field(description="What shoppers see, e.g. 'Standard (3-5 days)'.")
    kind: ShippingRateKind = strawberry.field(description="How the rate is priced.")
    prices: list[MoneyInput] = strawberry.field(
        default_factory=list, description="FLAT and FREE_ABOVE: the price in each currency."
    )
    weight_bands: list[WeightBandInput] = strawberry.field(
        default_factory=list, description="WEIGHT: bands with distinct limits."
    )
    free_above: list[MoneyInput] = strawberry.field(
        default_factory=list, description="FREE_ABOVE: the free-shipping threshold per currency."
    )

    def to_command(self, errors: InputErrors) -> commands.RateDraft | None:
        zone_id = errors.id(self.zone_id, "ShippingZone", "zoneId")
        prices = _prices(errors, self.prices, "prices")
        bands = _weight_bands(errors, self.weight_bands)
        free_above = _prices(errors, self.free_above, "freeAbove")
        if zone_id is None or prices is None or bands is None or free_above is None:
            return None
        return commands.RateDraft(zone_id, self.title, self.kind, prices, bands, free_above)


@strawberry.input(description="Changes to a rate; each list given replaces the old one.")
class ShippingRateUpdateInput:
    id: strawberry.ID = strawberry.field(description="The rate.")
    title: str | None = strawberry.field(default=None, description="A new title.")
    kind: ShippingRateKind | None = strawberry.field(default=None, description="A new kind.")
    prices: list[MoneyInput] | None = strawberry.field(default=None, description="New prices.")
    weight_bands: list[WeightBandInput] | None = strawberry.field(
        default=None, description="New weight bands."
    )
    free_above: list[MoneyInput] | None = strawberry.field(
        default=None, description="New free-shipping thresholds."
    )

    def to_command(self, errors: InputErrors) -> commands.RateChanges | None:
        rate_id = errors.id(self.id, "ShippingRate", "id")
        prices = None if self.prices is None else _prices(errors, self.prices, "prices")
        bands = None if self.weight_bands is None else _weight_bands(errors, self.weight_bands)
        free_above = (
            None if self.free_above is None else _prices(errors, self.free_above, "freeAbove")
        )
        if rate_id is None or errors:
            return None
        return commands.RateChanges(
            rate_id,
            title=self.title,
            kind=self.kind,
            prices=prices,
            weight_bands=bands,
            free_above=free_above,
        )


def _prices(
    errors: InputErrors, values: Sequence[MoneyInput], at: Path
) -> tuple[Money, ...] | None:
    """Money inputs in minor units; too many decimals are ``INVALID`` at their amount."""
    return errors.amounts(values, at, Code.INVALID)


def _weight_bands(
    errors: InputErrors, values: Sequence[WeightBandInput]
) -> tuple[model.WeightBand, ...] | None:
    """Weight bands in the service's terms; None when any price is not convertible."""
    converted = [
        _prices(errors, band.prices, ("weightBands", str(i), "prices"))
        for i, band in enumerate(values)
    ]
    if any(prices is None for prices in converted):
        return None
    return tuple(
        model.WeightBand(band.up_to_grams, prices)
        for band, prices in zip(values, converted, strict=True)
        if prices is not None
    )
