"""Staff changes to shipping zones and rates. Every mutation needs the admin scope.

Each takes one ``input`` and returns a payload with the result and ``userErrors``; a
refused change writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.permissions import IsAdmin
from commerce.problems import Problem, Rejected
from commerce.shipping import commands, model
from commerce.shipping.api import inputs
from commerce.shipping.api.inputs import (
    ShippingDeleteInput,
    ShippingRateCreateInput,
    ShippingRateUpdateInput,
    ShippingZoneCreateInput,
    ShippingZoneUpdateInput,
)
from commerce.shipping.api.types import ShippingRate, ShippingUserError, ShippingZone

T = TypeVar("T")
ADMIN: list[type[BasePermission]] = [IsAdmin]


@strawberry.type(description="The result of creating or changing a shipping zone.")
class ShippingZonePayload:
    shipping_zone: ShippingZone | None = strawberry.field(description="The zone, when it worked.")
    user_errors: list[ShippingUserError] = strawberry.field(description="Why it did not.")


@strawberry.type(description="The result of deleting a shipping zone.")
class ShippingZoneDeletePayload:
    deleted_shipping_zone_id: strawberry.ID | None = strawberry.field(description="The deleted id.")
    user_errors: list[ShippingUserError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="The result of creating or changing a shipping rate.")
class ShippingRatePayload:
    shipping_rate: ShippingRate | None = strawberry.field(description="The rate, when it worked.")
    shipping_zone: ShippingZone | None = strawberry.field(description="Its zone, as it is now.")
    user_errors: list[ShippingUserError] = strawberry.field(description="Why it did not.")


@strawberry.type(description="The result of deleting a shipping rate.")
class ShippingRateDeletePayload:
    deleted_shipping_rate_id: strawberry.ID | None = strawberry.field(description="The deleted id.")
    shipping_zone: ShippingZone | None = strawberry.field(description="Its zone, as it is now.")
    user_errors: list[ShippingUserError] = strawberry.field(description="Why it did not work.")


async def _attempt(
    info: Info[Context, None], problems: list[Problem], work: Callable[[], T]
) -> T | list[ShippingUserError]:
    """Run ``work`` unless the input was refused already; its result, or the userErrors."""
    try:
        if problems:
            raise Rejected(problems)
        return await info.context.run(work)
    except Rejected as rejected:
        return [ShippingUserError.from_problem(p) for p in rejected.problems]


def _rate_payload(
    result: tuple[model.ShippingZone, model.ShippingRate] | list[ShippingUserError],
) -> ShippingRatePayload:
    if isinstance(result, list):
        return ShippingRatePayload(shipping_rate=None, shipping_zone=None, user_errors=result)
    zone, rate = result
    return ShippingRatePayload(
        shipping_rate=ShippingRate.from_domain(rate),
        shipping_zone=ShippingZone.from_domain(zone),
        user_errors=[],
    )


def _zone_payload(result: model.ShippingZone | list[ShippingUserError]) -> ShippingZonePayload:
    if isinstance(result, list):
        return ShippingZonePayload(shipping_zone=None, user_errors=result)
    return ShippingZonePayload(shipping_zone=ShippingZone.from_domain(result), user_errors=[])


@strawberry.type
class ShippingMutation:
    @strawberry.mutation(
        description="Create a shipping zone: a name and countries no other zone has.",
        permission_classes=ADMIN,
    )
    async def shipping_zone_create(
        self, info: Info[Context, None], input: ShippingZoneCreateInput
    ) -> ShippingZonePayload:
        draft = commands.ZoneDraft(input.name, tuple(input.countries))
        service = info.context.services.shipping
        return _zone_payload(await _attempt(info, [], lambda: service.create_zone(draft)))

    @strawberry.mutation(
        description="Rename a shipping zone or replace its countries.", permission_classes=ADMIN
    )
    async def shipping_zone_update(
        self, info: Info[Context, None], input: ShippingZoneUpdateInput
    ) -> ShippingZonePayload:
        problems: list[Problem] = []
        zone_id = inputs.local_id(input.id, "ShippingZone", "id", problems)
        changes = commands.ZoneChanges(
            name=input.name,
            countries=None if input.countries is None else tuple(input.countries),
        )
        service = info.context.services.shipping
        return _zone_payload(
            await _attempt(info, problems, lambda: service.update_zone(zone_id, changes))
        )

    @strawberry.mutation(
        description="Delete a shipping zone with its rates; its countries get no shipping.",
        permission_classes=ADMIN,
    )
    async def shipping_zone_delete(
        self, info: Info[Context, None], input: ShippingDeleteInput
    ) -> ShippingZoneDeletePayload:
        problems: list[Problem] = []
        zone_id = inputs.local_id(input.id, "ShippingZone", "id", problems)
        service = info.context.services.shipping
        result = await _attempt(info, problems, lambda: service.delete_zone(zone_id))
        if isinstance(result, list):
            return ShippingZoneDeletePayload(deleted_shipping_zone_id=None, user_errors=result)
        return ShippingZoneDeletePayload(deleted_shipping_zone_id=input.id, user_errors=[])

    @strawberry.mutation(description="Add a rate to a shipping zone.", permission_classes=ADMIN)
    async def shipping_rate_create(
        self, info: Info[Context, None], input: ShippingRateCreateInput
    ) -> ShippingRatePayload:
        problems: list[Problem] = []
        zone_id = inputs.local_id(input.zone_id, "ShippingZone", "zoneId", problems)
        draft = commands.RateDraft(
            title=input.title,
            kind=input.kind,
            prices=inputs.prices(input.prices, ("prices",), problems),
            weight_bands=inputs.weight_bands(input.weight_bands, problems),
            free_above=inputs.prices(input.free_above, ("freeAbove",), problems),
        )
        service = info.context.services.shipping
        return _rate_payload(
            await _attempt(info, problems, lambda: service.create_rate(zone_id, draft))
        )

    @strawberry.mutation(
        description="Change a shipping rate; the result must be a valid rate of its kind.",
        permission_classes=ADMIN,
    )
    async def shipping_rate_update(
        self, info: Info[Context, None], input: ShippingRateUpdateInput
    ) -> ShippingRatePayload:
        problems: list[Problem] = []
        rate_id = inputs.local_id(input.id, "ShippingRate", "id", problems)
        changes = commands.RateChanges(
            title=input.title,
            kind=input.kind,
            prices=None
            if input.prices is None
            else inputs.prices(input.prices, ("prices",), problems),
            weight_bands=None
            if input.weight_bands is None
            else inputs.weight_bands(input.weight_bands, problems),
            free_above=None
            if input.free_above is None
            else inputs.prices(input.free_above, ("freeAbove",), problems),
        )
        service = info.context.services.shipping
        return _rate_payload(
            await _attempt(info, problems, lambda: service.update_rate(rate_id, changes))
        )

    @strawberry.mutation(
        description="Delete a shipping rate; carts that chose it are asked to choose again.",
        permission_classes=ADMIN,
    )
    async def shipping_rate_delete(
        self, info: Info[Context, None], input: ShippingDeleteInput
    ) -> ShippingRateDeletePayload:
        problems: list[Problem] = []
        rate_id = inputs.local_id(input.id, "ShippingRate", "id", problems)
        service = info.context.services.shipping
        result = await _attempt(info, problems, lambda: service.delete_rate(rate_id))
        if isinstance(result, list):
            return ShippingRateDeletePayload(
                deleted_shipping_rate_id=None, shipping_zone=None, user_errors=result
            )
        return ShippingRateDeletePayload(
            deleted_shipping_rate_id=input.id,
            shipping_zone=ShippingZone.from_domain(result),
            user_errors=[],
        )
