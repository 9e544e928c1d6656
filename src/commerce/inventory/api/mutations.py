"""Staff changes to stock levels; each needs the admin scope and says why."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.ids import local_id_or_none
from commerce.graphql.permissions import IsAdmin
from commerce.inventory.api.types import InventoryLevel, InventoryUserError
from commerce.inventory.errors import InventoryErrorCode as Code
from commerce.inventory.model import StockLevel
from commerce.problems import Problem, Rejected

ADMIN: list[type[BasePermission]] = [IsAdmin]


@strawberry.input(description="A stock count: the level becomes exactly this.")
class InventorySetInput:
    variant_id: strawberry.ID = strawberry.field(description="The physical ProductVariant.")
    available: int = strawberry.field(description="Units available for sale from now on.")
    reason: str = strawberry.field(description='Why, e.g. "stock count 2026-11-23".')


@strawberry.input(description="Units received or lost: the level moves by this much.")
class InventoryAdjustInput:
    variant_id: strawberry.ID = strawberry.field(description="The physical ProductVariant.")
    delta: int = strawberry.field(description="Units to add; negative to remove.")
    reason: str = strawberry.field(description='Why, e.g. "delivery from printer".')


@strawberry.type(description="The result of a stock change.")
class InventoryPayload:
    inventory_level: InventoryLevel | None = strawberry.field(
        description="The level as it is now, when it worked."
    )
    user_errors: list[InventoryUserError] = strawberry.field(description="Why it did not.")


def variant_key(global_id: str) -> tuple[str, str] | None:
    """(product id, variant id) inside a ProductVariant id; None when it is not one."""
    local = local_id_or_none(global_id, "ProductVariant")
    if local is None:
        return None
    product_id, _, variant_id = local.partition(".")
    return (product_id, variant_id) if product_id and variant_id else None


def actor_of(ctx: Context) -> str:
    """Who acts, as history records it."""
    principal = ctx.principal
    return f"{principal.kind.value}:{principal.id or '-'}"


async def _change(
    info: Info[Context, None], global_id: str, work: Callable[[str, str], StockLevel]
) -> InventoryPayload:
    key = variant_key(global_id)
    if key is None:
        problem = Problem(Code.INVALID_ID, "Not a valid ProductVariant ID", ("variantId",))
        return InventoryPayload(inventory_level=None, user_errors=[_error(problem)])
    try:
        level = await info.context.run(work, *key)
    except Rejected as rejected:
        return InventoryPayload(
            inventory_level=None, user_errors=[_error(p) for p in rejected.problems]
        )
    return InventoryPayload(inventory_level=InventoryLevel.from_domain(level), user_errors=[])


def _error(problem: Problem) -> InventoryUserError:
    return InventoryUserError.from_problem(problem)


@strawberry.type
class InventoryMutation:
    @strawberry.mutation(
        description="Set a physical variant's stock to a counted level (admin).",
        permission_classes=ADMIN,
    )
    async def inventory_set(
        self, info: Info[Context, None], input: InventorySetInput
    ) -> InventoryPayload:
        inventory, actor = info.context.services.inventory, actor_of(info.context)
        return await _change(
            info,
            input.variant_id,
            lambda pid, vid: inventory.set_level(pid, vid, input.available, input.reason, actor),
        )

    @strawberry.mutation(
        description="Add or remove units of a physical variant's stock (admin).",
        permission_classes=ADMIN,
    )
    async def inventory_adjust(
        self, info: Info[Context, None], input: InventoryAdjustInput
    ) -> InventoryPayload:
        inventory, actor = info.context.services.inventory, actor_of(info.context)
        return await _change(
            info,
            input.variant_id,
            lambda pid, vid: inventory.adjust(pid, vid, input.delta, input.reason, actor),
        )
