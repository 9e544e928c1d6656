"""Staff reads of shipping zones."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.permissions import ADMIN, IsAdmin
from commerce.graphql.relay import Node
from commerce.shipping.api.types import ShippingRate, ShippingZone


async def shipping_zone_node(info: Info[Context, None], zone_id: str) -> Node | None:
    """``node(id)`` for a ShippingZone: staff only, refused as ``shippingZones`` refuses."""
    IsAdmin().has_permission(None, info)
    found = await info.context.run(info.context.services.shipping.zone, zone_id)
    return None if found is None else ShippingZone.from_domain(found)


async def shipping_rate_node(info: Info[Context, None], rate_id: str) -> Node | None:
    """``node(id)`` for a ShippingRate: staff only, as the zones that hold rates."""
    IsAdmin().has_permission(None, info)
    found = await info.context.run(info.context.services.shipping.rate, rate_id)
    return None if found is None else ShippingRate.from_domain(found)


@strawberry.type
class ShippingQuery:
    @strawberry.field(
        description="Every shipping zone with its countries and rates (staff only).",
        permission_classes=ADMIN,
    )
    async def shipping_zones(self, info: Info[Context, None]) -> list[ShippingZone]:
        zones = await info.context.run(info.context.services.shipping.zones)
        return [ShippingZone.from_domain(z) for z in zones]
