"""Loyalty as clients see it: a customer's points, and the store's rules for staff."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from commerce.graphql.ids import to_global_id
from commerce.graphql.money import CurrencyCode, Money
from commerce.graphql.user_errors import UserError
from commerce.loyalty import ledger, model
from commerce.loyalty.errors import LoyaltyErrorCode
from commerce.loyalty.service import LoyaltyAccount as DomainAccount
from commerce.money import Money as DomainMoney

MAX_HISTORY = 250

LoyaltyErrorCodeType = strawberry.enum(
    LoyaltyErrorCode, name="LoyaltyErrorCode", description="Why a loyalty request was refused."
)
LoyaltyEntryKind = strawberry.enum(
    ledger.EntryKind, name="LoyaltyEntryKind", description="What a points entry records."
)
LoyaltyBonusRule = strawberry.enum(
    model.BonusRule, name="LoyaltyBonusRule", description="Events that give bonus points."
)


@strawberry.type(description="Why a loyalty change was refused.")
class LoyaltyUserError(UserError):
    code: LoyaltyErrorCodeType = strawberry.field(description="What is wrong, for programs.")


@strawberry.type(description="A loyalty tier: its thresholds and its earn multiplier.")
class LoyaltyTier:
    name: str = strawberry.field(description="The tier's name; its segment is tier:<name>.")
    segment: str = strawberry.field(description="The segment promotions target it by.")
    earn_multiplier: Decimal = strawberry.field(description="Points earned are multiplied by it.")
    thresholds: list[Money] = strawberry.field(
        description=(
            "Goods paid over the last 12 months that reach the tier, one per currency (any "
            "one suffices; amounts are never converted). Empty: every customer."
        )
    )

    @classmethod
    def from_domain(cls, tier: model.Tier) -> LoyaltyTier:
        return cls(
            name=tier.name,
            segment=tier.segment,
            earn_multiplier=tier.multiplier,
            thresholds=[Money.from_domain(m) for m in tier.thresholds],
        )


@strawberry.type(description="One change of a points balance.")
class LoyaltyEntry:
    kind: LoyaltyEntryKind = strawberry.field(description="What happened.")
    points: int = strawberry.field(description="Points added (positive) or taken (negative).")
    at: datetime = strawberry.field(description="When.")
    expires_at: datetime | None = strawberry.field(
        description="When points added here expire (first to expire, first spent)."
    )
    order_id: strawberry.ID | None = strawberry.field(description="The order concerned.")
    reason: str = strawberry.field(description="Why, when staff or a bonus rule gave it.")

    @classmethod
    def from_domain(cls, line: ledger.Line) -> LoyaltyEntry:
        entry = line.entry
        return cls(
            kind=entry.kind,
            points=entry.points,
            at=entry.at,
            expires_at=entry.expires_at,
            order_id=None
            if entry.order_id is None
            else strawberry.ID(to_global_id("Order", entry.order_id)),
            reason=entry.reason,
        )


@strawberry.type(description="Points from one entry still to spend.")
class LoyaltyLot:
    points: int = strawberry.field(description="Points the entry added.")
    remaining: int = strawberry.field(description="Points of it not spent yet.")
    earned_at: datetime = strawberry.field(description="When they were added.")
    expires_at: datetime = strawberry.field(description="When what remains expires.")


@strawberry.type(description="A customer's loyalty points.")
class LoyaltyAccount:
    balance: int = strawberry.field(
        description="Points that can be spent now: the sum of every entry of the history."
    )
    tier: LoyaltyTier | None = strawberry.field(
        description="The tier reached by the last 12 months of goods; null without tiers."
    )
    spend: list[Money] = strawberry.field(
        description="Goods paid over the last 12 months, net of refunds, per currency."
    )
    lots: list[LoyaltyLot] = strawberry.field(
        description="Points still to spend, the first to expire first."
    )
    _history: strawberry.Private[tuple[ledger.Line, ...]]

    @classmethod
    def from_domain(cls, account: DomainAccount) -> LoyaltyAccount:
        return cls(
            balance=account.balance,
            tier=None if account.tier is None else LoyaltyTier.from_domain(account.tier),
            spend=[Money.from_domain(m) for m in account.spend],
            lots=[
                LoyaltyLot(
                    points=lot.points,
                    remaining=lot.remaining,
                    earned_at=lot.at,
                    expires_at=lot.expires_at,
                )
                for lot in account.lots
            ],
            _history=account.history,
        )

    @strawberry.field(
        description=(
            "Every change of the balance, newest first, expiries included (they are "
            "worked out from the lots, so the history always adds up to the balance)."
        )
    )
    def history(
        self,
        first: Annotated[
            int, strawberry.argument(description=f"How many, 1 to {MAX_HISTORY}.")
        ] = 50,
    ) -> list[LoyaltyEntry]:
        count = max(1, min(first, MAX_HISTORY))
        return [LoyaltyEntry.from_domain(line) for line in reversed(self._history)][:count]


@strawberry.type(description="What points earn and are worth in one currency.")
class LoyaltyPointsRate:
    currency_code: CurrencyCode = strawberry.field(description="The currency.")
    earn_per_unit: int = strawberry.field(
        description="Points per whole unit spent on goods (before the tier's multiplier)."
    )
    redeem_points: int = strawberry.field(description="This many points ...")
    redeem_value: Money = strawberry.field(description="... are worth this much off the goods.")


@strawberry.type(description="Points a bonus rule gives.")
class LoyaltyBonus:
    rule: LoyaltyBonusRule = strawberry.field(description="The rule.")
    points: int = strawberry.field(description="Points given, once per event.")


@strawberry.type(description="The store's loyalty rules.")
class LoyaltySettings:
    lot_days: int = strawberry.field(description="Days points last from when they are added.")
    rates: list[LoyaltyPointsRate] = strawberry.field(
        description="Per currency; a currency without a rate neither earns nor redeems."
    )
    tiers: list[LoyaltyTier] = strawberry.field(description="Tiers, lowest first.")
    bonuses: list[LoyaltyBonus] = strawberry.field(description="Bonus rules.")

    @classmethod
    def from_domain(cls, settings: model.LoyaltySettings) -> LoyaltySettings:
        return cls(
            lot_days=settings.lot_days,
            rates=[
                LoyaltyPointsRate(
                    currency_code=r.currency,
                    earn_per_unit=r.earn_per_unit,
                    redeem_points=r.redeem_points,
                    redeem_value=Money.from_domain(DomainMoney(r.redeem_value, r.currency)),
                )
                for r in settings.rates
            ],
            tiers=[LoyaltyTier.from_domain(t) for t in settings.tiers],
            bonuses=[LoyaltyBonus(rule=b.rule, points=b.points) for b in settings.bonuses],
        )
