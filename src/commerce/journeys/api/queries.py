"""Staff reads of journeys."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.ids import from_global_id
from commerce.graphql.permissions import ADMIN
from commerce.journeys.api.types import CustomerJourney


@strawberry.type
class JourneysQuery:
    @strawberry.field(
        description=(
            "Staff: a customer's journey, every stitched visitor's stored events oldest "
            "first, with the dwell time per product and per visit."
        ),
        permission_classes=ADMIN,
    )
    async def customer_journey(
        self, info: Info[Context, None], customer_id: strawberry.ID
    ) -> CustomerJourney:
        local = from_global_id(customer_id, "Customer")
        journey = await info.context.run(info.context.services.journeys.journey_of_customer, local)
        return CustomerJourney.from_domain(journey)
