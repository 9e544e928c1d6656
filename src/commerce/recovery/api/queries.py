"""Staff's recovery settings and results; a customer's devices and preferences."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.permissions import ADMIN, CUSTOMER
from commerce.recovery.api.types import (
    MessagingPreferences,
    PushDevice,
    RecoveryResultsType,
    RecoverySettingsType,
)


def signed_in_customer(info: Info[Context, None]) -> str:
    customer_id = info.context.principal.customer_id
    assert customer_id is not None  # the permission admits customers only
    return customer_id


@strawberry.type
class RecoveryQuery:
    @strawberry.field(
        description="Staff: how abandoned carts are followed up.", permission_classes=ADMIN
    )
    async def recovery_settings(self, info: Info[Context, None]) -> RecoverySettingsType:
        found = await info.context.run(info.context.services.recovery.settings)
        return RecoverySettingsType.from_domain(found)

    @strawberry.field(
        description=(
            "Staff: messages sent per channel, codes issued and used, recovered orders "
            "and their revenue."
        ),
        permission_classes=ADMIN,
    )
    async def recovery_results(self, info: Info[Context, None]) -> RecoveryResultsType:
        found = await info.context.run(info.context.services.recovery.results)
        return RecoveryResultsType.from_domain(found)

    @strawberry.field(
        description="The signed-in customer's app installations registered for push.",
        permission_classes=CUSTOMER,
    )
    async def push_devices(self, info: Info[Context, None]) -> list[PushDevice]:
        found = await info.context.run(
            info.context.services.recovery.devices, signed_in_customer(info)
        )
        return [PushDevice.from_domain(d) for d in found]

    @strawberry.field(
        description="How the signed-in customer would like to be reached.",
        permission_classes=CUSTOMER,
    )
    async def messaging_preferences(self, info: Info[Context, None]) -> MessagingPreferences:
        found = await info.context.run(
            info.context.services.recovery.preferences, signed_in_customer(info)
        )
        return MessagingPreferences.from_domain(found)
