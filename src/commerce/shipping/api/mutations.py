"""Staff changes to shipping zones and rates. Every mutation needs the admin scope.

Each takes one ``input`` and returns a payload with the result and ``userErrors``; a
refused change writes nothing.
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.inputs import InputErrors
from commerce.graphql.permissions import ADMIN
from commerce.graphql.use_cases import Outcome, run_use_case
from commerce.shipping import model
from commerce.shipping.api.inputs import (
    ShippingDeleteInput,
    ShippingRateCreateInput,
    ShippingRateUpdateInput,
    ShippingZoneCreateInput,
    ShippingZoneUpdateInput,
)
from commerce.shipping.api.types import (
    ShippingRate,
    ShippingUserError,
    ShippingZone,
    zone_global_id,
)
from commerce.shipping.errors import ShippingErrorCode as Code


@strawberry.type(description="The result of creating or changing a shipping zone.")
class ShippingZonePayload:
    shipping_zone: ShippingZone | None = strawberry.field(description="The zone, when it worked.")
    user_errors: list[ShippingUserError] = strawberry.field(description="Why it did not.")

    @classmethod
    def of(cls, outcome: Outcome[model.ShippingZone]) -> ShippingZonePayload:
        return cls(
            shipping_zone=outcome.map(ShippingZone.from_domain),
            user_errors=ShippingUserError.list_of(outcome.problems),
        )


@strawberry.type(description="The result of deleting a shipping zone.")
class ShippingZoneDeletePayload:
    deleted_shipping_zone_id: strawberry.ID | None = strawberry.field(description="The deleted id.")
    user_errors: list[ShippingUserError] = strawberry.field(description="Why it did not work.")

    @classmethod
    def of(cls, outcome: Outcome[str]) -> ShippingZoneDeletePayload:
        return cls(
            deleted_shipping_zone_id=outcome.map(lambda i: strawberry.ID(zone_global_id(i))),
            user_errors=ShippingUserError.list_of(outcome.problems),
        )


@strawberry.type(description="The result of creating or changing a shipping rate.")
class ShippingRatePayload:
    shipping_rate: ShippingRate | None = strawberry.field(description="The rate, when it worked.")
    shipping_zone: ShippingZone | None = strawberry.field(description="Its zone, as it is now.")
    user_errors: list[ShippingUserError] = strawberry.field(description="Why it did not.")

    @classmethod
    def of(
        cls, outcome: Outcome[tuple[model.ShippingZone, model.ShippingRate]]
    ) -> ShippingRatePayload:
        return cls(
            shipping_rate=outcome.map(lambda r: ShippingRate.from_domain(r[1])),
            shipping_zone=outcome.map(lambda r: ShippingZone.from_domain(r[0])),
            user_errors=ShippingUserError.list_of(outcome.problems),
        )


@strawberry.type(description="The result of deleting a shipping rate.")
class ShippingRateDeletePayload:
    deleted_shipping_rate_id: strawberry.ID | None = strawberry.field(description="The deleted id.")
    shipping_zone: ShippingZone | None = strawberry.field(description="Its zone, as it is now.")
    user_errors: list[ShippingUserError] = strawberry.field(description="Why it did not work.")

    @classmethod
    def of(
        cls, outcome: Outcome[model.ShippingZone], rate_id: strawberry.ID
    ) -> ShippingRateDeletePayload:
        """The zone the rate ``rate_id`` was deleted from, or why it was not."""
        return cls(
            deleted_shipping_rate_id=outcome.map(lambda _: rate_id),
            shipping_zone=outcome.map(ShippingZone.from_domain),
            user_errors=ShippingUserError.list_of(outcome.problems),
        )


@strawberry.type
class ShippingMutation:
    @strawberry.mutation(
        description="Create a shipping zone: a name and countries no other zone has.",
        permission_classes=ADMIN,
    )
    async def shipping_zone_create(
        self, info: Info[Context, None], input: ShippingZoneCreateInput
    ) -> ShippingZonePayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        shipping = info.context.services.shipping
        return ShippingZonePayload.of(
            await run_use_case(info, errors, command, shipping.create_zone)
        )

    @strawberry.mutation(
        description="Rename a shipping zone or replace its countries.", permission_classes=ADMIN
    )
    async def shipping_zone_update(
        self, info: Info[Context, None], input: ShippingZoneUpdateInput
    ) -> ShippingZonePayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        shipping = info.context.services.shipping
        return ShippingZonePayload.of(
            await run_use_case(info, errors, command, shipping.update_zone)
        )

    @strawberry.mutation(
        description="Delete a shipping zone with its rates; its countries get no shipping.",
        permission_classes=ADMIN,
    )
    async def shipping_zone_delete(
        self, info: Info[Context, None], input: ShippingDeleteInput
    ) -> ShippingZoneDeletePayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors, "ShippingZone")
        shipping = info.context.services.shipping
        return ShippingZoneDeletePayload.of(
            await run_use_case(info, errors, command, shipping.delete_zone)
        )

    @strawberry.mutation(description="Add a rate to a shipping zone.", permission_classes=ADMIN)
    async def shipping_rate_create(
        self, info: Info[Context, None], input: ShippingRateCreateInput
    ) -> ShippingRatePayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        shipping = info.context.services.shipping
        return ShippingRatePayload.of(
            await run_use_case(info, errors, command, shipping.create_rate)
        )

    @strawberry.mutation(
        description="Change a shipping rate; the result must be a valid rate of its kind.",
        permission_classes=ADMIN,
    )
    async def shipping_rate_update(
        self, info: Info[Context, None], input: ShippingRateUpdateInput
    ) -> ShippingRatePayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        shipping = info.context.services.shipping
        return ShippingRatePayload.of(
            await run_use_case(info, errors, command, shipping.update_rate)
        )

    @strawberry.mutation(
        description="Delete a shipping rate; carts that chose it are asked to choose again.",
        permission_classes=ADMIN,
    )
    async def shipping_rate_delete(
        self, info: Info[Context, None], input: ShippingDeleteInput
    ) -> ShippingRateDeletePayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors, "ShippingRate")
        shipping = info.context.services.shipping
        return ShippingRateDeletePayload.of(
            await run_use_case(info, errors, command, shipping.delete_rate), input.id
        )
