"""Shipping input types and their conversion into the service's terms.

Malformed ids and amounts become problems at the field that holds them, so they come
back in ``userErrors`` with everything else that is wrong.
"""

from __future__ import annotations

import strawberry

from commerce.graphql.ids import local_id_or_problem
from commerce.graphql.money import MoneyInput, amounts_or_problems
from commerce.money import Money
from commerce.problems import Problem
from commerce.shipping import model
from commerce.shipping.api.types import ShippingRateKind
from commerce.shipping.errors import ShippingErrorCode as Code


@strawberry.input(description="A new shipping zone.")
class ShippingZoneCreateInput:
    name: str = strawberry.field(description="The zone's name, for staff.")
    countries: list[str] = strawberry.field(
        description="ISO 3166-1 alpha-2 codes; none may belong to another zone."
    )


@strawberry.input(description="Changes to a shipping zone; fields left out stay as they are.")
class ShippingZoneUpdateInput:
    id: strawberry.ID = strawberry.field(description="The zone.")
    name: str | None = strawberry.field(default=None, description="A new name.")
    countries: list[str] | None = strawberry.field(
        default=None, description="The zone's countries, replacing the old ones as a whole."
    )


@strawberry.input(description="The shipping zone or rate to delete.")
class ShippingDeleteInput:
    id: strawberry.ID = strawberry.field(description="The ShippingZone or ShippingRate id.")


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


def local_id(global_id: str, type_name: str, field: str, problems: list[Problem]) -> str:
    """The local id inside a global id; an ``INVALID_ID`` problem when it is not one."""
    return local_id_or_problem(global_id, type_name, (field,), problems, Code.INVALID_ID)


def prices(
    values: list[MoneyInput], field: tuple[str, ...], problems: list[Problem]
) -> tuple[Money, ...]:
    """Money inputs in minor units; too many decimals become ``INVALID`` problems."""
    return amounts_or_problems(values, field, problems, Code.INVALID)


def weight_bands(
    values: list[WeightBandInput], problems: list[Problem]
) -> tuple[model.WeightBand, ...]:
    """Weight bands in the service's terms."""
    return tuple(
        model.WeightBand(
            band.up_to_grams, prices(band.prices, ("weightBands", str(i), "prices"), problems)
        )
        for i, band in enumerate(values)
    )
