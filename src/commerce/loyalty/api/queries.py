"""Loyalty reads: staff read the rules and any customer's points (customers read their
own through ``customer { loyalty }``)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.ids import local_id_or_none
from commerce.graphql.permissions import ADMIN
from commerce.loyalty.api.types import LoyaltyAccount, LoyaltySettings


@strawberry.type
class LoyaltyQuery:
    @strawberry.field(
        description="The store's loyalty rules (staff only).", permission_classes=ADMIN
    )
    async def loyalty_settings(self, info: Info[Context, None]) -> LoyaltySettings:
        found = await info.context.run(info.context.services.loyalty.settings)
        return LoyaltySettings.from_domain(found)

    @strawberry.field(
        description="A customer's points, tier and history (staff only); null for a bad id.",
        permission_classes=ADMIN,
    )
    async def loyalty_account(
        self, info: Info[Context, None], customer_id: strawberry.ID
    ) -> LoyaltyAccount | None:
        local = local_id_or_none(customer_id, "Customer")
        if local is None:
            return None
        found = await info.context.run(info.context.services.loyalty.account, local)
        return LoyaltyAccount.from_domain(found)
