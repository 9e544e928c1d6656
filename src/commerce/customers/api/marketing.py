"""Staff's view of what promotions may target about a customer: tags, segments, purchases.

Staff only: a customer's tags ("vip", "wholesale") and segments are the shop's
judgement of them, not part of the account they manage themselves.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from commerce.customers import model, rules
from commerce.customers.api.types import CustomerUserError, customer_global_id
from commerce.customers.commands import UpdateTags
from commerce.customers.errors import CustomerErrorCode as Code
from commerce.graphql.context import Context
from commerce.graphql.ids import local_id_or_none
from commerce.graphql.inputs import InputErrors
from commerce.graphql.money import Money
from commerce.graphql.permissions import ADMIN
from commerce.graphql.use_cases import Outcome, run_use_case
from commerce.money import Money as DomainMoney
from commerce.problems import Problem


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
            "country:<code>, age:<band>, gender:<value>, and segment:<handle> for each "
            "rule segment (customerSegments) the customer is in now."
        )
    )
    paid_orders: int = strawberry.field(description="Orders paid so far.")
    last_paid_at: datetime | None = strawberry.field(description="When the last one was paid.")
    first_order: bool = strawberry.field(
        description="Whether the next paid order is the first (first-order promotions)."
    )
    lifetime_value: list[Money] = strawberry.field(
        description="What the customer paid, refunds taken off, per currency (by code)."
    )
    bought_series: list[str] = strawberry.field(
        description="Series the customer bought from (lower-cased, sorted)."
    )
    bought_authors: list[str] = strawberry.field(
        description="Authors the customer bought from (lower-cased, sorted)."
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
            lifetime_value=[
                Money.from_domain(DomainMoney(amount, currency))
                for currency, amount in sorted(
                    found.history.lifetime_value.items(), key=lambda kv: kv[0].value
                )
            ],
            bought_series=sorted(found.history.series),
            bought_authors=sorted(found.history.authors),
        )


@strawberry.input(description="Tags to add to and remove from one customer.")
class CustomerTagsUpdateInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer.")
    add: list[str] = strawberry.field(
        default_factory=list,
        description="Tags to add: letters, digits, spaces and -_.: (lower-cased).",
    )
    remove: list[str] = strawberry.field(default_factory=list, description="Tags to remove.")

    def to_command(self, errors: InputErrors) -> UpdateTags | None:
        customer_id = errors.id(self.customer_id, "Customer", "customerId")
        if customer_id is None:
            return None
        problems: list[Problem] = []
        adding = rules.normalize_tags(list(self.add), "add", problems)
        removing = rules.normalize_tags(list(self.remove), "remove", problems)
        return UpdateTags(customer_id, adding, removing) if errors.check(problems) else None


@strawberry.type(description="The result of customerTagsUpdate.")
class CustomerTagsUpdatePayload:
    marketing: CustomerMarketingType | None = strawberry.field(
        description="The customer's tags and segments now, when it worked."
    )
    user_errors: list[CustomerUserError] = strawberry.field(description="Why it did not.")

    @classmethod
    def of(cls, outcome: Outcome[model.CustomerMarketing]) -> CustomerTagsUpdatePayload:
        return cls(
            marketing=outcome.map(CustomerMarketingType.from_domain),
            user_errors=CustomerUserError.list_of(outcome.problems),
        )


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
        errors = InputErrors(Code.CUSTOMER_NOT_FOUND)
        command = input.to_command(errors)
        marketing = info.context.services.customer_marketing
        return CustomerTagsUpdatePayload.of(
            await run_use_case(info, errors, command, marketing.update_tags)
        )
