"""Which applications of unit offers to make: the assignment of units giving the lowest price.

The objective is whole money: a unit in an application pays its share of the application's
price (the units' prices less the application's rounded discount); the units a line keeps
out of every unit offer pay what the item discounts leave of them, ``kept[line][count]``
(rounded per line, as the engine applies them). The search minimises the sum.

Offers compete only for units they could both use, so the pool is first split into
independent components (union-find over shared candidate lines); each is solved alone, and
a component's answer is cached for the other candidates of the same pricing.

**Exact search** (dynamic programming over the free units). Take the first line (pool
order) with free units: either every one of its free units stays out of the unit offers, or
one of them joins an application of an offer that accepts it, together with *any* other
units the offer accepts (every combination is tried, not a fixed choice of units). Every
assignment is reached this way, so the minimum over the choices, memoised on the free units
per line, is the lowest price. It gives up past ``EXACT_STATES`` states or ``EXACT_STEPS``
applications tried, and is not tried at all on components of more than ``EXACT_UNITS``
units.

**Best effort** (a component too large): one sweep in pool order; at each line the
application of largest gain (its units' kept-out value less its price) taking the most
expensive units each offer accepts, while one gains. It reports how far from the best it
can be: the gap between what it saves and an upper bound on what any assignment saves
(each unit at most its largest share of any offer's discount, ``offers.unit_cap``).

Ties keep the first found in a fixed order (lines most expensive first then by id; offers
by priority, then promotion id; keeping units out before any application), so the answer
never depends on the order of the cart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from commerce.pricing.offers import Application, Taken, UnitPlan, discount, unit_cap

EXACT_UNITS = 100
EXACT_STATES = 2_000
EXACT_STEPS = 6_000
RULE_UNITS = 120
RULE_STATES = 1_000
# The best-effort sweep compares gains in units of 1/_SCALE of a minor unit.
_SCALE = 1 << 20

Kept = Sequence[tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class Solution:
    """The applications chosen, what they save, and how far from the best that can be."""

    applications: tuple[Application, ...]
    saving: int
    exact: bool
    gap: int = 0


class _TooLarge(Exception):
    """The exact search went past its budget."""


def components(plans: Sequence[UnitPlan]) -> list[list[UnitPlan]]:
    """Plans grouped so that no two groups share a candidate line; in plan order."""
    parent = list(range(len(plans)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[int, int] = {}
    for k, plan in enumerate(plans):
        for line in plan.candidates:
            if line in owner:
                parent[root(k)] = root(owner[line])
            else:
                owner[line] = k
    groups: dict[int, list[UnitPlan]] = {}
    for k, plan in enumerate(plans):
        groups.setdefault(root(k), []).append(plan)
    return list(groups.values())


class _Local:
    """A plan in a component's own numbering (0 = the component's most expensive line)."""

    def __init__(
        self, plan: UnitPlan, local: dict[int, int], lines: Sequence[int], work: list[int]
    ) -> None:
        self.plan = plan
        self.lines = lines
        self.parts = tuple(
            (tuple(local[i] for i in candidates), wanted) for candidates, wanted in plan.parts
        )
        self.mine = tuple(sorted({j for part, _ in self.parts for j in part}))
        self._known: dict[tuple[int, tuple[int, ...]], list[tuple[Taken, int, Application]]] = {}
        # Partial applications enumerated so far, shared by the component's offers: the
        # exact search's budget counts them.
        self.work = work

    def application(self, taken: Taken) -> tuple[int, Application]:
        """(price paid, application) for the local units ``taken``."""
        pool = self.plan.pool
        in_pool = tuple((self.lines[j], n) for j, n in taken)
        cut, weights = discount(self.plan.offer, in_pool, pool.prices)
        full = sum(pool.prices[i] * n for i, n in in_pool)
        return full - cut, Application(self.plan.promotion_id, in_pool, cut, weights)

    def choices(
        self, state: Sequence[int], first: int, every: bool
    ) -> list[tuple[Taken, int, Application]]:
        """Every application taking a unit of ``first`` from the free units ``state``
        (``every`` False: only the one taking the most expensive units each part accepts)."""
        key = (first if every else -1 - first, tuple([state[j] for j in self.mine]))
        known = self._known.get(key)
        if known is not None:
            return known
        if not every:
            taken = self.greedy_choice(state)
            rule: list[tuple[Taken, int, Application]] = []
            if taken is not None and any(j == first for j, _ in taken):
                rule.append((taken, *self.application(taken)))
            self._known[key] = rule
            return rule
        found: dict[Taken, None] = {}
        held = dict.fromkeys(self.mine, 0)
        parts = self.parts

        def fill(p: int, c: int, left: int) -> None:
            self.work[0] += 1
            if left == 0:
                if p + 1 == len(parts):
                    if held.get(first, 0):
                        found[tuple((j, n) for j, n in sorted(held.items()) if n)] = None
                    return
                fill(p + 1, 0, parts[p + 1][1])
                return
            candidates = parts[p][0]
            if c == len(candidates):
                return
            j = candidates[c]
            free = state[j] - held[j]
            for n in range(min(free, left), -1, -1):
                held[j] += n
                fill(p, c + 1, left - n)
                held[j] -= n

        fill(0, 0, parts[0][1])
        answer = []
        for taken in found:
            paid, application = self.application(taken)
            answer.append((taken, paid, application))
        self._known[key] = answer
        return answer

    def greedy_choice(self, state: Sequence[int]) -> Taken | None:
        """The most expensive free units each part accepts, or None when too few."""
        held = dict.fromkeys(self.mine, 0)
        for candidates, wanted in self.parts:
            left = wanted
            for j in candidates:
                free = state[j] - held[j]
                if free > 0:
                    n = min(free, left)
                    held[j] += n
                    left -= n
                    if left == 0:
                        break
            if left:
                return None
        return tuple((j, n) for j, n in sorted(held.items()) if n)


def _exact(
    offers: Sequence[_Local],
    counts: tuple[int, ...],
    kept: Kept,
    *,
    every: bool = True,
    states: int = EXACT_STATES,
    steps_budget: int = EXACT_STEPS,
) -> Solution:
    by_line: list[list[_Local]] = [[] for _ in counts]
    for offer in offers:
        for j in offer.mine:
            by_line[j].append(offer)
    size = len(counts)
    memo: dict[tuple[int, ...], tuple[int, Application | None, tuple[int, ...] | None]] = {}
    steps = 0

    def best(state: tuple[int, ...]) -> int:
        nonlocal steps
        first = 0
        while first < size and state[first] == 0:
            first += 1
        if first == size:
            return 0
        known = memo.get(state)
        if known is not None:
            return known[0]
        if len(memo) >= states:
            raise _TooLarge
        rest = list(state)
        rest[first] = 0
        after = tuple(rest)
        answer = kept[first][state[first]] + best(after)
        chosen: Application | None = None
        follow = after
        for offer in by_line[first]:
            options = offer.choices(state, first, every)
            steps += len(options)
            if steps + offers[0].work[0] > steps_budget:
                raise _TooLarge
            for taken, paid, application in options:
                left = list(state)
                for j, n in taken:
                    left[j] -= n
                nxt = tuple(left)
                cost = paid + best(nxt)
                if cost < answer:
                    answer, chosen, follow = cost, application, nxt
        memo[state] = (answer, chosen, follow)
        return answer

    total = best(counts)
    made: list[Application] = []
    state = counts
    while True:
        known = memo.get(state)
        if known is None:
            break
        _, application, follow = known
        if application is not None:
            made.append(application)
        assert follow is not None
        state = follow
    baseline = sum(kept[j][n] for j, n in enumerate(counts))
    if every:
        return Solution(tuple(made), baseline - total, exact=True)
    saving = baseline - total
    bound = _saving_bound(offers, counts, kept)
    return Solution(tuple(made), saving, exact=False, gap=max(0, bound - saving))


def _best_effort(offers: Sequence[_Local], counts: tuple[int, ...], kept: Kept) -> Solution:
    by_line: list[list[_Local]] = [[] for _ in counts]
    for offer in offers:
        for j in offer.mine:
            by_line[j].append(offer)
    # A unit's value kept out: its line's amount after item discounts, per unit.
    value = [kept[j][n] * _SCALE // n if n else 0 for j, n in enumerate(counts)]
    state = list(counts)
    made: list[Application] = []
    saving = 0
    for first in range(len(counts)):
        while state[first]:
            top: tuple[int, int, Taken, Application] | None = None
            for offer in by_line[first]:
                taken = offer.greedy_choice(state)
                if taken is None or not any(j == first for j, _ in taken):
                    continue
                paid, application = offer.application(taken)
                gain = sum(value[j] * n for j, n in taken) - paid * _SCALE
                if gain > 0 and (top is None or gain > top[0]):
                    top = (gain, paid, taken, application)
            if top is None:
                break
            _, paid, taken, application = top
            made.append(application)
            for j, n in taken:
                state[j] -= n
            saving -= paid
    # Saving against keeping every unit out: what the kept-out units and the applications
    # cost, compared with the baseline.
    for j, n in enumerate(counts):
        saving += kept[j][n] - kept[j][state[j]]
    bound = _saving_bound(offers, counts, kept)
    return Solution(tuple(made), saving, exact=False, gap=max(0, bound - saving))


def _saving_bound(offers: Sequence[_Local], counts: tuple[int, ...], kept: Kept) -> int:
    """No assignment saves more than this against keeping every unit out.

    A unit moved into an application changes what its line pays kept out by at most the
    line's largest step ``kept[j][n + 1] - kept[j][n]`` (item discounts round per line), pays
    its price, and earns at most its cap of the application's exact discount plus the
    half unit the rounding may add.
    """
    total = 0
    for j, n in enumerate(counts):
        plans = [o for o in offers if j in o.mine]
        if not n or not plans:
            continue
        price = plans[0].plan.pool.prices[plans[0].lines[j]]
        step = max(kept[j][k + 1] - kept[j][k] for k in range(n))
        cap = max(unit_cap(o.plan.offer, price) for o in plans)
        per_unit = step - price + math.ceil(cap) + 1
        total += n * max(0, per_unit)
    return total


def solve(
    plans: Sequence[UnitPlan], counts: Sequence[int], kept: Mapping[int, tuple[int, ...]]
) -> Solution:
    """The applications of one component's plans that give the lowest price.

    ``counts`` and ``kept`` are by pool index: each line's units, and what ``k`` of them pay
    when kept out of every unit offer.
    """
    lines = sorted({i for plan in plans for i in plan.candidates})
    local = {i: j for j, i in enumerate(lines)}
    work = [0]
    offers = [_Local(plan, local, lines, work) for plan in plans]
    state = tuple(counts[i] for i in lines)
    tables = [kept[i] for i in lines]
    if sum(state) <= EXACT_UNITS:
        try:
            return _exact(offers, state, tables)
        except _TooLarge:
            pass
    if sum(state) <= RULE_UNITS:
        try:
            return _exact(offers, state, tables, every=False, states=RULE_STATES)
        except _TooLarge:
            pass
    return _best_effort(offers, state, tables)
