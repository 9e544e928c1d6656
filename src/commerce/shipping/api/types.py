"""Shipping types as staff see them."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry

from commerce.graphql.ids import to_global_id
from commerce.graphql.money import Money
from commerce.graphql.relay import Node
from commerce.graphql.user_errors import UserError
from commerce.money import Money as DomainMoney
from commerce.shipping import model
from commerce.shipping.errors import ShippingErrorCode as DomainShippingErrorCode

ShippingRateKind = strawberry.enum(
    model.RateKind,
    name="ShippingRateKind",
    description=(
        "How a rate is priced: FLAT (one price per currency), WEIGHT (by the parcel's "
        "weight band), FREE_ABOVE (a flat price, free once the subtotal reaches a threshold)."
    ),
)
ShippingErrorCode = strawberry.enum(
    DomainShippingErrorCode,
    name="ShippingErrorCode",
    description="Why a shipping change was refused.",
)


def zone_global_id(zone_id: str) -> str:
    return to_global_id("ShippingZone", zone_id)


def rate_global_id(rate_id: str) -> str:
    return to_global_id("ShippingRate", rate_id)


@strawberry.type(
    description="Why a shipping change was refused, and which input field it concerns."
)
class ShippingUserError(UserError):
    code: ShippingErrorCode = strawberry.field(description="What is wrong, for programs.")


def _money(prices: Iterable[DomainMoney]) -> list[Money]:
    return [Money.from_domain(p) for p in prices]


@strawberry.type(
    description="Parcels up to a weight (above the previous band's) cost these prices."
)
class WeightBand:
    up_to_grams: int = strawberry.field(description="The band's upper limit in grams, inclusive.")
    prices: list[Money] = strawberry.field(description="The price in each currency.")


@strawberry.type(description="One way to ship within a zone, priced per currency.")
class ShippingRate(Node):
    id: strawberry.ID = strawberry.field(description="The rate's id.")
    title: str = strawberry.field(description="What shoppers see, e.g. 'Standard (3-5 days)'.")
    kind: ShippingRateKind = strawberry.field(description="How the rate is priced.")
    prices: list[Money] = strawberry.field(
        description="FLAT and FREE_ABOVE: the price in each currency (never converted)."
    )
    weight_bands: list[WeightBand] = strawberry.field(
        description="WEIGHT: the bands, lightest first; heavier parcels are not offered the rate."
    )
    free_above: list[Money] = strawberry.field(
        description="FREE_ABOVE: the subtotal from which shipping is free, per currency."
    )

    @classmethod
    def from_domain(cls, rate: model.ShippingRate) -> ShippingRate:
        bands = sorted(rate.weight_bands, key=lambda b: b.up_to_grams)
        return cls(
            id=strawberry.ID(rate_global_id(rate.id)),
            title=rate.title,
            kind=rate.kind,
            prices=_money(rate.prices),
            weight_bands=[
                WeightBand(up_to_grams=b.up_to_grams, prices=_money(b.prices)) for b in bands
            ],
            free_above=_money(rate.free_above),
        )


@strawberry.type(
    description="Countries that share shipping rates; a country is in at most one zone."
)
class ShippingZone(Node):
    id: strawberry.ID = strawberry.field(description="The zone's id.")
    name: str = strawberry.field(description="The zone's name, for staff.")
    countries: list[str] = strawberry.field(description="ISO 3166-1 alpha-2 country codes.")
    rates: list[ShippingRate] = strawberry.field(description="The rates offered in the zone.")

    @classmethod
    def from_domain(cls, zone: model.ShippingZone) -> ShippingZone:
        return cls(
            id=strawberry.ID(zone_global_id(zone.id)),
            name=zone.name,
            countries=list(zone.countries),
            rates=[ShippingRate.from_domain(r) for r in zone.rates],
        )
