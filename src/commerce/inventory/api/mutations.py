"""Staff changes to stock levels; each needs the admin scope and says why."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.inputs import InputErrors
from commerce.graphql.permissions import ADMIN
from commerce.graphql.use_cases import Outcome, run_use_case
from commerce.inventory.api.types import InventoryLevel, InventoryUserError
from commerce.inventory.commands import AdjustLevel, SetLevel
from commerce.inventory.errors import InventoryErrorCode as Code
from commerce.inventory.model import StockLevel, check_adjustment, check_set


@strawberry.input(description="A stock count: the level becomes exactly this.")
class InventorySetInput:
    variant_id: strawberry.ID = strawberry.field(description="The physical ProductVariant.")
    available: int = strawberry.field(description="Units available for sale from now on.")
    reason: str = strawberry.field(description='Why, e.g. "stock count 2026-11-23".')

    def to_command(self, errors: InputErrors) -> SetLevel | None:
        variant = errors.variant(self.variant_id, "variantId")
        valid = errors.check(check_set(self.available, self.reason))
        if variant is None or not valid:
            return None
        return SetLevel(variant, self.available, self.reason)


@strawberry.input(description="Units received or lost: the level moves by this much.")
class InventoryAdjustInput:
    variant_id: strawberry.ID = strawberry.field(description="The physical ProductVariant.")
    delta: int = strawberry.field(description="Units to add; negative to remove.")
    reason: str = strawberry.field(description='Why, e.g. "delivery from printer".')

    def to_command(self, errors: InputErrors) -> AdjustLevel | None:
        variant = errors.variant(self.variant_id, "variantId")
        valid = errors.check(check_adjustment(self.delta, self.reason))
        if variant is None or not valid:
            return None
        return AdjustLevel(variant, self.delta, self.reason)


@strawberry.type(description="The result of a stock change.")
class InventoryPayload:
    inventory_level: InventoryLevel | None = strawberry.field(
        description="The level as it is now, when it worked."
    )
    user_errors: list[InventoryUserError] = strawberry.field(description="Why it did not.")

    @classmethod
    def of(cls, outcome: Outcome[StockLevel]) -> InventoryPayload:
        return cls(
            inventory_level=outcome.map(InventoryLevel.from_domain),
            user_errors=InventoryUserError.list_of(outcome.problems),
        )


def actor_of(ctx: Context) -> str:
    """Who acts, as history records it."""
    principal = ctx.principal
    return f"{principal.kind.value}:{principal.id or '-'}"


@strawberry.type
class InventoryMutation:
    @strawberry.mutation(
        description="Set a physical variant's stock to a counted level (admin).",
        permission_classes=ADMIN,
    )
    async def inventory_set(
        self, info: Info[Context, None], input: InventorySetInput
    ) -> InventoryPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        inventory, actor = info.context.services.inventory, actor_of(info.context)
        return InventoryPayload.of(
            await run_use_case(info, errors, command, lambda c: inventory.set_level(c, actor))
        )

    @strawberry.mutation(
        description="Add or remove units of a physical variant's stock (admin).",
        permission_classes=ADMIN,
    )
    async def inventory_adjust(
        self, info: Info[Context, None], input: InventoryAdjustInput
    ) -> InventoryPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        inventory, actor = info.context.services.inventory, actor_of(info.context)
        return InventoryPayload.of(
            await run_use_case(info, errors, command, lambda c: inventory.adjust(c, actor))
        )
