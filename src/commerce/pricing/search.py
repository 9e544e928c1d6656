"""Which applications of unit offers to make: the combination saving the shopper the most.

Offers compete only for units they could both use, so the pool is first split into
independent components (union-find over shared candidate lines); each is solved alone.

Exact search (a component of at most ``EXACT_UNITS`` units): the first line with units left
(the most expensive) either keeps one unit out of every offer, or joins one application of
an offer that accepts it; the rest of the application takes the most expensive units its
rule accepts. Memoised on the free units left per line; a component that reaches
``EXACT_STATES`` states falls back to the greedy search. Time O(states x offers x lines),
states at most the product of (quantity + 1) over the component's lines, in practice the
combinations of disjoint applications.

Greedy search (larger components): repeatedly make the application with the largest gain;
then, as local improvement, run it again with each of the (at most ``IMPROVEMENT_RUNS``)
offers that gained most left out in turn, and keep the best. Time
O(applications x offers x lines) per run, at most ``IMPROVEMENT_RUNS + 1`` runs.

Ties keep the first found, in a fixed order (lines most expensive first then by id; offers
by priority, then promotion id), so the answer never depends on the order of the cart.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from commerce.pricing.allocation import EXACT
from commerce.pricing.offers import Application, UnitPlan

EXACT_UNITS = 120
EXACT_STATES = 4000
IMPROVEMENT_RUNS = 4

Solution = tuple[Decimal, tuple[Application, ...]]
NOTHING: Solution = (Decimal(0), ())


class _TooLarge(Exception):
    """The exact search went past its state budget."""


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


def _without(counts: tuple[int, ...], taken: Sequence[tuple[int, int]]) -> tuple[int, ...]:
    left = list(counts)
    for i, n in taken:
        left[i] -= n
    return tuple(left)


def exact(plans: Sequence[UnitPlan], counts: tuple[int, ...]) -> Solution:
    """The best combination by memoised search (``_TooLarge`` past the state budget)."""
    by_line: dict[int, list[UnitPlan]] = {}
    for plan in plans:
        for line in plan.candidates:
            by_line.setdefault(line, []).append(plan)
    lines = sorted(by_line)
    memo: dict[tuple[int, ...], Solution] = {}

    def best(state: tuple[int, ...], start: int) -> Solution:
        while start < len(lines) and state[lines[start]] == 0:
            start += 1
        if start == len(lines):
            return NOTHING
        known = memo.get(state)
        if known is not None:
            return known
        if len(memo) >= EXACT_STATES:
            raise _TooLarge
        line = lines[start]
        kept = list(state)
        kept[line] -= 1
        answer = best(tuple(kept), start)
        for plan in by_line[line]:
            application = plan.apply(state)
            if application is None or application.gain <= 0:
                continue
            gain, rest = best(_without(state, application.taken), start)
            combined = EXACT.add(application.gain, gain)
            if combined > answer[0]:
                answer = (combined, (application, *rest))
        memo[state] = answer
        return answer

    return best(counts, 0)


def _worthwhile(plan: UnitPlan, counts: tuple[int, ...], blocked: set[int]) -> Application | None:
    """The plan's next application that saves something, or None.

    When the most expensive units would save nothing (item discounts already make them
    cheaper), the unit losing most by joining is kept out of this offer (``blocked``, for
    the rest of the run) and the next units are tried.
    """
    while True:
        application = plan.apply(counts, blocked)
        if application is None or application.gain > 0:
            return application
        values, prices = plan.pool.values, plan.pool.prices
        worst = max(application.taken, key=lambda t: (prices[t[0]] - values[t[0]], -t[0]))
        blocked.add(worst[0])


def greedy(
    plans: Sequence[UnitPlan], counts: tuple[int, ...], left_out: UnitPlan | None = None
) -> Solution:
    """Largest gain first, until no application saves anything.

    A plan's next application changes only when units it would take are taken (it takes
    the first free units in pool order, so a line it skips has none free or comes after
    its last unit): only those plans are asked again after each step.
    """
    total = Decimal(0)
    made: list[Application] = []
    live = {plan.index: plan for plan in plans if plan is not left_out}
    current: dict[int, Application] = {}
    users: dict[int, set[int]] = {}
    blocked: dict[int, set[int]] = {}

    def refresh(k: int, state: tuple[int, ...]) -> None:
        old = current.pop(k, None)
        if old is not None:
            for i, _ in old.taken:
                users[i].discard(k)
        new = _worthwhile(live[k], state, blocked.setdefault(k, set()))
        if new is not None:
            current[k] = new
            for i, _ in new.taken:
                users.setdefault(i, set()).add(k)

    for k in live:
        refresh(k, counts)
    while current:
        chosen = current[min(current, key=lambda k: (-current[k].gain, k))]
        made.append(chosen)
        total = EXACT.add(total, chosen.gain)
        counts = _without(counts, chosen.taken)
        touched = sorted({k for i, _ in chosen.taken for k in users.get(i, ())})
        for k in touched:
            refresh(k, counts)
    return total, tuple(made)


def improved_greedy(plans: Sequence[UnitPlan], counts: tuple[int, ...]) -> Solution:
    """Greedy, then greedy with each offer it used left out in turn: the best of these.

    Leaving out an offer greedy never chose would replay the same run, so only the
    chosen ones are tried: the ``IMPROVEMENT_RUNS`` that gained the most.
    """
    answer = greedy(plans, counts)
    gains: dict[int, Decimal] = {}
    for application in answer[1]:
        gains[application.plan] = EXACT.add(
            gains.get(application.plan, Decimal(0)), application.gain
        )
    # The offers that gained the most are the likeliest to have crowded out better pairs.
    tried = sorted(gains, key=lambda k: (-gains[k], k))[:IMPROVEMENT_RUNS]
    for plan in plans:
        if plan.index in tried:
            other = greedy(plans, counts, left_out=plan)
            if other[0] > answer[0]:
                answer = other
    return answer


def best_applications(plans: Sequence[UnitPlan], counts: tuple[int, ...]) -> list[Application]:
    """The applications to make, over every independent component."""
    chosen: list[Application] = []
    for group in components(plans):
        lines = {i for plan in group for i in plan.candidates}
        units = sum(counts[i] for i in lines)
        if len(group) == 1:
            # One offer alone: most expensive units first, skipping units it cannot help.
            solution = greedy(group, counts)
        elif units <= EXACT_UNITS:
            try:
                solution = exact(group, counts)
            except _TooLarge:
                solution = improved_greedy(group, counts)
        else:
            solution = improved_greedy(group, counts)
        chosen.extend(solution[1])
    return chosen
