"""Staff's loyalty changes: the rules, and a customer's balance by hand with a reason."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.inputs import InputErrors
from commerce.graphql.permissions import ADMIN, CUSTOMER
from commerce.graphql.use_cases import Outcome, run_use_case
from commerce.ids import new_id
from commerce.loyalty import model
from commerce.loyalty.api.inputs import (
    LoyaltyPointsAdjustInput,
    LoyaltyReferralApplyInput,
    LoyaltySettingsUpdateInput,
)
from commerce.loyalty.api.types import LoyaltyAccount, LoyaltySettings, LoyaltyUserError
from commerce.loyalty.errors import LoyaltyErrorCode as Code
from commerce.loyalty.service import LoyaltyAccount as DomainAccount


@strawberry.type(description="The result of loyaltySettingsUpdate.")
class LoyaltySettingsPayload:
    settings: LoyaltySettings | None = strawberry.field(
        description="The rules now, when it worked."
    )
    user_errors: list[LoyaltyUserError] = strawberry.field(description="Why it did not.")

    @classmethod
    def of(cls, outcome: Outcome[model.LoyaltySettings]) -> LoyaltySettingsPayload:
        return cls(
            settings=outcome.map(LoyaltySettings.from_domain),
            user_errors=LoyaltyUserError.list_of(outcome.problems),
        )


@strawberry.type(description="The result of loyaltyPointsAdjust.")
class LoyaltyPointsAdjustPayload:
    account: LoyaltyAccount | None = strawberry.field(
        description="The customer's points now, when it worked."
    )
    user_errors: list[LoyaltyUserError] = strawberry.field(description="Why it did not.")

    @classmethod
    def of(cls, outcome: Outcome[DomainAccount]) -> LoyaltyPointsAdjustPayload:
        return cls(
            account=outcome.map(LoyaltyAccount.from_domain),
            user_errors=LoyaltyUserError.list_of(outcome.problems),
        )


@strawberry.type(description="The result of loyaltyReferralApply.")
class LoyaltyReferralApplyPayload:
    account: LoyaltyAccount | None = strawberry.field(
        description="The customer's points, now referred, when it worked."
    )
    user_errors: list[LoyaltyUserError] = strawberry.field(description="Why it did not.")

    @classmethod
    def of(cls, outcome: Outcome[DomainAccount]) -> LoyaltyReferralApplyPayload:
        return cls(
            account=outcome.map(LoyaltyAccount.from_domain),
            user_errors=LoyaltyUserError.list_of(outcome.problems),
        )


@strawberry.type
class LoyaltyMutation:
    @strawberry.mutation(
        description=(
            "A new customer applies the referral code a friend gave them (signed-in "
            "customers only, once, before their first order): the friend earns the "
            "referral bonus when this customer's first order is paid."
        ),
        permission_classes=CUSTOMER,
    )
    async def loyalty_referral_apply(
        self, info: Info[Context, None], input: LoyaltyReferralApplyInput
    ) -> LoyaltyReferralApplyPayload:
        customer_id = info.context.principal.customer_id
        assert customer_id is not None  # CUSTOMER lets signed-in customers only
        loyalty = info.context.services.loyalty
        errors = InputErrors(Code.INVALID_REFERRAL_CODE)
        return LoyaltyReferralApplyPayload.of(
            await run_use_case(
                info, errors, input.code, lambda code: loyalty.apply_referral(customer_id, code)
            )
        )

    @strawberry.mutation(
        description=(
            "Replace the loyalty rules (staff only): earn and redeem rates per currency, "
            "tiers with thresholds and multipliers, bonus points, how long points last. "
            "Entries already made keep their points and expiry."
        ),
        permission_classes=ADMIN,
    )
    async def loyalty_settings_update(
        self, info: Info[Context, None], input: LoyaltySettingsUpdateInput
    ) -> LoyaltySettingsPayload:
        errors = InputErrors(Code.INVALID_SETTINGS)
        command = input.to_command(errors)
        loyalty = info.context.services.loyalty
        return LoyaltySettingsPayload.of(
            await run_use_case(info, errors, command, loyalty.update_settings)
        )

    @strawberry.mutation(
        description=(
            "Add points to or take points from a customer, with the reason (staff only); "
            "taking more than the balance is refused (INSUFFICIENT_POINTS). Send an "
            "idempotencyKey to make a retry safe."
        ),
        permission_classes=ADMIN,
    )
    async def loyalty_points_adjust(
        self, info: Info[Context, None], input: LoyaltyPointsAdjustInput
    ) -> LoyaltyPointsAdjustPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        loyalty = info.context.services.loyalty
        return LoyaltyPointsAdjustPayload.of(
            await run_use_case(
                info, errors, command, lambda c: loyalty.adjust(c, c.adjustment_id(new_id()))
            )
        )
