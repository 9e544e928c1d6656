"""Staff listings of keys and partners; a partner's view of its own account."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.access.api.types import ApiKey, Partner
from commerce.graphql.context import Context
from commerce.graphql.permissions import ADMIN, PARTNER


@strawberry.type
class AccessQuery:
    @strawberry.field(
        description="API keys, oldest first; with prefix, only that key. Staff only.",
        permission_classes=ADMIN,
    )
    async def api_keys(self, info: Info[Context, None], prefix: str | None = None) -> list[ApiKey]:
        found = await info.context.run(info.context.services.access.list_keys, prefix)
        return [ApiKey.from_domain(k) for k in found]

    @strawberry.field(
        description="Every partner, oldest first. Staff only.", permission_classes=ADMIN
    )
    async def partners(self, info: Info[Context, None]) -> list[Partner]:
        found = await info.context.run(info.context.services.access.partners)
        return [Partner.from_domain(p) for p in found]

    @strawberry.field(
        description="The partner calling (with one of its keys): its own account only.",
        permission_classes=PARTNER,
    )
    async def partner(self, info: Info[Context, None]) -> Partner | None:
        me = info.context.principal.id
        assert me is not None
        found = await info.context.run(info.context.services.access.partner, me)
        return None if found is None else Partner.from_domain(found)
