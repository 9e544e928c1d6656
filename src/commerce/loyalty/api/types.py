"""Loyalty as clients see it: a customer's points, and the store's rules for staff."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from decimal import Decimal
from typing import Annotated
from urllib.parse import urlencode

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput
from commerce.graphql.ids import to_global_id
from commerce.graphql.money import CurrencyCode, Money
from commerce.graphql.relay import Connection
from commerce.graphql.user_errors import UserError
from commerce.loyalty import ledger, model
from commerce.loyalty.errors import LoyaltyErrorCode
from commerce.loyalty.service import LoyaltyAccount as DomainAccount
from commerce.money import Money as DomainMoney

MAX_HISTORY = 250
MAX_ENTRIES_PAGE = 100

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


def encode_cursor(line: ledger.Line) -> str:
    """An opaque cursor: the line's entry key."""
    raw = f"points:{line.entry.key}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> str | None:
    """The entry key inside a cursor, or None when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeError, ValueError):
        return None
    prefix, _, key = raw.partition(":")
    return key if prefix == "points" and key else None


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
    referral_code: str = strawberry.field(
        description=(
            "The code this customer gives friends: when a new customer who applied it pays "
            "a first order, this customer earns the referral bonus."
        )
    )
    referred: bool = strawberry.field(
        description="Whether a friend's referral code was applied to this account."
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
            referral_code=account.referral_code,
            referred=account.referred,
            _history=account.history,
        )

    @strawberry.field(
        description="The storefront's address with the referral code (its `ref` parameter)."
    )
    def referral_link(self, info: Info[Context, None]) -> str:
        base = info.context.services.settings.storefront_url.rstrip("/")
        return f"{base}/?{urlencode({'ref': self.referral_code})}"

    @strawberry.field(
        description=(
            "Every change of the balance, newest first, expiries included (they are "
            "worked out from the lots, so the history always adds up to the balance), a "
            "page at a time."
        )
    )
    def entries(
        self,
        first: Annotated[
            int, strawberry.argument(description=f"Entries per page, 1 to {MAX_ENTRIES_PAGE}.")
        ] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="Start after this cursor.")
        ] = None,
    ) -> Connection[LoyaltyEntry]:
        if not 1 <= first <= MAX_ENTRIES_PAGE:
            raise BadUserInput(f"first must be 1 to {MAX_ENTRIES_PAGE}", argument="first")
        key = None if after is None else decode_cursor(after)
        if after is not None and key is None:
            raise BadUserInput("Not a valid cursor", argument="after")
        page = ledger.newest_first(self._history, first, key)
        if page is None:
            raise BadUserInput("Not a cursor of this history", argument="after")
        lines, more = page
        return Connection[LoyaltyEntry].of(
            lines, LoyaltyEntry.from_domain, encode_cursor, has_next_page=more
        )

    @strawberry.field(
        description=(
            f"Every change of the balance, newest first, expiries included, at most {MAX_HISTORY}."
        ),
        deprecation_reason="Use entries, a connection that pages through the whole history.",
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
    referral_hold_days: int = strawberry.field(
        description="Days within which a full refund of a referred first order takes back "
        "the referral bonuses."
    )
    rates: list[LoyaltyPointsRate] = strawberry.field(
        description="Per currency; a currency without a rate neither earns nor redeems."
    )
    tiers: list[LoyaltyTier] = strawberry.field(description="Tiers, lowest first.")
    bonuses: list[LoyaltyBonus] = strawberry.field(description="Bonus rules.")

    @classmethod
    def from_domain(cls, settings: model.LoyaltySettings) -> LoyaltySettings:
        return cls(
            lot_days=settings.lot_days,
            referral_hold_days=settings.referral_hold_days,
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
