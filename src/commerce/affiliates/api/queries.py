"""A partner's own portal; staff's reads of rules, bindings, partners' ledgers and payouts."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.affiliates.api.types import (
    PAYOUT_TYPE,
    AffiliateBinding,
    AffiliatePayout,
    AffiliateProgram,
    CommissionRule,
    PartnerPortal,
)
from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput
from commerce.graphql.ids import local_id_or_none
from commerce.graphql.permissions import ADMIN, PARTNER


def _local(global_id: str, type_name: str, argument: str) -> str:
    local = local_id_or_none(global_id, type_name)
    if local is None:
        raise BadUserInput(f"Not a valid {type_name} ID", argument=argument)
    return local


@strawberry.type
class AffiliatesQuery:
    @strawberry.field(
        description="The calling partner's program: its ledger, payouts, customers and feed.",
        permission_classes=PARTNER,
    )
    def partner_portal(self, info: Info[Context, None]) -> PartnerPortal:
        me = info.context.principal.id
        assert me is not None
        return PartnerPortal(partner_id=me)

    @strawberry.field(
        description="A partner's program as staff see it (the same fields as its portal).",
        permission_classes=ADMIN,
    )
    def affiliate_portal(
        self, info: Info[Context, None], partner_id: strawberry.ID
    ) -> PartnerPortal:
        return PartnerPortal(partner_id=_local(partner_id, "Partner", "partnerId"))

    @strawberry.field(
        description="The rule of a partner or of a group (give one); null when none is set.",
        permission_classes=ADMIN,
    )
    async def commission_rule(
        self,
        info: Info[Context, None],
        partner_id: strawberry.ID | None = None,
        group: str | None = None,
    ) -> CommissionRule | None:
        if (partner_id is None) == (group is None):
            raise BadUserInput("Give either partnerId or group", argument="partnerId")
        affiliates = info.context.services.affiliates
        partner = None if partner_id is None else _local(partner_id, "Partner", "partnerId")
        found = await info.context.run(affiliates.stored_rule, partner, group)
        return None if found is None else CommissionRule.from_domain(found)

    @strawberry.field(
        description="A partner's group and connected account.", permission_classes=ADMIN
    )
    async def affiliate_program(
        self, info: Info[Context, None], partner_id: strawberry.ID
    ) -> AffiliateProgram:
        partner = _local(partner_id, "Partner", "partnerId")
        found = await info.context.run(info.context.services.affiliates.program, partner)
        return AffiliateProgram.from_domain(found)

    @strawberry.field(
        description="The partner a customer is bound to; null when none.", permission_classes=ADMIN
    )
    async def affiliate_binding(
        self, info: Info[Context, None], customer_id: strawberry.ID
    ) -> AffiliateBinding | None:
        customer = _local(customer_id, "Customer", "customerId")
        found = await info.context.run(info.context.services.affiliates.binding, customer)
        return None if found is None else AffiliateBinding.from_domain(found)

    @strawberry.field(description="A payout by id; null when none.", permission_classes=ADMIN)
    async def affiliate_payout(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> AffiliatePayout | None:
        found = await info.context.run(
            info.context.services.affiliates.payout, _local(id, PAYOUT_TYPE, "id")
        )
        return None if found is None else AffiliatePayout.from_domain(found)

    @strawberry.field(
        description=(
            "A payout as CSV (one row per entry, then the total): what the bank or the "
            "accounting tool imports. Null when there is no such payout."
        ),
        permission_classes=ADMIN,
    )
    async def affiliate_payout_csv(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> str | None:
        return await info.context.run(
            info.context.services.affiliates.payout_csv, _local(id, PAYOUT_TYPE, "id")
        )
