"""Unit offers (buy X get Y, series sets, bundles, mix-and-match) as applications on a pool.

The pool is a set of cart lines, sorted most expensive unit first (then by line id), with
the units still free on each. One *application* of an offer takes units from the pool: the
most expensive units its rule accepts (for buy X get Y, the ``buy + get`` most expensive,
the cheapest ``get`` of them discounted). Because the pool is sorted, an application always
takes a unit of the first line with units left when that line is one of its candidates:
the search relies on that (``search.py``).

An application's ``gain`` is what the shopper saves by it compared with leaving its units
to the item discounts (``values``): that is what the search maximises. Its ``discount`` is
exact, against the units' prices; the engine rounds a promotion's discounts once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from commerce.pricing.allocation import EXACT, exact_percent_of
from commerce.pricing.model import (
    Bundle,
    BuyXGetY,
    CartLine,
    MixAndMatch,
    Selector,
    SeriesSet,
    UnitOffer,
)

Taken = tuple[tuple[int, int], ...]
LinesOf = Callable[[Selector], frozenset[str]]


@dataclass(frozen=True, slots=True)
class Application:
    """One use of an offer: the units it takes (line index, count), and what it saves."""

    plan: int
    taken: Taken
    discount: Decimal
    # (line index, weight): how the promotion's rounded discount is split over its lines.
    weights: Taken
    gain: Decimal


@dataclass(frozen=True)
class Pool:
    """The lines unit offers compete for, most expensive unit first."""

    lines: tuple[CartLine, ...]
    prices: tuple[int, ...]
    values: tuple[Decimal, ...]

    @cached_property
    def position(self) -> dict[str, int]:
        """Each line id's index in the pool."""
        return {line.line_id: i for i, line in enumerate(self.lines)}


def _take(
    candidates: Sequence[int],
    counts: Sequence[int],
    held: dict[int, int],
    wanted: int,
    blocked: AbstractSet[int],
) -> list[tuple[int, int]] | None:
    """The ``wanted`` most expensive free units among ``candidates``, or None if too few."""
    taken: list[tuple[int, int]] = []
    for i in candidates:
        if i in blocked:
            continue
        free = counts[i] - held.get(i, 0)
        if free <= 0:
            continue
        n = min(free, wanted)
        taken.append((i, n))
        held[i] = held.get(i, 0) + n
        wanted -= n
        if wanted == 0:
            return taken
    return None


def _merge(parts: Sequence[tuple[int, int]]) -> Taken:
    merged: dict[int, int] = {}
    for i, n in parts:
        merged[i] = merged.get(i, 0) + n
    return tuple(sorted(merged.items()))


class UnitPlan:
    """An offer compiled against a pool: candidate lines per part, in pool order."""

    def __init__(self, index: int, offer: UnitOffer, pool: Pool, lines_of: LinesOf) -> None:
        self.index = index
        self.offer = offer
        self.pool = pool
        self.parts: list[tuple[list[int], int]] = self._parts(offer, pool, lines_of)
        self.candidates = frozenset(i for part, _ in self.parts for i in part)
        self._lines = sorted(self.candidates)
        # An application depends only on the free units of the plan's own lines: the
        # searches ask again for the same ones often (greedy reruns, memo misses).
        self._known: dict[tuple[tuple[int, ...], frozenset[int]], Application | None] = {}

    @staticmethod
    def _parts(offer: UnitOffer, pool: Pool, lines_of: LinesOf) -> list[tuple[list[int], int]]:
        """(candidate line indices, units wanted) for each part of one application."""
        indices = range(len(pool.lines))

        def among(selector: Selector) -> list[int]:
            return sorted(pool.position[line_id] for line_id in lines_of(selector))

        match offer:
            case BuyXGetY(selector=selector, buy=buy, get=get):
                return [(among(selector), buy + get)]
            case MixAndMatch(selector=selector, count=count):
                return [(among(selector), count)]
            case SeriesSet():
                series = [
                    i
                    for i in indices
                    if offer.series in pool.lines[i].attribute_values(offer.series_attribute)
                ]
                return [
                    (
                        [
                            i
                            for i in series
                            if volume in pool.lines[i].attribute_values(offer.volume_attribute)
                        ],
                        1,
                    )
                    for volume in offer.volumes
                ]
            case Bundle(components=components):
                parts = [(among(c.selector), c.quantity) for c in components]
                # The most particular component chooses first, so that a broad one does not
                # take the only unit a narrow one could use.
                return sorted(parts, key=lambda part: len(part[0]))

    def apply(
        self, counts: Sequence[int], blocked: AbstractSet[int] = frozenset()
    ) -> Application | None:
        """The next application on the free units ``counts`` (none from ``blocked`` lines),
        or None when it cannot apply."""
        key = (tuple([counts[i] for i in self._lines]), frozenset(blocked))
        if key in self._known:
            return self._known[key]
        found = self._apply(counts, blocked)
        self._known[key] = found
        return found

    def _apply(self, counts: Sequence[int], blocked: AbstractSet[int]) -> Application | None:
        held: dict[int, int] = {}
        parts: list[tuple[int, int]] = []
        for candidates, wanted in self.parts:
            got = _take(candidates, counts, held, wanted, blocked)
            if got is None:
                return None
            parts.extend(got)
        taken = _merge(parts)
        prices = self.pool.prices
        full = sum(prices[i] * n for i, n in taken)
        offer = self.offer
        if isinstance(offer, BuyXGetY):
            # The group is in pool order, so its last ``get`` units are its cheapest.
            free: list[tuple[int, int]] = []
            left = offer.get
            for i, n in reversed(parts):
                k = min(n, left)
                if k:
                    free.append((i, prices[i] * k))
                left -= k
            weights = _merge(free)
            discount = exact_percent_of(sum(w for _, w in weights), offer.percent)
        else:
            weights = tuple((i, prices[i] * n) for i, n in taken)
            if isinstance(offer, SeriesSet):
                discount = exact_percent_of(full, offer.percent)
            elif offer.price is not None:
                discount = Decimal(max(0, full - offer.price))
            else:
                assert isinstance(offer, Bundle)
                discount = exact_percent_of(full, offer.percent or Decimal(0))
        value = Decimal(0)
        for i, n in taken:
            value = EXACT.add(value, EXACT.multiply(self.pool.values[i], Decimal(n)))
        gain = EXACT.subtract(value, EXACT.subtract(Decimal(full), discount))
        return Application(self.index, taken, discount, weights, gain)
