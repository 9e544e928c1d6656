"""Staff reads of shipping zones."""

from __future__ import annotations

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.permissions import IsAdmin
from commerce.shipping.api.types import ShippingZone

ADMIN: list[type[BasePermission]] = [IsAdmin]


@strawberry.type
class ShippingQuery:
    @strawberry.field(
        description="Every shipping zone with its countries and rates (staff only).",
        permission_classes=ADMIN,
    )
    async def shipping_zones(self, info: Info[Context, None]) -> list[ShippingZone]:
        zones = await info.context.run(info.context.services.shipping.zones)
        return [ShippingZone.from_domain(z) for z in zones]
