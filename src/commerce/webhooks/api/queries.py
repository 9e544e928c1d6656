"""Reading endpoints and their delivery logs: staff any, a partner its own."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput
from commerce.graphql.ids import from_global_id, local_id_or_none
from commerce.webhooks.api.types import (
    ENDPOINT_TYPE,
    STAFF_OR_PARTNER,
    WebhookDeliveryConnection,
    WebhookEndpoint,
    caller_of,
    delivery_connection,
)

MAX_DELIVERIES_PAGE = 100


@strawberry.type
class WebhooksQuery:
    @strawberry.field(
        description=(
            "Your webhook endpoints, oldest first. Staff see the staff's endpoints, or a "
            "partner's with partnerId; a partner sees its own (partnerId is ignored)."
        ),
        permission_classes=STAFF_OR_PARTNER,
    )
    async def webhook_endpoints(
        self,
        info: Info[Context, None],
        partner_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Staff: this partner's.")
        ] = None,
    ) -> list[WebhookEndpoint]:
        caller = caller_of(info)
        partner = None
        if partner_id is not None and caller.staff:
            partner = local_id_or_none(partner_id, "Partner")
            if partner is None:
                raise BadUserInput(
                    f"{partner_id!r} is not a valid Partner ID", argument="partnerId"
                )
        found = await info.context.run(info.context.services.webhooks.endpoints, caller, partner)
        return [WebhookEndpoint.from_domain(e) for e in found]

    @strawberry.field(
        description="An endpoint's delivery log, newest first; null for an endpoint that is "
        "not yours.",
        permission_classes=STAFF_OR_PARTNER,
    )
    async def webhook_deliveries(
        self,
        info: Info[Context, None],
        endpoint_id: strawberry.ID,
        first: Annotated[
            int,
            strawberry.argument(description=f"Deliveries per page, 1 to {MAX_DELIVERIES_PAGE}."),
        ] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="Start after this cursor.")
        ] = None,
    ) -> WebhookDeliveryConnection | None:
        local = from_global_id(endpoint_id, ENDPOINT_TYPE)
        if not 1 <= first <= MAX_DELIVERIES_PAGE:
            raise BadUserInput(f"first must be 1 to {MAX_DELIVERIES_PAGE}", argument="first")
        webhooks = info.context.services.webhooks
        try:
            page = await info.context.run(webhooks.deliveries, local, caller_of(info), first, after)
        except ValueError:
            raise BadUserInput("after is not a cursor of this list", argument="after") from None
        return None if page is None else delivery_connection(page)
