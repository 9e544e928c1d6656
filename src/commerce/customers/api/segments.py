"""Staff's rule segments: named groups of customers that promotions may target.

A segment is a rule over what the store knows of a customer (what they bought from,
lifetime value, when they last paid, country, age band, tags, paid orders), its
conditions combined with ALL or ANY; a promotion names it as ``segment:<handle>``.
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.customers import segment_rules
from commerce.customers.api.types import CustomerUserError
from commerce.customers.commands import CreateSegment, DeleteSegment, UpdateSegment
from commerce.customers.errors import CustomerErrorCode as Code
from commerce.graphql.context import Context
from commerce.graphql.ids import to_global_id
from commerce.graphql.inputs import InputErrors
from commerce.graphql.money import Money, MoneyInput
from commerce.graphql.permissions import ADMIN
from commerce.graphql.use_cases import Outcome, run_use_case
from commerce.money import Money as DomainMoney
from commerce.pricing.segments import (
    COUNT_CRITERIA,
    DAY_CRITERIA,
    TEXT_CRITERIA,
    Criterion,
    Match,
    SegmentCondition,
    SegmentRule,
)
from commerce.problems import Problem

SegmentCriterion = strawberry.enum(
    Criterion,
    name="CustomerSegmentCriterion",
    description=(
        "What a condition asks of a customer. BOUGHT_FROM_SERIES / _AUTHOR (value: the "
        "name, any case) and _COLLECTION (value: a Collection id) count paid orders; "
        "LIFETIME_VALUE_AT_LEAST (amount) is net of refunds in that currency; "
        "NO_PAID_ORDER_FOR_DAYS (days, customers who never paid included) and "
        "LAST_PAID_ORDER_WITHIN_DAYS (days); COUNTRY (value: ISO code); AGE_BAND (value: "
        "under-18, 18-24, 25-34, 35-44, 45-54, 55-64 or 65-plus); TAG (value); "
        "PAID_ORDERS_AT_LEAST (count)."
    ),
)
SegmentMatch = strawberry.enum(
    Match,
    name="CustomerSegmentMatch",
    description="ALL: every condition must hold; ANY: one is enough.",
)


@strawberry.type(name="CustomerSegmentCondition", description="One condition of a segment.")
class SegmentConditionType:
    criterion: SegmentCriterion = strawberry.field(description="What it asks.")
    value: str | None = strawberry.field(
        description="The series, author, collection id, country, age band or tag."
    )
    amount: Money | None = strawberry.field(description="The lifetime value to reach.")
    days: int | None = strawberry.field(description="Days, for the order-date criteria.")
    count: int | None = strawberry.field(description="Paid orders, for PAID_ORDERS_AT_LEAST.")

    @classmethod
    def from_domain(cls, c: SegmentCondition) -> SegmentConditionType:
        value = c.text
        if c.criterion is Criterion.BOUGHT_FROM_COLLECTION and c.text is not None:
            value = to_global_id("Collection", c.text)
        return cls(
            criterion=c.criterion,
            value=value if c.criterion in TEXT_CRITERIA else None,
            amount=(
                Money.from_domain(DomainMoney(c.number or 0, c.currency))
                if c.currency is not None
                else None
            ),
            days=c.number if c.criterion in DAY_CRITERIA else None,
            count=c.number if c.criterion in COUNT_CRITERIA else None,
        )


@strawberry.type(
    name="CustomerSegment",
    description="A segment staff defined; promotions name it as segment:<handle>.",
)
class SegmentType:
    handle: str = strawberry.field(description="Its handle: lower-case words and hyphens.")
    segment: str = strawberry.field(description="The name promotions use: segment:<handle>.")
    name: str = strawberry.field(description="What staff call it.")
    match: SegmentMatch = strawberry.field(description="How its conditions combine.")
    conditions: list[SegmentConditionType] = strawberry.field(description="Its conditions.")

    @classmethod
    def from_domain(cls, rule: SegmentRule) -> SegmentType:
        return cls(
            handle=rule.handle,
            segment=rule.segment,
            name=rule.name,
            match=rule.match,
            conditions=[SegmentConditionType.from_domain(c) for c in rule.conditions],
        )


@strawberry.input(description="One condition: the criterion and the one field it reads.")
class CustomerSegmentConditionInput:
    criterion: SegmentCriterion = strawberry.field(description="What it asks.")
    value: str | None = strawberry.field(
        default=None, description="For series, author, collection (an id), country, age, tag."
    )
    amount: MoneyInput | None = strawberry.field(
        default=None, description="For LIFETIME_VALUE_AT_LEAST."
    )
    days: int | None = strawberry.field(default=None, description="For the order-date criteria.")
    count: int | None = strawberry.field(default=None, description="For PAID_ORDERS_AT_LEAST.")


def _conditions(
    given: list[CustomerSegmentConditionInput], errors: InputErrors, problems: list[Problem]
) -> tuple[SegmentCondition, ...]:
    decoded: list[segment_rules.ConditionInput | None] = []
    for i, c in enumerate(given):
        at = ("conditions", str(i))
        value = c.value
        if c.criterion is Criterion.BOUGHT_FROM_COLLECTION and value is not None and value.strip():
            value = errors.id(value.strip(), "Collection", (*at, "value"))
        amount = None if c.amount is None else errors.money(c.amount, (*at, "amount"), Code.INVALID)
        failed = (value is None and c.value is not None) or (amount is None and c.amount)
        decoded.append(
            None
            if failed
            else segment_rules.ConditionInput(c.criterion, value, amount, c.days, c.count)
        )
    return segment_rules.conditions_of(decoded, "conditions", problems)


@strawberry.input(description="A new segment.")
class CustomerSegmentCreateInput:
    handle: str = strawberry.field(description="Lower-case words joined by hyphens.")
    name: str = strawberry.field(description="What staff call it.")
    match: SegmentMatch = strawberry.field(
        default=Match.ALL, description="How its conditions combine (ALL by default)."
    )
    conditions: list[CustomerSegmentConditionInput] = strawberry.field(
        description="At least one, at most 20."
    )

    def to_command(self, errors: InputErrors) -> CreateSegment | None:
        problems: list[Problem] = []
        handle = self.handle.strip()
        problems += segment_rules.check_handle(handle, ("handle",))
        problems += segment_rules.check_name(self.name, ("name",))
        conditions = _conditions(list(self.conditions), errors, problems)
        if not errors.check(problems) or errors:
            return None
        return CreateSegment(SegmentRule(handle, self.name.strip(), self.match, conditions))


@strawberry.input(description="A segment's changes; a field left out stays as it is.")
class CustomerSegmentUpdateInput:
    handle: str = strawberry.field(description="The segment.")
    name: str | None = strawberry.field(default=None, description="A new name.")
    match: SegmentMatch | None = strawberry.field(default=None, description="A new match.")
    conditions: list[CustomerSegmentConditionInput] | None = strawberry.field(
        default=None, description="New conditions, replacing all of them."
    )

    def to_command(self, errors: InputErrors) -> UpdateSegment | None:
        problems: list[Problem] = []
        if self.name is not None:
            problems += segment_rules.check_name(self.name, ("name",))
        conditions = (
            None
            if self.conditions is None
            else _conditions(list(self.conditions), errors, problems)
        )
        if not errors.check(problems) or errors:
            return None
        name = None if self.name is None else self.name.strip()
        return UpdateSegment(self.handle.strip(), name, self.match, conditions)


@strawberry.input(description="The segment to delete.")
class CustomerSegmentDeleteInput:
    handle: str = strawberry.field(description="The segment.")


@strawberry.type(description="The result of customerSegmentCreate or customerSegmentUpdate.")
class CustomerSegmentPayload:
    segment: SegmentType | None = strawberry.field(description="The segment, when it worked.")
    user_errors: list[CustomerUserError] = strawberry.field(description="Why it did not.")

    @classmethod
    def of(cls, outcome: Outcome[SegmentRule]) -> CustomerSegmentPayload:
        return cls(
            segment=outcome.map(SegmentType.from_domain),
            user_errors=CustomerUserError.list_of(outcome.problems),
        )


@strawberry.type(description="The result of customerSegmentDelete.")
class CustomerSegmentDeletePayload:
    deleted_handle: str | None = strawberry.field(description="The handle deleted.")
    user_errors: list[CustomerUserError] = strawberry.field(description="Why it did not.")


@strawberry.type
class CustomerSegmentQuery:
    @strawberry.field(
        description="Every segment staff defined, by handle (staff only).",
        permission_classes=ADMIN,
    )
    async def customer_segments(self, info: Info[Context, None]) -> list[SegmentType]:
        found = await info.context.run(info.context.services.customer_marketing.segments)
        return [SegmentType.from_domain(r) for r in found]


@strawberry.type
class CustomerSegmentMutation:
    @strawberry.mutation(
        description=(
            "Define a segment of customers by rules (staff only); a promotion's "
            "customerSegments may name it as segment:<handle>."
        ),
        permission_classes=ADMIN,
    )
    async def customer_segment_create(
        self, info: Info[Context, None], input: CustomerSegmentCreateInput
    ) -> CustomerSegmentPayload:
        errors = InputErrors(Code.INVALID)
        command = input.to_command(errors)
        marketing = info.context.services.customer_marketing
        return CustomerSegmentPayload.of(
            await run_use_case(info, errors, command, marketing.create_segment)
        )

    @strawberry.mutation(
        description="Change a segment's name, match or conditions (staff only).",
        permission_classes=ADMIN,
    )
    async def customer_segment_update(
        self, info: Info[Context, None], input: CustomerSegmentUpdateInput
    ) -> CustomerSegmentPayload:
        errors = InputErrors(Code.INVALID)
        command = input.to_command(errors)
        marketing = info.context.services.customer_marketing
        return CustomerSegmentPayload.of(
            await run_use_case(info, errors, command, marketing.update_segment)
        )

    @strawberry.mutation(
        description=("Delete a segment (staff only); promotions naming it then match nobody."),
        permission_classes=ADMIN,
    )
    async def customer_segment_delete(
        self, info: Info[Context, None], input: CustomerSegmentDeleteInput
    ) -> CustomerSegmentDeletePayload:
        errors = InputErrors(Code.INVALID)
        command = DeleteSegment(input.handle.strip())
        marketing = info.context.services.customer_marketing
        outcome = await run_use_case(info, errors, command, marketing.delete_segment)
        return CustomerSegmentDeletePayload(
            deleted_handle=outcome.value,
            user_errors=CustomerUserError.list_of(outcome.problems),
        )
