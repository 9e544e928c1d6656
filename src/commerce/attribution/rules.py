"""The rule-based models: each turns a journey into one exact weight per touch.

The journey is in journey order (time, then touch id); the weights are rationals that
``allocate`` turns into whole minor units. Definitions and sources:
``docs/decisions/0011-attribution-models.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction

from commerce.attribution.model import DIRECT, Touch

# 40 significant digits for 2^-r, r in (0, 1): far finer than any minor unit of any value
# this could credit, and decimal's exp and ln are correctly rounded by specification, so
# the weight is the same on every platform (libm's pow is not).
_DECIMAL = Context(prec=40, rounding=ROUND_HALF_EVEN)
_LN2 = _DECIMAL.ln(Decimal(2))
# A touch this many half-lives older than the journey's most recent touch keeps a weight of
# 2^-1024 relative to it: its exact share is below 10^-300 of the value either way, and
# the cap keeps a tiny half-life over a year of touches from building megabyte integers.
_MAX_HALVINGS = 1024


def first_touch(path: Sequence[Touch]) -> list[Fraction]:
    """All the credit to the first touch."""
    return [Fraction(1 if i == 0 else 0) for i in range(len(path))]


def last_touch(path: Sequence[Touch]) -> list[Fraction]:
    """All the credit to the last touch."""
    return [Fraction(1 if i == len(path) - 1 else 0) for i in range(len(path))]


def last_non_direct(path: Sequence[Touch]) -> list[Fraction]:
    """All the credit to the last touch whose channel is not direct, else to the last touch.

    A direct visit right before buying usually follows a campaign that made the shopper
    know the store (Google Analytics' default "last non-direct click" rule).
    """
    chosen = next(
        (i for i in reversed(range(len(path))) if path[i].channel != DIRECT), len(path) - 1
    )
    return [Fraction(1 if i == chosen else 0) for i in range(len(path))]


def linear(path: Sequence[Touch]) -> list[Fraction]:
    """Equal credit to every touch."""
    return [Fraction(1)] * len(path)


def position_based(path: Sequence[Touch]) -> list[Fraction]:
    """40 % first, 40 % last, 20 % shared by the touches between (one: 100 %, two: 50/50)."""
    count = len(path)
    if count <= 2:
        return [Fraction(1)] * count
    middle = Fraction(1, 5) / (count - 2)
    return [Fraction(2, 5), *([middle] * (count - 2)), Fraction(2, 5)]


def halving_weight(halvings: Fraction) -> Fraction:
    """2^-halvings for a non-negative rational, exact when ``halvings`` is whole.

    The whole part is an exact power of two; only a fractional part goes through the
    40-digit decimal step, whose result is then taken as the exact rational it prints as.
    """
    whole = min(halvings.numerator // halvings.denominator, _MAX_HALVINGS)
    rest = halvings - (halvings.numerator // halvings.denominator)
    weight = Fraction(1, 2**whole)
    if rest:
        exponent = _DECIMAL.multiply(
            _DECIMAL.divide(Decimal(-rest.numerator), Decimal(rest.denominator)), _LN2
        )
        weight *= Fraction(_DECIMAL.exp(exponent))
    return weight


def time_decay(
    path: Sequence[Touch], *, converted_at: datetime, half_life: timedelta
) -> list[Fraction]:
    """Weight 2^(-(converted_at - at) / half_life): a touch loses half its weight per half-life.

    Only ratios matter, so each weight is taken relative to the most recent touch
    (2^(a - b) for ages a >= b): the most recent one weighs exactly 1, and touches a whole
    number of half-lives apart have exact power-of-two ratios.
    """
    if not path:
        return []
    micro = timedelta(microseconds=1)
    ages = [(converted_at - touch.at) // micro for touch in path]
    newest = min(ages)
    span = half_life // micro
    return [halving_weight(Fraction(age - newest, span)) for age in ages]
