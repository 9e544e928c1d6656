"""Staff changes of the affiliate program: rules, programs, bindings, payouts."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.affiliates.api.inputs import (
    AffiliateBindingChangeInput,
    AffiliatePayoutCreateInput,
    AffiliatePayoutMarkPaidInput,
    AffiliateProgramSetInput,
    CommissionRuleSetInput,
)
from commerce.affiliates.api.types import (
    AffiliateBinding,
    AffiliateBindingPayload,
    AffiliatePayout,
    AffiliatePayoutPayload,
    AffiliateProgram,
    AffiliateProgramPayload,
    AffiliateUserError,
    CommissionRule,
    CommissionRulePayload,
)
from commerce.affiliates.errors import AffiliateErrorCode as Code
from commerce.graphql.context import Context
from commerce.graphql.inputs import InputErrors
from commerce.graphql.permissions import ADMIN
from commerce.graphql.use_cases import run_use_case


def _actor(info: Info[Context, None]) -> str:
    principal = info.context.principal
    return f"{principal.kind.value}:{principal.id or '-'}"


@strawberry.type
class AffiliatesMutation:
    @strawberry.mutation(
        description=(
            "Set the commission rule of a partner or a group. Customers bound before keep "
            "the rule they were bound with."
        ),
        permission_classes=ADMIN,
    )
    async def commission_rule_set(
        self, info: Info[Context, None], input: CommissionRuleSetInput
    ) -> CommissionRulePayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        affiliates = info.context.services.affiliates
        outcome = await run_use_case(info, errors, command, affiliates.set_rule)
        return CommissionRulePayload(
            rule=outcome.map(CommissionRule.from_domain),
            user_errors=AffiliateUserError.list_of(outcome.problems),
        )

    @strawberry.mutation(
        description="Set a partner's group and Stripe connected account.", permission_classes=ADMIN
    )
    async def affiliate_program_set(
        self, info: Info[Context, None], input: AffiliateProgramSetInput
    ) -> AffiliateProgramPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        affiliates = info.context.services.affiliates
        outcome = await run_use_case(info, errors, command, affiliates.set_program)
        return AffiliateProgramPayload(
            program=outcome.map(AffiliateProgram.from_domain),
            user_errors=AffiliateUserError.list_of(outcome.problems),
        )

    @strawberry.mutation(
        description="Move a bound customer to another partner; the reason is kept.",
        permission_classes=ADMIN,
    )
    async def affiliate_binding_change(
        self, info: Info[Context, None], input: AffiliateBindingChangeInput
    ) -> AffiliateBindingPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        affiliates, actor = info.context.services.affiliates, _actor(info)
        outcome = await run_use_case(
            info, errors, command, lambda c: affiliates.change_binding(c, actor)
        )
        return AffiliateBindingPayload(
            binding=outcome.map(AffiliateBinding.from_domain),
            user_errors=AffiliateUserError.list_of(outcome.problems),
        )

    @strawberry.mutation(
        description=(
            "A payout of a partner's approved entries in one currency (reversals approved "
            "since the last payout are deducted); NOTHING_TO_PAY when the sum is not positive."
        ),
        permission_classes=ADMIN,
    )
    async def affiliate_payout_create(
        self, info: Info[Context, None], input: AffiliatePayoutCreateInput
    ) -> AffiliatePayoutPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        affiliates = info.context.services.affiliates
        outcome = await run_use_case(info, errors, command, affiliates.create_payout)
        return AffiliatePayoutPayload(
            payout=outcome.map(AffiliatePayout.from_domain),
            user_errors=AffiliateUserError.list_of(outcome.problems),
        )

    @strawberry.mutation(
        description=(
            "Mark a payout paid: with a Stripe transfer when the partner has a connected "
            "account, else with the bank transfer's reference."
        ),
        permission_classes=ADMIN,
    )
    async def affiliate_payout_mark_paid(
        self, info: Info[Context, None], input: AffiliatePayoutMarkPaidInput
    ) -> AffiliatePayoutPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        affiliates = info.context.services.affiliates
        outcome = await run_use_case(info, errors, command, affiliates.mark_payout_paid)
        return AffiliatePayoutPayload(
            payout=outcome.map(AffiliatePayout.from_domain),
            user_errors=AffiliateUserError.list_of(outcome.problems),
        )
