"""Exact money arithmetic for discounts: one rounding per discount, exact allocation.

The rule (``docs/decisions/0008-pricing-engine.md``): a percentage is computed exactly in
``Decimal`` and rounded once, half to even, with ``commerce.money.round_minor``. A discount
that spans several lines is split by largest remainder in proportion to integer weights,
so the line parts add up to the discount exactly: no cent is lost or created.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Context, Decimal

from commerce.money import round_minor

# Carts reach 10^12 minor units x quantities and percentages carry 4 decimals: far below
# this, so every product and quotient below is exact before the one rounding.
EXACT = Context(prec=60)
_HUNDRED = Decimal(100)


def exact_percent_of(amount: int | Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``amount`` without rounding: what the search compares."""
    return EXACT.divide(EXACT.multiply(Decimal(amount), percent), _HUNDRED)


def percent_of(amount: int, percent: Decimal) -> int:
    """``percent`` % of ``amount``, rounded half to even, never more than ``amount``."""
    return max(0, min(amount, round_minor(exact_percent_of(amount, percent))))


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights``; the parts sum to ``total`` exactly.

    Each part is the floor of its exact share; the cents left go one each to the largest
    remainders, earlier weights first on ties. When ``total`` is at most the sum of the
    weights no part exceeds its weight.
    """
    if any(w < 0 for w in weights) or total < 0:
        raise ValueError("allocation needs non-negative amounts")
    whole = sum(weights)
    if whole == 0:
        if total:
            raise ValueError("cannot allocate an amount over nothing")
        return [0] * len(weights)
    parts = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    left = total - sum(parts)
    if left:
        # Largest remainders first; a reversed sort stays stable, so earlier weights
        # come first among equal remainders.
        order = sorted(range(len(weights)), key=remainders.__getitem__, reverse=True)
        for i in order[:left]:
            parts[i] += 1
    return parts
