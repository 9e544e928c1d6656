"""Loyalty's mutation inputs, each decoded into a command or its problems."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import strawberry

from commerce.graphql.inputs import InputErrors
from commerce.graphql.money import CurrencyCode, MoneyInput
from commerce.loyalty import model
from commerce.loyalty.api.types import LoyaltyBonusRule
from commerce.loyalty.commands import AdjustPoints, adjust_problems, check_settings
from commerce.loyalty.errors import LoyaltyErrorCode as Code

MAX_RATES = 30


@strawberry.input(description="Points added to or taken from a customer by staff.")
class LoyaltyPointsAdjustInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer.")
    points: int = strawberry.field(description="Points to add (positive) or take (negative).")
    reason: str = strawberry.field(description="Why (kept in the customer's history).")
    idempotency_key: str | None = strawberry.field(
        default=None,
        description=(
            "1 to 255 letters, digits or -_.: (a UUID works), unique per change: a retry "
            "with the same key for the same customer adds nothing and returns the account; "
            "the same key with another amount or reason is IDEMPOTENCY_KEY_REUSED. Left "
            "out, every request is a change of its own."
        ),
    )

    def to_command(self, errors: InputErrors) -> AdjustPoints | None:
        customer_id = errors.id(self.customer_id, "Customer", "customerId")
        problems = adjust_problems(self.points, self.reason, self.idempotency_key)
        if not errors.check(problems) or customer_id is None:
            return None
        return AdjustPoints(customer_id, self.points, self.reason.strip(), self.idempotency_key)


@strawberry.input(description="What points earn and are worth in one currency.")
class LoyaltyPointsRateInput:
    currency_code: CurrencyCode = strawberry.field(description="The currency.")
    earn_per_unit: int = strawberry.field(description="Points per whole unit spent on goods.")
    redeem_points: int = strawberry.field(description="This many points ...")
    redeem_value: MoneyInput = strawberry.field(description="... are worth this much.")


@strawberry.input(description="A loyalty tier.")
class LoyaltyTierInput:
    name: str = strawberry.field(description="Letters, digits and -; the segment is tier:<name>.")
    earn_multiplier: Decimal = strawberry.field(description="0 to 10 (1.5: half as much again).")
    thresholds: list[MoneyInput] = strawberry.field(
        default_factory=list,
        description="12-month goods that reach it, per currency (empty: every customer).",
    )


@strawberry.input(description="Points a bonus rule gives.")
class LoyaltyBonusInput:
    rule: LoyaltyBonusRule = strawberry.field(description="The rule.")
    points: int = strawberry.field(description="Points, 0 to turn it off.")


@strawberry.input(description="A referral code a new customer got from a friend.")
class LoyaltyReferralApplyInput:
    code: str = strawberry.field(description="The friend's referral code (or the link's ref).")


@strawberry.input(description="Every loyalty rule at once (replaces the current ones).")
class LoyaltySettingsUpdateInput:
    lot_days: int = strawberry.field(default=365, description="Days points last (1 to 3650).")
    rates: list[LoyaltyPointsRateInput] = strawberry.field(description="Per currency.")
    tiers: list[LoyaltyTierInput] = strawberry.field(description="Lowest first.")
    bonuses: list[LoyaltyBonusInput] = strawberry.field(description="Bonus rules.")
    referral_hold_days: int = strawberry.field(
        default=30,
        description=(
            "Days after a referred customer's first order is paid within which its full "
            "refund takes the referral bonuses back (0 to 365)."
        ),
    )

    def to_command(self, errors: InputErrors) -> model.LoyaltySettings | None:
        if len(self.rates) > MAX_RATES:
            errors.add(Code.INVALID_SETTINGS, f"At most {MAX_RATES} rates", "rates")
            return None
        rates: list[model.PointsRate] = []
        for i, rate in enumerate(self.rates):
            value = errors.money(
                rate.redeem_value, ("rates", str(i), "redeemValue"), Code.INVALID_SETTINGS
            )
            if value is None:
                continue
            if value.currency is not rate.currency_code:
                errors.add(
                    Code.INVALID_SETTINGS,
                    "The value must be in the rate's currency",
                    ("rates", str(i), "redeemValue"),
                )
                continue
            rates.append(
                model.PointsRate(
                    rate.currency_code, rate.earn_per_unit, rate.redeem_points, value.amount
                )
            )
        tiers: list[model.Tier] = []
        for i, tier in enumerate(self.tiers[: model.MAX_TIERS + 1]):
            limits = errors.amounts(
                tier.thresholds, ("tiers", str(i), "thresholds"), Code.INVALID_SETTINGS
            )
            try:
                multiplier = Decimal(tier.earn_multiplier)
            except InvalidOperation:
                multiplier = Decimal(-1)
            if limits is not None:
                tiers.append(model.Tier(tier.name.strip().lower(), multiplier, limits))
        settings = model.LoyaltySettings(
            rates=tuple(rates),
            tiers=tuple(tiers),
            bonuses=tuple(model.Bonus(b.rule, b.points) for b in self.bonuses),
            lot_days=self.lot_days,
            referral_hold_days=self.referral_hold_days,
        )
        if errors.problems or not errors.check(check_settings(settings)):
            return None
        return settings
