"""Unit offers (buy X get Y, series sets, bundles, mix-and-match): which units they may take,
and what one application of an offer saves on a given set of units.

The pool is the cart's lines sorted most expensive unit first (then by line id); lines are
named by their index in it. A *plan* is an offer compiled against the pool: for each part of
one application (buy X get Y and mix-and-match have one part; a series set one per volume; a
bundle one per component) the lines it accepts and how many units it wants. Which units an
application takes is the search's choice (``search.py``); what it saves on them is
``discount``, used by the search, the engine and the tests' brute force alike.

One rounding per application: its exact discount is rounded once, half to even, and never
exceeds the prices it is taken from, so a promotion's discount is the sum of whole amounts
and the search compares integers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from commerce.money import round_minor
from commerce.pricing.allocation import EXACT, exact_percent_of
from commerce.pricing.matching import Matcher
from commerce.pricing.model import (
    Bundle,
    BuyXGetY,
    CartLine,
    MixAndMatch,
    Selector,
    SeriesSet,
    UnitOffer,
)

# (pool index, count) pairs, or (pool index, weight) pairs, by pool index.
Taken = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Application:
    """One use of a promotion's offer: the units it takes and its rounded discount."""

    promotion_id: str
    taken: Taken
    discount: int
    # How the discount is split over the lines: the prices it was taken from.
    weights: Taken


@dataclass(frozen=True, slots=True)
class Pool:
    """The cart's lines most expensive unit first, and each line's bit in the matcher."""

    lines: tuple[CartLine, ...]
    prices: tuple[int, ...]
    bits: tuple[int, ...]

    @classmethod
    def of(cls, matcher: Matcher) -> Pool:
        numbered = sorted(
            enumerate(matcher.lines), key=lambda e: (-e[1].unit_price.amount, e[1].line_id)
        )
        return cls(
            tuple(ln for _, ln in numbered),
            tuple(ln.unit_price.amount for _, ln in numbered),
            tuple(1 << k for k, _ in numbered),
        )

    def among(self, mask: int) -> tuple[int, ...]:
        """The pool indices of the lines in a matcher mask, in pool order."""
        return tuple(i for i, bit in enumerate(self.bits) if mask & bit)


def discount(offer: UnitOffer, taken: Taken, prices: Sequence[int]) -> tuple[int, Taken]:
    """What one application of ``offer`` saves on the units ``taken``, rounded once, and the
    weights that split it over their lines.

    ``taken`` is (index, count) by index, with indices in order of price, most expensive
    first (the pool's order), so that ties among the cheapest units fall on later lines.
    """
    full = sum(prices[i] * n for i, n in taken)
    if isinstance(offer, BuyXGetY):
        # The ``get`` cheapest units of the group are the ones discounted.
        free: list[tuple[int, int]] = []
        left = offer.get
        for i, n in reversed(taken):
            k = min(n, left)
            if k:
                free.append((i, prices[i] * k))
            left -= k
        weights = tuple(sorted(free))
        base = sum(w for _, w in weights)
        return min(base, round_minor(exact_percent_of(base, offer.percent))), weights
    weights = tuple((i, prices[i] * n) for i, n in taken)
    if isinstance(offer, SeriesSet):
        exact = exact_percent_of(full, offer.percent)
    elif offer.price is not None:
        return max(0, full - offer.price), weights
    else:
        exact = exact_percent_of(full, offer.percent or Decimal(0))
    return min(full, round_minor(exact)), weights


def group_size(offer: UnitOffer) -> int:
    """How many units one application takes."""
    match offer:
        case BuyXGetY(buy=buy, get=get):
            return buy + get
        case MixAndMatch(count=count):
            return count
        case SeriesSet(volumes=volumes):
            return len(volumes)
        case Bundle(components=components):
            return sum(c.quantity for c in components)


def unit_cap(offer: UnitOffer, price: int) -> Decimal:
    """At most what a unit at ``price`` can add to any application's exact discount.

    An application's exact discount is the sum of its units' caps at most: a buy X get Y
    discounts its cheapest ``get`` of ``buy + get`` units, never more than that share of the
    group's prices; a fixed price ``P`` for ``s`` units saves the sum of (price - P/s).
    """
    size = Decimal(group_size(offer))
    match offer:
        case BuyXGetY(get=get, percent=percent):
            share = EXACT.divide(EXACT.multiply(Decimal(get), percent), EXACT.multiply(size, 100))
            return EXACT.multiply(Decimal(price), share)
        case SeriesSet(percent=percent):
            return exact_percent_of(price, percent)
        case Bundle(price=None, percent=percent):
            return exact_percent_of(price, percent or Decimal(0))
        case Bundle(price=fixed) | MixAndMatch(price=fixed):
            assert fixed is not None
            return max(Decimal(0), EXACT.subtract(Decimal(price), EXACT.divide(fixed, size)))


class UnitPlan:
    """A promotion's unit offer compiled against the pool: the lines each part accepts."""

    def __init__(self, promotion_id: str, offer: UnitOffer, pool: Pool, matcher: Matcher) -> None:
        self.promotion_id = promotion_id
        self.offer = offer
        self.pool = pool
        self.parts: tuple[tuple[tuple[int, ...], int], ...] = self._parts(offer, pool, matcher)
        self.candidates = frozenset(i for part, _ in self.parts for i in part)
        self._caps: dict[int, int] = {}
        # The search's working memory for this plan on this cart, by component (a plan
        # lives for one pricing, so whatever the search keeps here goes with it).
        self.scratch: dict[tuple[int, ...], object] = {}

    def cap(self, price: int) -> int:
        """``unit_cap`` of a unit at ``price``, rounded up: what the best-effort bound
        adds per unit, asked once per price and plan."""
        known = self._caps.get(price)
        if known is None:
            known = self._caps[price] = math.ceil(unit_cap(self.offer, price))
        return known

    @staticmethod
    def _parts(
        offer: UnitOffer, pool: Pool, matcher: Matcher
    ) -> tuple[tuple[tuple[int, ...], int], ...]:
        """(candidate pool indices, units wanted) for each part of one application."""

        def among(selector: Selector) -> tuple[int, ...]:
            return pool.among(matcher.mask(selector))

        match offer:
            case BuyXGetY(selector=selector, buy=buy, get=get):
                return ((among(selector), buy + get),)
            case MixAndMatch(selector=selector, count=count):
                return ((among(selector), count),)
            case SeriesSet():
                # A volume's lines: those with the series and that volume, from the index.
                series = matcher.attribute_mask(offer.series_attribute, offer.series)
                return tuple(
                    (pool.among(series & matcher.attribute_mask(offer.volume_attribute, v)), 1)
                    for v in offer.volumes
                )
            case Bundle(components=components):
                parts = [(among(c.selector), c.quantity) for c in components]
                # The most particular component chooses first: the greedy search's rule
                # then does not give a broad component the only unit a narrow one could use.
                return tuple(sorted(parts, key=lambda part: len(part[0])))

    def possible(self) -> bool:
        """Whether the cart holds enough units for one application at all."""
        units = self.pool.lines
        if not self.parts:
            return False
        for candidates, wanted in self.parts:
            if sum(units[i].quantity for i in candidates) < wanted:
                return False
        everything = sum(units[i].quantity for i in self.candidates)
        return everything >= sum(wanted for _, wanted in self.parts)
