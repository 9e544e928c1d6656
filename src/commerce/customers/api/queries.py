"""The logged-in customer's own account."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.customers.api.marketing import CustomerMarketingQuery
from commerce.customers.api.segments import CustomerSegmentQuery
from commerce.customers.api.types import Customer
from commerce.graphql.context import Context
from commerce.graphql.permissions import CUSTOMER


@strawberry.type
class CustomerQuery(CustomerMarketingQuery, CustomerSegmentQuery):
    @strawberry.field(
        description=(
            "The customer of the bearer token: profile, addresses and cart. There is no way "
            "to read another customer's account."
        ),
        permission_classes=CUSTOMER,
    )
    async def customer(self, info: Info[Context, None]) -> Customer | None:
        me = info.context.principal.customer_id
        assert me is not None  # CUSTOMER let the request through
        found = await info.context.run(info.context.services.customers.customer, me)
        return None if found is None else Customer.from_domain(found)
