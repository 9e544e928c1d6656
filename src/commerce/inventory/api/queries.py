"""Staff reads of stock levels and their history."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput, ClientError
from commerce.graphql.ids import variant_ref_or_none
from commerce.graphql.permissions import ADMIN
from commerce.inventory.api.types import InventoryLevel
from commerce.inventory.errors import InventoryErrorCode
from commerce.problems import Rejected


class StockNotTracked(ClientError):
    """A digital variant has no stock level to read."""

    code = InventoryErrorCode.STOCK_NOT_TRACKED.value


@strawberry.type
class InventoryQuery:
    @strawberry.field(
        description=(
            "A physical variant's stock level with its history (admin); null when there is "
            'no such variant. A digital variant answers an error with code "STOCK_NOT_TRACKED".'
        ),
        permission_classes=ADMIN,
    )
    async def inventory_level(
        self, info: Info[Context, None], variant_id: strawberry.ID
    ) -> InventoryLevel | None:
        key = variant_ref_or_none(variant_id)
        if key is None:
            raise BadUserInput(f"{variant_id!r} is not a valid ProductVariant ID", argument="id")
        try:
            level = await info.context.run(info.context.services.inventory.level, *key)
        except Rejected as rejected:
            problem = rejected.problems[0]
            if problem.code is InventoryErrorCode.STOCK_NOT_TRACKED:
                raise StockNotTracked(problem.message) from None
            return None
        return InventoryLevel.from_domain(level)
