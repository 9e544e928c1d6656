"""Staff's view of what promotions may target about a customer: tags, segments, purchases.

Staff only: a customer's tags ("vip", "wholesale") and segments are the shop's
judgement of them, not part of the account they manage themselves.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from commerce.customers import model
from commerce.customers.api.types import CustomerUserError, customer_global_id, user_errors
from commerce.customers.errors import CustomerErrorCode as Code
from commerce.graphql.context import Context
from commerce.graphql.ids import local_id_or_none, local_id_or_problem
from commerce.graphql.permissions import IsAdmin
from commerce.problems import Problem, Rejected

ADMIN: list[type[BasePermission]] = [IsAdmin]


@strawberry.type(
    name="CustomerMarketing",
    description=(
        "What promotions may target about a customer: staff tags, the segments derived "
        "from their profile and purchases, and whether their next order is their first."
    ),
)
class CustomerMarketingType:
    customer_id: strawberry.ID = strawberry.field(description="The customer's id.")
    tags: list[str] = strawberry.field(description="Staff tags, lower-cased, sorted.")
    segments: list[str] = strawberry.field(
        description=(
            "Derived segments, sorted: first-time or returning, loyal (5+ paid orders), "
            "country:<code>, age:<band>, gender:<value>."
        )
    )
    paid_orders: int = strawberry.field(description="Orders paid so far.")
    last_paid_at: datetime | None = strawberry.field(description="When the last one was paid.")
    first_order: bool = strawberry.field(
        description="Whether the next paid order is the first (first-order promotions)."
    )

    @classmethod
    def from_domain(cls, found: model.CustomerMarketing) -> CustomerMarketingType:
        return cls(
            customer_id=strawberry.ID(customer_global_id(found.customer_id)),
            tags=sorted(found.tags),
            segments=sorted(found.segments),
            paid_orders=found.history.paid_orders,
            last_paid_at=found.history.last_paid_at,
            first_order=found.first_order,
        )


@strawberry.input(description="Tags to add to and remove from one customer.")
class CustomerTagsUpdateInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer.")
    add: list[str] = strawberry.field(
        default_factory=list,
        description="Tags to add: letters, digits, spaces and -_.: (lower-cased).",
    )
    remove: list[str] = strawberry.field(default_factory=list, description="Tags to remove.")


@strawberry.type(description="The result of customerTagsUpdate.")
class CustomerTagsUpdatePayload:
    marketing: CustomerMarketingType | None = strawberry.field(
        description="The customer's tags and segments now, when it worked."
    )
    user_errors: list[CustomerUserError] = strawberry.field(description="Why it did not.")


@strawberry.type
class CustomerMarketingQuery:
    @strawberry.field(
        description="A customer's tags, segments and purchase counts (staff only).",
        permission_classes=ADMIN,
    )
    async def customer_marketing(
        self, info: Info[Context, None], customer_id: strawberry.ID
    ) -> CustomerMarketingType | None:
        local = local_id_or_none(customer_id, "Customer")
        if local is None:
            return None
        found = await info.context.run(info.context.services.customer_marketing.marketing, local)
        return None if found is None else CustomerMarketingType.from_domain(found)


@strawberry.type
class CustomerMarketingMutation:
    @strawberry.mutation(
        description=(
            "Add and remove a customer's tags (staff only); promotions may be limited to "
            "customers with a tag."
        ),
        permission_classes=ADMIN,
    )
    async def customer_tags_update(
        self, info: Info[Context, None], input: CustomerTagsUpdateInput
    ) -> CustomerTagsUpdatePayload:
        problems: list[Problem] = []
        local = local_id_or_problem(
            input.customer_id, "Customer", ("customerId",), problems, Code.CUSTOMER_NOT_FOUND
        )
        if problems:
            return CustomerTagsUpdatePayload(
                marketing=None, user_errors=user_errors(Rejected(problems))
            )
        marketing = info.context.services.customer_marketing
        try:
            found = await info.context.run(marketing.update_tags, local, input.add, input.remove)
        except Rejected as rejected:
            return CustomerTagsUpdatePayload(marketing=None, user_errors=user_errors(rejected))
        return CustomerTagsUpdatePayload(
            marketing=CustomerMarketingType.from_domain(found), user_errors=[]
        )
