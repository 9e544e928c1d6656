"""The store's loyalty rules and what follows from them. Pure.

Earning: ``earn_per_unit`` points per whole unit of the order's currency spent on goods
(line totals after every discount, points included; never shipping or tax), times the
customer's tier multiplier, rounded down. Redeeming: ``redeem_points`` points are worth
``redeem_value`` minor units of the currency. Currencies without a rate neither earn nor
redeem. Tiers: the highest tier whose threshold, in some currency, the customer's goods
paid in that currency over the last ``TIER_WINDOW`` reach (amounts are never converted).
"""

from __future__ import annotations

import enum
from calendar import isleap
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from commerce.loyalty.ledger import Ledger
from commerce.money import Currency, Money

TIER_WINDOW = timedelta(days=365)
MAX_POINTS = 10**9
MAX_TIERS = 10
MAX_REASON = 200
TIER_NAME_LENGTH = 30


class BonusRule(enum.Enum):
    """Events that give points of their own, each once per business key."""

    SIGN_UP = "SIGN_UP"
    FIRST_REVIEW = "FIRST_REVIEW"
    BIRTHDAY = "BIRTHDAY"
    # To the referrer, when the customer they referred pays a first order.
    REFERRAL = "REFERRAL"
    # To the referred customer on that first order (0, off, unless staff set it).
    REFERRED = "REFERRED"


@dataclass(frozen=True, slots=True)
class PointsRate:
    """What points are worth in one currency."""

    currency: Currency
    earn_per_unit: int
    redeem_points: int
    redeem_value: int


@dataclass(frozen=True, slots=True)
class Tier:
    """A tier: reached from any of its thresholds, with its earn multiplier.

    Customers in it fall in the segment ``tier:<name>``, which promotions may target.
    """

    name: str
    multiplier: Decimal
    thresholds: tuple[Money, ...] = ()

    @property
    def segment(self) -> str:
        return f"tier:{self.name}"


@dataclass(frozen=True, slots=True)
class Bonus:
    """Points a bonus rule gives."""

    rule: BonusRule
    points: int


@dataclass(frozen=True, slots=True)
class LoyaltySettings:
    """Every loyalty rule staff set."""

    rates: tuple[PointsRate, ...]
    tiers: tuple[Tier, ...]
    bonuses: tuple[Bonus, ...]
    lot_days: int = 365
    # A full refund of a referred customer's first order within this many days of its
    # payment takes the referral bonuses back; after it they stay.
    referral_hold_days: int = 30

    def rate(self, currency: Currency) -> PointsRate | None:
        return next((r for r in self.rates if r.currency is currency), None)

    def bonus(self, rule: BonusRule) -> int:
        return next((b.points for b in self.bonuses if b.rule is rule), 0)

    @property
    def lot_life(self) -> timedelta:
        return timedelta(days=self.lot_days)

    @property
    def referral_hold(self) -> timedelta:
        return timedelta(days=self.referral_hold_days)


DEFAULT_SETTINGS = LoyaltySettings(
    rates=tuple(PointsRate(c, 1, 100, 100) for c in (Currency.USD, Currency.EUR, Currency.GBP)),
    tiers=(
        Tier("member", Decimal(1)),
        Tier(
            "silver",
            Decimal("1.25"),
            (Money(50000, Currency.USD), Money(50000, Currency.EUR), Money(40000, Currency.GBP)),
        ),
        Tier(
            "gold",
            Decimal("1.5"),
            (Money(150000, Currency.USD), Money(150000, Currency.EUR), Money(120000, Currency.GBP)),
        ),
    ),
    bonuses=(
        Bonus(BonusRule.SIGN_UP, 100),
        Bonus(BonusRule.FIRST_REVIEW, 50),
        Bonus(BonusRule.BIRTHDAY, 200),
        Bonus(BonusRule.REFERRAL, 500),
        Bonus(BonusRule.REFERRED, 0),
    ),
)


def birthdays_celebrated(day: date) -> tuple[tuple[int, int], ...]:
    """The (month, day) birthdays celebrated on ``day``: its own, and on 28 February of a
    year without a 29th, the customers born on 29 February too (the day before their
    own, so the bonus stays in their birthday's month)."""
    found = [(day.month, day.day)]
    if (day.month, day.day) == (2, 28) and not isleap(day.year):
        found.append((2, 29))
    return tuple(found)


def settings_problems(settings: LoyaltySettings) -> list[str]:
    """What makes a set of rules unusable, in staff's words (empty: usable)."""
    found: list[str] = []
    if not 1 <= settings.lot_days <= 3650:
        found.append("Points must last 1 to 3650 days")
    if not 0 <= settings.referral_hold_days <= 365:
        found.append("A referral is held 0 to 365 days")
    if len({r.currency for r in settings.rates}) != len(settings.rates):
        found.append("One rate per currency")
    for rate in settings.rates:
        if not 0 <= rate.earn_per_unit <= 1000:
            found.append(f"{rate.currency.value}: earn 0 to 1000 points per unit")
        if not (0 < rate.redeem_points <= MAX_POINTS and 0 <= rate.redeem_value <= 10**9):
            found.append(f"{rate.currency.value}: redeem a positive number of points")
    if len(settings.tiers) > MAX_TIERS:
        found.append(f"At most {MAX_TIERS} tiers")
    names = [t.name for t in settings.tiers]
    if len(set(names)) != len(names):
        found.append("Tier names must differ")
    for tier in settings.tiers:
        if (
            not tier.name
            or len(tier.name) > TIER_NAME_LENGTH
            or not tier.name.replace("-", "").isalnum()
        ):
            found.append(f"Tier name {tier.name!r}: 1 to {TIER_NAME_LENGTH} letters, digits or -")
        if not Decimal(0) <= tier.multiplier <= Decimal(10):
            found.append(f"Tier {tier.name}: multiplier 0 to 10")
        if any(t.amount < 0 for t in tier.thresholds):
            found.append(f"Tier {tier.name}: thresholds cannot be negative")
    if any(not 0 <= b.points <= MAX_POINTS for b in settings.bonuses):
        found.append("Bonus points must be 0 or more")
    return found


def tier_of(ledger: Ledger, settings: LoyaltySettings, now: datetime) -> Tier | None:
    """The highest tier the customer's last 12 months of goods reach (None: no tiers).

    Staff list tiers lowest first; a tier without thresholds is reached by everyone."""
    spend = ledger.spend_since(now - TIER_WINDOW)
    reached: Tier | None = None
    for tier in settings.tiers:
        if not tier.thresholds or any(
            spend.get(t.currency.value, 0) >= t.amount for t in tier.thresholds
        ):
            reached = tier
    return reached


Schedule = tuple[tuple[str, datetime | None], ...]


def tier_schedule(ledger: Ledger, settings: LoyaltySettings, now: datetime) -> Schedule:
    """The customer's tier segments from ``now`` on, each with the moment it ends (None:
    it holds until something is bought or refunded): without new entries the rolling spend
    only changes when an entry leaves the window, so the future is known ("" : no tier)."""
    moments = sorted(
        {
            e.at + TIER_WINDOW
            for e in ledger.entries.values()
            if e.spend is not None and e.at + TIER_WINDOW > now
        }
    )
    current = tier_of(ledger, settings, now)
    periods: list[tuple[str, datetime | None]] = []
    for moment in moments:
        after = tier_of(ledger, settings, moment)
        if after != current:
            periods.append(("" if current is None else current.segment, moment))
            current = after
    periods.append(("" if current is None else current.segment, None))
    return tuple(periods)


def points_earned(goods: Money, rate: PointsRate | None, multiplier: Decimal) -> int:
    """Points for ``goods`` spent: per whole unit of the currency, times the multiplier,
    rounded down; 0 without a rate."""
    if rate is None or goods.amount <= 0:
        return 0
    units = Decimal(goods.amount).scaleb(-goods.currency.exponent)
    exact = units * rate.earn_per_unit * multiplier
    return int(exact.to_integral_value(rounding=ROUND_FLOOR))


def pro_rata(points: int, refunded: int, paid: int) -> int:
    """The part of ``points`` a refund of ``refunded`` out of ``paid`` accounts for
    (rounded down; all of them once everything is refunded)."""
    if paid <= 0 or refunded <= 0:
        return 0
    if refunded >= paid:
        return points
    return points * refunded // paid
