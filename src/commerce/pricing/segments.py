"""Rule segments: staff-named groups of customers, decided from the facts pricing loads.

Pure. The customers context keeps the rules and a customer's facts (what they bought,
paid, where and how old they are, their tags) and hands both to pricing in the
``ShopperProfile`` it already loads with one BatchGetItem; ``rule_segments`` decides,
at the pricing's own ``now``, which ``segment:<handle>`` names the customer carries, so
a promotion naming one matches through the same condition as ``loyal`` or ``country:de``.
Nothing is stored per customer and segment: a rule change applies at the next pricing.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from commerce.money import Currency

# The prefix of a rule segment's name in a promotion's segment condition.
SEGMENT_PREFIX = "segment:"


class Criterion(enum.Enum):
    """What one condition of a rule segment asks of a customer."""

    BOUGHT_FROM_SERIES = "BOUGHT_FROM_SERIES"
    BOUGHT_FROM_AUTHOR = "BOUGHT_FROM_AUTHOR"
    BOUGHT_FROM_COLLECTION = "BOUGHT_FROM_COLLECTION"
    LIFETIME_VALUE_AT_LEAST = "LIFETIME_VALUE_AT_LEAST"
    NO_PAID_ORDER_FOR_DAYS = "NO_PAID_ORDER_FOR_DAYS"
    LAST_PAID_ORDER_WITHIN_DAYS = "LAST_PAID_ORDER_WITHIN_DAYS"
    COUNTRY = "COUNTRY"
    AGE_BAND = "AGE_BAND"
    TAG = "TAG"
    PAID_ORDERS_AT_LEAST = "PAID_ORDERS_AT_LEAST"


# Which field each criterion reads: a text, a number of days or orders, or money.
TEXT_CRITERIA = frozenset(
    {
        Criterion.BOUGHT_FROM_SERIES,
        Criterion.BOUGHT_FROM_AUTHOR,
        Criterion.BOUGHT_FROM_COLLECTION,
        Criterion.COUNTRY,
        Criterion.AGE_BAND,
        Criterion.TAG,
    }
)
DAY_CRITERIA = frozenset({Criterion.NO_PAID_ORDER_FOR_DAYS, Criterion.LAST_PAID_ORDER_WITHIN_DAYS})
COUNT_CRITERIA = frozenset({Criterion.PAID_ORDERS_AT_LEAST})
MONEY_CRITERIA = frozenset({Criterion.LIFETIME_VALUE_AT_LEAST})


class Match(enum.Enum):
    """How a segment's conditions combine."""

    ALL = "ALL"
    ANY = "ANY"


@dataclass(frozen=True, slots=True)
class SegmentCondition:
    """One condition: a criterion and its value (normalised when the segment was saved).

    ``text`` is a series or author (case-folded), a collection id, a lower-case country
    code, an age band or a tag; ``number`` is days, orders, or minor units of
    ``currency``.
    """

    criterion: Criterion
    text: str | None = None
    number: int | None = None
    currency: Currency | None = None


@dataclass(frozen=True, slots=True)
class SegmentRule:
    """A named segment staff define: its handle (``segment:<handle>``) and its rule."""

    handle: str
    name: str
    match: Match
    conditions: tuple[SegmentCondition, ...]

    @property
    def segment(self) -> str:
        """The name a promotion's segment condition uses."""
        return f"{SEGMENT_PREFIX}{self.handle}"


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    """What the shop knows of a customer that a rule may ask about."""

    paid_orders: int = 0
    last_paid_at: datetime | None = None
    # Net paid value per currency, in minor units (refunds taken off).
    lifetime_value: Mapping[Currency, int] = field(default_factory=dict)
    series: frozenset[str] = frozenset()
    authors: frozenset[str] = frozenset()
    collections: frozenset[str] = frozenset()
    country: str | None = None
    age_band: str | None = None
    tags: frozenset[str] = frozenset()


def holds(condition: SegmentCondition, facts: CustomerFacts, now: datetime) -> bool:
    """Whether the customer meets one condition now.

    ``NO_PAID_ORDER_FOR_DAYS`` holds for a customer who never paid too (combine it with
    ``PAID_ORDERS_AT_LEAST 1`` for lapsed buyers only).
    """
    c, text, number = condition.criterion, condition.text, condition.number or 0
    if c is Criterion.BOUGHT_FROM_SERIES:
        return text in facts.series
    if c is Criterion.BOUGHT_FROM_AUTHOR:
        return text in facts.authors
    if c is Criterion.BOUGHT_FROM_COLLECTION:
        return text in facts.collections
    if c is Criterion.COUNTRY:
        return facts.country is not None and facts.country.lower() == text
    if c is Criterion.AGE_BAND:
        return facts.age_band == text
    if c is Criterion.TAG:
        return text in facts.tags
    if c is Criterion.PAID_ORDERS_AT_LEAST:
        return facts.paid_orders >= number
    if c is Criterion.LIFETIME_VALUE_AT_LEAST:
        assert condition.currency is not None
        return facts.lifetime_value.get(condition.currency, 0) >= number
    since = now - timedelta(days=number)
    recent = facts.last_paid_at is not None and facts.last_paid_at > since
    return not recent if c is Criterion.NO_PAID_ORDER_FOR_DAYS else recent


def in_segment(rule: SegmentRule, facts: CustomerFacts, now: datetime) -> bool:
    """Whether the customer is in the segment now; a rule with no condition holds nobody."""
    if not rule.conditions:
        return False
    results = (holds(c, facts, now) for c in rule.conditions)
    return all(results) if rule.match is Match.ALL else any(results)


def rule_segments(
    rules: Iterable[SegmentRule], facts: CustomerFacts | None, now: datetime
) -> frozenset[str]:
    """The ``segment:<handle>`` names of every rule the customer meets now (a guest: none)."""
    if facts is None:
        return frozenset()
    return frozenset(rule.segment for rule in rules if in_segment(rule, facts, now))
