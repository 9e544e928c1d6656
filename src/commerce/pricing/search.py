"""Which applications of unit offers to make: the assignment of units giving the lowest price.

The objective is whole money: a unit in an application pays its share of the application's
price (the units' prices less the application's rounded discount); the units a line keeps
out of every unit offer pay what the item discounts leave of them, ``kept[line][count]``
(rounded per line, as the engine applies them). The search minimises the sum.

Offers compete only for units they could both use, so the pool is first split into
independent components (union-find over shared candidate lines); each is solved alone, and
every answer is kept per pricing (``Memo``) for the other candidates and the coupled search.

**Exact: the sweep** (``_sweep``), for components whose offers are all fixed prices
(mix-and-match, a bundle for a price) or buy X get *one*, while the states it can hold
after a line stay within ``SWEEP_STATES``. It walks the lines most expensive first; a state
is what each offer's unfinished applications hold; each unit stays out or joins an offer,
and states reached twice keep the cheaper way. A fixed price costs the same however the
units assigned to its parts are grouped, so it remembers only the units per part not yet in
a whole application; for buy X get one, groups of consecutive units in price order give each
group's cheapest (discounted) unit at least as high as any other grouping, and rounding is
monotone, so one open group per offer is enough. Every assignment is a path through the
sweep, so its cheapest end is the lowest price, whatever the number of units. (Buy X get
several and percentages of a set round per application, and grouping the same units
differently can change the price by a cent: they go to the enumeration.)

**Exact: the enumeration** (dynamic programming over the free units). Take the first line
(pool order) with free units: either every one of its free units stays out of the unit
offers, or one of them joins an application of an offer that accepts it, together with
*any* other units the offer accepts (every combination is tried, not a fixed choice of
units). Every assignment is reached this way, so the minimum over the choices, memoised on
the free units per line, is the lowest price. It gives up past ``EXACT_STATES`` states or
``EXACT_STEPS`` applications tried, and is not tried at all on components of more than
``EXACT_UNITS`` units.

Before any of them, offers another one always does at least as well as are dropped
(``_undominated``: the same parts at a higher fixed price, a lower percentage, or a buy X
get Y needing more units for the same gift), so rival multi-buys on one shelf cost the
sweep one memory, not several.

**Exact: the coupled search** (``_Coupled``), for a component the sweep and the enumeration
do not take: offers with a single application each (a bundle of named variants) link parts
that would otherwise be independent (the multi-buys of a shelf). It branches on how many
times each such bundle applies, each part searched exactly on the units left, bounded by a
Lagrangian relaxation (the bundles' prices shared over their units, which the parts may then
"sell" to them as they keep units out). Past ``COUPLED_SOLVES`` part searches or
``COUPLED_NODES`` nodes it stops with the best found, a best effort with the root's bound.

**Best effort** (a component too large for all three): the enumeration with each offer proposing
only the application of the most expensive units each part accepts (up to ``RULE_UNITS``
units), else one greedy pass in pool order; at each line the application of largest gain
(its units' kept-out value less its price) taking the most expensive units each offer
accepts, while one gains. It reports how far from the best it can be: the gap between what
it saves and an upper bound on what any assignment saves (each unit at most its largest
share of any offer's discount, ``offers.unit_cap``).

Ties keep the first found in a fixed order (lines most expensive first then by id; offers
by priority, then promotion id; keeping units out before any application), so the answer
never depends on the order of the cart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from commerce.money import round_minor
from commerce.pricing.allocation import exact_percent_of
from commerce.pricing.model import Bundle, BuyXGetY, MixAndMatch, SeriesSet
from commerce.pricing.offers import Application, Taken, UnitPlan, discount

EXACT_UNITS = 100
EXACT_STATES = 2_000
EXACT_STEPS = 6_000
RULE_UNITS = 120
RULE_STATES = 1_000
SWEEP_STATES = 400
# The coupled search: at most this many searches of the parts left between the offers of
# one application, and this many nodes of its branch and bound.
COUPLED_SOLVES = 20
COUPLED_NODES = 2_000
# A best-effort component of at most this many offers is also priced with each alone.
ALONE_OFFERS = 4
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


# Answers of one pricing by (promotion ids, units per line, kept-out tables per line).
Memo = dict[tuple[tuple[str, ...], tuple[int, ...], tuple[tuple[int, ...], ...]], Solution]


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
        self._applications: dict[Taken, tuple[int, Application]] = {}
        self._known: dict[tuple[int, tuple[int, ...]], list[tuple[Taken, int, Application]]] = {}
        # An offer whose every part names a single line (a bundle of named variants) has
        # one application only: the searches test it against the free units directly.
        self.single: tuple[Taken, int, Application] | None = None
        if all(len(candidates) == 1 for candidates, _ in self.parts):
            units: dict[int, int] = {}
            for candidates, wanted in self.parts:
                units[candidates[0]] = units.get(candidates[0], 0) + wanted
            taken = tuple(sorted(units.items()))
            self.single = (taken, *self.application(taken))
        # Partial applications enumerated so far, shared by the component's offers: the
        # exact search's budget counts them.
        self.work = work
        # The sweep's moves per (memory, line): see ``_SweepOffer.joins``.
        self.joins: dict[tuple[tuple[int, ...], int], list[tuple[tuple[int, ...], int, int]]] = {}

    def application(self, taken: Taken) -> tuple[int, Application]:
        """(price paid, application) for the local units ``taken`` (the greedy pass asks
        for the same ones again until their lines change)."""
        known = self._applications.get(taken)
        if known is None:
            known = self._applications[taken] = self._application(taken)
        return known

    def _application(self, taken: Taken) -> tuple[int, Application]:
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


# A sweep's memory of one offer: units per part not yet in a whole application (a fixed
# price), or the units of the open group (buy X get one); a state holds one per offer.
# The sweep numbers each offer's memories as it meets them and a state is one integer, the
# memories' numbers in mixed radix (an offer's radix: how many memories it can have); within
# a line a key is ``state * (units of the line + 1) + units kept out so far``.
# Per unit: key -> (key before, offer index or -1 for kept out, part joined).
_Back = dict[int, tuple[int, int, int]]
_Joins = list[tuple[tuple[int, ...], int, int]]
# (change of the key, cost paid now, part) for a unit joining an offer.
_Moves = list[tuple[int, int, int]]


class _SweepOffer:
    """One offer of a component as the sweep moves it: how a unit joins, what is left."""

    def __init__(self, local: _Local, index: int, counts: Sequence[int]) -> None:
        offer = local.plan.offer
        self.index = index
        self.local = local
        self.wanted = tuple(wanted for _, wanted in local.parts)
        self.accepts = {
            j: tuple(p for p, (lines, _) in enumerate(local.parts) if j in lines)
            for j in local.mine
        }
        self.cheapest = isinstance(offer, BuyXGetY)
        self.percent = offer.percent if isinstance(offer, BuyXGetY) else Decimal(0)
        self.fixed = offer.price or 0 if isinstance(offer, Bundle | MixAndMatch) else 0
        self.start = tuple(0 for _ in self.wanted)
        # How units join depends on the offer and the component's lines only, not on the
        # counts: kept on the offer's local numbering, for every sweep of the pricing.
        self._joins = local.joins
        self._finishes: dict[tuple[tuple[int, ...], int], bool] = {}
        # The memories met so far, numbered (the start is 0), and the place of this
        # offer's number in a state (set by the sweep).
        self.memories: list[tuple[int, ...]] = [self.start]
        self.numbers: dict[tuple[int, ...], int] = {self.start: 0}
        self.radix = 1
        self.size = 1
        self._moves: dict[tuple[int, int], _Moves] = {}
        self._ends: dict[tuple[int, int], bool] = {}
        # Units each part can still take after each line: a state that cannot finish its
        # applications with them is dropped.
        self.supply: list[tuple[int, ...]] = []
        for lines, _ in local.parts:
            left, after = sum(counts[j] for j in lines), []
            for j in range(len(counts)):
                if j in lines:
                    left -= counts[j]
                after.append(left)
            self.supply.append(tuple(after))

    def moves(self, memory: int, j: int, price: int, width: int) -> _Moves:
        """``joins`` in the sweep's numbers: how a key of line ``j`` (``width`` its units
        plus one) changes when a unit joins this offer with memory number ``memory``."""
        key = (memory, j)
        known = self._moves.get(key)
        if known is None:
            known = []
            for held, paid, part in self.joins(self.memories[memory], j, price):
                number = self.numbers.get(held)
                if number is None:
                    number = self.numbers[held] = len(self.memories)
                    self.memories.append(held)
                known.append(((number - memory) * self.radix * width, paid, part))
            self._moves[key] = known
        return known

    def ends(self, memory: int, j: int) -> bool:
        """``can_finish`` in the sweep's numbers."""
        key = (memory, j)
        known = self._ends.get(key)
        if known is None:
            known = self._ends[key] = self.can_finish(self.memories[memory], j)
        return known

    def joins(self, held: tuple[int, ...], j: int, price: int) -> _Joins:
        """(next memory, cost paid now, part) for a unit of line ``j`` joining this offer;
        the same few memories meet the same lines again and again, so each is worked out
        once."""
        key = (held, j)
        known = self._joins.get(key)
        if known is None:
            known = self._joins[key] = self._join(held, j, price)
        return known

    def _join(self, held: tuple[int, ...], j: int, price: int) -> _Joins:
        if self.cheapest:
            # Units come most expensive first: the one closing the group is its cheapest,
            # the one the offer discounts. Units pay their price as they join.
            if held[0] + 1 == self.wanted[0]:
                cut = min(price, round_minor(exact_percent_of(price, self.percent)))
                return [((0,), price - cut, 0)]
            return [((held[0] + 1,), price, 0)]
        found = []
        for p in self.accepts[j]:
            grown = (*held[:p], held[p] + 1, *held[p + 1 :])
            if all(h >= w for h, w in zip(grown, self.wanted, strict=True)):
                # A whole application: its price is paid once, whichever units make it.
                done = tuple(h - w for h, w in zip(grown, self.wanted, strict=True))
                found.append((done, self.fixed, p))
            else:
                found.append((grown, 0, p))
        return found

    def can_finish(self, held: tuple[int, ...], j: int) -> bool:
        """Whether the units after line ``j`` can still complete what ``held`` started."""
        key = (held, j)
        known = self._finishes.get(key)
        if known is None:
            known = self._finishes[key] = self._can_finish(held, j)
        return known

    def _can_finish(self, held: tuple[int, ...], j: int) -> bool:
        if not any(held):
            return True
        rounds = max(-(-h // w) for h, w in zip(held, self.wanted, strict=True))
        return all(
            rounds * w - h <= after[j]
            for h, w, after in zip(held, self.wanted, self.supply, strict=True)
        )


def _memory_size(local: _Local, counts: tuple[int, ...]) -> int | None:
    """How many memories the sweep can hold for an offer, or None when it cannot remember
    the offer in short."""
    offer = local.plan.offer
    if isinstance(offer, BuyXGetY) and offer.get == 1:
        return offer.buy + 1
    if isinstance(offer, MixAndMatch):
        return offer.count
    if isinstance(offer, Bundle) and offer.price is not None:
        size = 1
        for lines, _ in local.parts:
            size *= sum(counts[j] for j in lines) + 1
        return size
    return None


def _sweep_states(offers: Sequence[_Local], counts: tuple[int, ...]) -> int:
    """At most how many states the sweep holds after a line, or ``SWEEP_STATES + 1`` when
    that is more than it takes on or an offer is one it cannot remember in short."""
    found = 1
    for local in offers:
        size = _memory_size(local, counts)
        if size is None:
            return SWEEP_STATES + 1
        found *= size
        if found > SWEEP_STATES:
            return SWEEP_STATES + 1
    return found


def _sweep(offers: Sequence[_Local], counts: tuple[int, ...], kept: Kept) -> Solution:
    """The lowest price, by the sweep over the lines (offers ``_sweep_states`` admits)."""
    sweeping = [_SweepOffer(offer, k, counts) for k, offer in enumerate(offers)]
    radix = 1
    for offer in sweeping:
        size = _memory_size(offer.local, counts)
        assert size is not None
        offer.radix, offer.size = radix, size
        radix *= size
    by_line: list[list[_SweepOffer]] = [[] for _ in counts]
    for offer in sweeping:
        for j in offer.local.mine:
            by_line[j].append(offer)
    prices = [offers[0].plan.pool.prices[i] for i in offers[0].lines]
    costs: dict[int, int] = {0: 0}
    steps: list[_Back] = []
    ends: list[dict[int, int]] = []
    for j, count in enumerate(counts):
        price, mine, width = prices[j], by_line[j], count + 1
        current = {state * width: cost for state, cost in costs.items()}
        # Per state of the line, every move a unit can make (the same states meet every
        # unit of the line: worked out once).
        moving: dict[int, list[tuple[int, int, int, int]]] = {}
        for _ in range(count):
            reached: dict[int, int] = {}
            back: _Back = {}
            for at, cost in current.items():
                key = at + 1
                best = reached.get(key)
                if best is None or cost < best:
                    reached[key], back[key] = cost, (at, -1, 0)
                state = at // width
                found = moving.get(state)
                if found is None:
                    found = moving[state] = [
                        (change, paid, offer.index, part)
                        for offer in mine
                        for change, paid, part in offer.moves(
                            state // offer.radix % offer.size, j, price, width
                        )
                    ]
                for change, paid, index, part in found:
                    key = at + change
                    total = cost + paid
                    best = reached.get(key)
                    if best is None or total < best:
                        reached[key], back[key] = total, (at, index, part)
            steps.append(back)
            current = reached
        costs, end = _line_end(current, width, mine, j, kept[j])
        ends.append(end)
    made, used = _replay(sweeping, counts, steps, ends)
    # Against keeping every unit out, what the applications (at their own prices: a fixed
    # price never costs more than its units) and the units kept out pay.
    paid = sum(price for price, _ in made)
    paid += sum(kept[j][n - used[j]] for j, n in enumerate(counts))
    saving = sum(kept[j][n] for j, n in enumerate(counts)) - paid
    return Solution(tuple(application for _, application in made), saving, exact=True)


def _line_end(
    current: dict[int, int], width: int, mine: Sequence[_SweepOffer], j: int, table: tuple[int, ...]
) -> tuple[dict[int, int], dict[int, int]]:
    """After the last unit of line ``j``: what its units kept out pay, states that can no
    longer finish their applications dropped; (cost per state, the key it came from)."""
    costs: dict[int, int] = {}
    end: dict[int, int] = {}
    # The memories (numbered so far: the states hold no others) that cannot finish, per
    # offer; most offers have none at most lines, and then no state is checked for them.
    stuck = []
    for offer in mine:
        bad = frozenset(m for m in range(len(offer.memories)) if not offer.ends(m, j))
        if bad:
            stuck.append((offer.radix, offer.size, bad))
    for at, cost in current.items():
        state, out = divmod(at, width)
        if stuck and any(state // radix % size in bad for radix, size, bad in stuck):
            continue
        total = cost + table[out]
        best = costs.get(state)
        if best is None or total < best:
            costs[state], end[state] = total, at
    return costs, end


def _replay(
    sweeping: Sequence[_SweepOffer],
    counts: tuple[int, ...],
    steps: Sequence[_Back],
    ends: Sequence[dict[int, int]],
) -> tuple[list[tuple[int, Application]], list[int]]:
    """The applications along the cheapest path, (price paid, application) each, and the
    units of each line they take. A unit joining a part goes to the first application
    still short there: any grouping of a fixed price's units costs the same, and a buy X
    get one groups consecutive units, as the sweep priced them."""
    moves: list[tuple[int, int, int]] = []
    state, step = 0, len(steps)
    for j in range(len(counts) - 1, -1, -1):
        at = ends[j][state]
        for _ in range(counts[j]):
            step -= 1
            at, k, part = steps[step][at]
            if k >= 0:
                moves.append((j, k, part))
        state = at // (counts[j] + 1)
    moves.reverse()
    used = [0] * len(counts)
    made: list[tuple[int, Application]] = []
    unfinished: dict[int, list[list[list[int]]]] = {}
    for j, k, part in moves:
        offer = sweeping[k]
        used[j] += 1
        mine = unfinished.setdefault(k, [])
        slot = next((a for a in mine if len(a[part]) < offer.wanted[part]), None)
        if slot is None:
            slot = [[] for _ in offer.wanted]
            mine.append(slot)
        slot[part].append(j)
        if all(len(units) == w for units, w in zip(slot, offer.wanted, strict=True)):
            mine.remove(slot)
            taken: dict[int, int] = {}
            for units in slot:
                for line in units:
                    taken[line] = taken.get(line, 0) + 1
            made.append(offer.local.application(tuple(sorted(taken.items()))))
    return made, used


def _by_line(offers: Sequence[_Local], size: int) -> list[list[_Local]]:
    """The offers that accept units of each line (in the component's numbering)."""
    by_line: list[list[_Local]] = [[] for _ in range(size)]
    for offer in offers:
        for j in offer.mine:
            by_line[j].append(offer)
    return by_line


def _exact(
    offers: Sequence[_Local],
    counts: tuple[int, ...],
    kept: Kept,
    *,
    every: bool = True,
    states: int = EXACT_STATES,
    steps_budget: int = EXACT_STEPS,
) -> Solution:
    by_line = _by_line(offers, len(counts))
    size = len(counts)
    memo: dict[tuple[int, ...], tuple[int, Application | None, tuple[int, ...] | None]] = {}
    steps = 0
    work = offers[0].work

    def best(state: tuple[int, ...]) -> int:
        nonlocal steps
        known = memo.get(state)
        if known is not None:
            return known[0]
        first = 0
        while first < size and state[first] == 0:
            first += 1
        if first == size:
            return 0
        if len(memo) >= states:
            raise _TooLarge
        rest = list(state)
        rest[first] = 0
        after = tuple(rest)
        answer = kept[first][state[first]] + best(after)
        chosen: Application | None = None
        follow = after
        for offer in by_line[first]:
            single = offer.single
            if single is not None:
                # One application only: it fits the free units or the offer passes
                # (checked inline: this is the search's innermost loop).
                for j, n in single[0]:
                    if state[j] < n:
                        break
                else:
                    steps += 1
                    left = list(state)
                    for j, n in single[0]:
                        left[j] -= n
                    nxt = tuple(left)
                    cost = single[1] + best(nxt)
                    if cost < answer:
                        answer, chosen, follow = cost, single[2], nxt
                continue
            options = offer.choices(state, first, every)
            steps += len(options)
            if steps + work[0] > steps_budget:
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
    made = _path(memo, counts)
    baseline = sum(kept[j][n] for j, n in enumerate(counts))
    if every:
        return Solution(tuple(made), baseline - total, exact=True)
    saving = baseline - total
    bound = _saving_bound(offers, counts, kept)
    return Solution(tuple(made), saving, exact=False, gap=max(0, bound - saving))


def _path(
    memo: dict[tuple[int, ...], tuple[int, Application | None, tuple[int, ...] | None]],
    counts: tuple[int, ...],
) -> list[Application]:
    """The applications along the memoised cheapest choices, from the whole pool on."""
    made: list[Application] = []
    state = counts
    while True:
        known = memo.get(state)
        if known is None:
            return made
        _, application, follow = known
        if application is not None:
            made.append(application)
        assert follow is not None
        state = follow


def _pick(
    offer: _Local, state: Sequence[int], value: Sequence[int]
) -> tuple[int, int, Taken, Application, frozenset[int]] | None:
    """(gain, price paid, units, application, their lines) of the offer's application of
    the most expensive free units, or None when too few are free."""
    taken = offer.greedy_choice(state)
    if taken is None:
        return None
    paid, application = offer.application(taken)
    gain = sum(value[j] * n for j, n in taken) - paid * _SCALE
    return gain, paid, taken, application, frozenset(j for j, _ in taken)


def _best_effort(offers: Sequence[_Local], counts: tuple[int, ...], kept: Kept) -> Solution:
    by_line = _by_line(offers, len(counts))
    # A unit's value kept out: its line's amount after item discounts, per unit.
    value = [kept[j][n] * _SCALE // n if n else 0 for j, n in enumerate(counts)]
    state = list(counts)
    made: list[Application] = []
    saving = 0
    # Each offer's most expensive free units, kept until an application takes units of
    # one of their lines: free units only shrink, and units taken elsewhere leave the
    # choice as it was (None stays None).
    # With it, the lines it takes, what it pays and its gain (the values do not change).
    picks: dict[int, tuple[int, int, Taken, Application, frozenset[int]] | None] = {}
    for first in range(len(counts)):
        while state[first]:
            top: tuple[int, int, Taken, Application, frozenset[int]] | None = None
            for offer in by_line[first]:
                key = id(offer)
                if key in picks:
                    pick = picks[key]
                else:
                    pick = picks[key] = _pick(offer, state, value)
                if pick is None or first not in pick[4]:
                    continue
                if pick[0] > 0 and (top is None or pick[0] > top[0]):
                    top = pick
            if top is None:
                break
            _, paid, taken, application, _ = top
            made.append(application)
            for j, n in taken:
                state[j] -= n
                for other in by_line[j]:
                    picks.pop(id(other), None)
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
    by_line = _by_line(offers, len(counts))
    total = 0
    for j, n in enumerate(counts):
        plans = by_line[j]
        if not n or not plans:
            continue
        price = plans[0].plan.pool.prices[plans[0].lines[j]]
        step = max(kept[j][k + 1] - kept[j][k] for k in range(n))
        cap = max(o.plan.cap(price) for o in plans)
        per_unit = step - price + cap + 1
        total += n * max(0, per_unit)
    return total


def _largest_step(table: tuple[int, ...]) -> int:
    """The most one more unit kept out adds to what its line pays."""
    return max((table[k + 1] - table[k] for k in range(len(table) - 1)), default=0)


def _rival_key(plan: UnitPlan) -> tuple[object, ...]:
    """Plans with equal keys take the same units the same way: one may beat the other."""
    offer = plan.offer
    if isinstance(offer, BuyXGetY):
        return ("buy", plan.parts[0][0], offer.get)
    if isinstance(offer, MixAndMatch) or (isinstance(offer, Bundle) and offer.price is not None):
        return ("fixed", plan.parts)
    return ("percent", plan.parts)


def _beats(winner: UnitPlan, loser: UnitPlan, honest: bool) -> bool:
    """Whether ``winner`` (of the same key) always does at least as well as ``loser``."""
    a, b = winner.offer, loser.offer
    if isinstance(a, BuyXGetY) and isinstance(b, BuyXGetY):
        return a.percent >= b.percent and (a.buy == b.buy or (a.buy < b.buy and honest))
    if (
        isinstance(a, MixAndMatch | Bundle)
        and isinstance(b, MixAndMatch | Bundle)
        and a.price is not None
        and b.price is not None
    ):
        return a.price <= b.price
    if isinstance(a, SeriesSet | Bundle) and isinstance(b, SeriesSet | Bundle):
        return (a.percent or Decimal(0)) >= (b.percent or Decimal(0))
    return False


def _undominated(
    plans: Sequence[UnitPlan], counts: Sequence[int], kept: Mapping[int, tuple[int, ...]]
) -> list[UnitPlan]:
    """The plans less those another one always does at least as well as.

    On the same parts: a fixed price (mix-and-match, a bundle for a price) is beaten by a
    lower or equal one, a percentage of the set (a series set, a percentage bundle) by a
    higher or equal one, and a buy X get Y by one with the same ``get``, a percentage at
    least as high and a ``buy`` no larger, while no unit kept out pays more than its price:
    any application of the beaten offer can be made by the other on the same units (for
    the smaller ``buy``, on its cheapest units, the rest kept out for no more than they
    paid in it), so dropping it never raises the lowest price. Of equals the first (plan
    order) stays. Two multi-buys of one shelf at different prices then cost the sweep one
    memory, not two.
    """
    groups: dict[tuple[object, ...], list[int]] = {}
    for k, plan in enumerate(plans):
        groups.setdefault(_rival_key(plan), []).append(k)
    dropped: set[int] = set()
    for members in groups.values():
        if len(members) < 2:
            continue
        lines = plans[members[0]].candidates
        honest = all(
            kept[i][k + 1] - kept[i][k] <= plans[members[0]].pool.prices[i]
            for i in lines
            for k in range(counts[i])
        )
        for p in members:
            for q in members:
                if q == p or not _beats(plans[q], plans[p], honest):
                    continue
                if q < p or not _beats(plans[p], plans[q], honest):
                    dropped.add(p)
                    break
    return [plan for k, plan in enumerate(plans) if k not in dropped]


def _single(plan: UnitPlan) -> Taken | None:
    """The units of the one application an offer naming a single line per part has."""
    if not all(len(candidates) == 1 for candidates, _ in plan.parts):
        return None
    units: dict[int, int] = {}
    for candidates, wanted in plan.parts:
        units[candidates[0]] = units.get(candidates[0], 0) + wanted
    return tuple(sorted(units.items()))


# A bundle of named variants in the coupled search: plan, its units, what its one
# application pays, the most it can save, and the application.
_Single = tuple[UnitPlan, Taken, int, int, Application]


class _Coupled:
    """Branch and bound over the offers that have one application each (bundles of named
    variants), with the rest split into the independent parts those offers linked, each
    part searched exactly on the units left.

    A bundle that saves nothing even against its units' dearest kept-out steps is never
    worth making (keeping its units out instead costs no more) and is left out. The others
    are branched on, the most promising first, from as many applications as the units
    allow down to none. A node's value is exact: the fixed bundles, and each part searched
    exactly on the units they leave (cached by those units: parts meet the same counts
    again and again). Its bound is the lower of two:

    - for every bundle still open, as many applications as its units allow times the most
      one saves (its units' dearest kept-out steps less its price): removing a unit from a
      part lowers the part's price by at most its kept-out step (keeping it out is always
      possible), so no completion saves more;
    - a Lagrangian relaxation: each open bundle's price shared over its units (in
      proportion to their dearest steps, rounded down), the bundles' consistency dropped,
      so that a line's units kept out may also be sold to them at the lowest such share;
      each part searched exactly with those kept-out tables. Any completion is one of the
      relaxation's choices at no lower price, so none saves more.

    A node whose bound does not beat the best found is cut, so the first best found stays.
    Past ``COUPLED_NODES`` nodes or ``COUPLED_SOLVES`` part searches the best found so far
    is a best effort, its gap the root's bound less its saving.
    """

    def __init__(
        self,
        singles: list[_Single],
        parts: list[list[UnitPlan]],
        counts: Sequence[int],
        kept: Mapping[int, tuple[int, ...]],
        lines: Sequence[int],
        *,
        memo: Memo | None,
    ) -> None:
        self.memo = memo
        self.singles = sorted(singles, key=lambda s: -s[3])
        self.parts = parts
        self.part_lines = [tuple(sorted({i for p in part for i in p.candidates})) for part in parts]
        self.counts = counts
        self.kept = kept
        self.lines = lines
        self.left = list(counts)
        self.solved: dict[tuple[int, tuple[int, ...]], Solution] = {}
        self.relaxed_solved: dict[
            tuple[int, tuple[int, ...], tuple[tuple[int, ...], ...]], int
        ] = {}
        self.shares: list[dict[int, int]] = []
        for _, taken, paid, _, _ in self.singles:
            steps = {i: _largest_step(kept[i]) for i, _ in taken}
            whole = sum(n * steps[i] for i, n in taken)
            self.shares.append({i: paid * steps[i] // whole for i, _ in taken})
        self.best_saving = -1
        self.best_counts: list[int] = []
        self.chosen = [0] * len(self.singles)
        self.nodes = 0
        self.root_bound: int | None = None

    def _budget(self) -> None:
        if len(self.solved) + len(self.relaxed_solved) >= COUPLED_SOLVES:
            raise _TooLarge

    def searched(self, g: int) -> Solution:
        """Part ``g`` searched exactly on the units left."""
        key = (g, tuple([self.left[i] for i in self.part_lines[g]]))
        known = self.solved.get(key)
        if known is None:
            self._budget()
            known = solve(self.parts[g], self.left, self.kept, self.memo)
            if not known.exact:
                raise _TooLarge
            self.solved[key] = known
        return known

    def _most(self, taken: Taken) -> int:
        return min(self.left[i] // n for i, n in taken)

    def relaxed(self, k: int, paid: int) -> int:
        """The Lagrangian bound at a node whose first ``k`` bundles are fixed."""
        rate: dict[int, int] = {}
        cap: dict[int, int] = {}
        for s in range(k, len(self.singles)):
            taken = self.singles[s][1]
            most = self._most(taken)
            if not most:
                continue
            for i, n in taken:
                r = self.shares[s][i]
                rate[i] = min(rate.get(i, r), r)
                cap[i] = cap.get(i, 0) + n * most
        kept, left = self.kept, self.left
        tables = dict(kept)
        for i, r in rate.items():
            t, most = kept[i], min(cap[i], left[i])
            tables[i] = tuple(
                min(t[n - sold] + sold * r for sold in range(min(n, most) + 1))
                for n in range(len(t))
            )
        bound = sum(kept[i][self.counts[i]] - tables[i][left[i]] for i in self.lines) - paid
        for g, part_lines in enumerate(self.part_lines):
            if not any(i in rate for i in part_lines):
                bound += self.searched(g).saving
                continue
            key = (g, tuple([left[i] for i in part_lines]), tuple([tables[i] for i in part_lines]))
            known = self.relaxed_solved.get(key)
            if known is None:
                self._budget()
                found = solve(self.parts[g], left, tables, self.memo)
                known = self.relaxed_solved[key] = found.saving + found.gap
            bound += known
        return bound

    def visit(self, k: int, paid: int) -> None:
        """The node whose first ``k`` bundles are fixed (``paid`` for them), and below."""
        self.nodes += 1
        if self.nodes > COUPLED_NODES:
            raise _TooLarge
        kept, left = self.kept, self.left
        value = sum(kept[i][self.counts[i]] - kept[i][left[i]] for i in self.lines) - paid
        for g in range(len(self.parts)):
            value += self.searched(g).saving
        if value > self.best_saving:
            self.best_saving, self.best_counts = value, list(self.chosen)
        if k == len(self.singles):
            return
        bound = value
        for _, taken, _, gain, _ in self.singles[k:]:
            bound += self._most(taken) * gain
        if bound > self.best_saving:
            bound = min(bound, self.relaxed(k, paid))
        if self.root_bound is None:
            self.root_bound = bound
        if bound <= self.best_saving:
            return
        _, taken, price, _, _ = self.singles[k]
        for x in range(self._most(taken), 0, -1):
            for i, n in taken:
                left[i] -= n * x
            self.chosen[k] = x
            self.visit(k + 1, paid + price * x)
            self.chosen[k] = 0
            for i, n in taken:
                left[i] += n * x
        self.visit(k + 1, paid)

    def run(self) -> Solution | None:
        """The best assignment (exact, or a best effort past the budget), or None when the
        budget ran out before any was found."""
        try:
            self.visit(0, 0)
            exact = True
        except _TooLarge:
            if self.best_saving < 0 or self.root_bound is None:
                return None
            exact = False
        made: list[Application] = []
        self.left = list(self.counts)
        for (_, taken, _, _, application), x in zip(self.singles, self.best_counts, strict=True):
            made.extend([application] * x)
            for i, n in taken:
                self.left[i] -= n * x
        for g, part_lines in enumerate(self.part_lines):
            made.extend(self.solved[(g, tuple([self.left[i] for i in part_lines]))].applications)
        gap = 0 if exact else max(0, (self.root_bound or 0) - self.best_saving)
        return Solution(tuple(made), self.best_saving, exact=exact, gap=gap)


def _coupled(
    plans: Sequence[UnitPlan],
    counts: Sequence[int],
    kept: Mapping[int, tuple[int, ...]],
    memo: Memo | None,
) -> Solution | None:
    """The component split at its offers of one application each (``_Coupled``); None when
    that splits nothing or no part could be searched exactly within the budget."""
    prices = plans[0].pool.prices
    singles: list[_Single] = []
    rest: list[UnitPlan] = []
    for plan in plans:
        taken = _single(plan)
        if taken is None:
            rest.append(plan)
            continue
        cut, weights = discount(plan.offer, taken, prices)
        paid = sum(prices[i] * n for i, n in taken) - cut
        gain = sum(n * _largest_step(kept[i]) for i, n in taken) - paid
        if gain > 0:
            singles.append(
                (plan, taken, paid, gain, Application(plan.promotion_id, taken, cut, weights))
            )
    parts = components(rest)
    if not singles and len(parts) == 1 and len(rest) == len(plans):
        return None
    lines = sorted({i for plan in plans for i in plan.candidates})
    return _Coupled(singles, parts, counts, kept, lines, memo=memo).run()


def _locals(plans: Sequence[UnitPlan], lines: list[int], work: list[int]) -> list[_Local]:
    """The plans in the component's numbering. A plan meets the same component again in
    the other candidates of a pricing (threshold retries, other kept-out tables): its
    applications and choices depend on the lines only, so they are kept on the plan."""
    key = tuple(lines)
    local: dict[int, int] | None = None
    offers = []
    for plan in plans:
        known = plan.scratch.get(key)
        if not isinstance(known, _Local):
            if local is None:
                local = {i: j for j, i in enumerate(lines)}
            known = plan.scratch[key] = _Local(plan, local, lines, work)
        known.work = work
        offers.append(known)
    return offers


def solve(
    plans: Sequence[UnitPlan],
    counts: Sequence[int],
    kept: Mapping[int, tuple[int, ...]],
    memo: Memo | None = None,
) -> Solution:
    """The applications of one component's plans that give the lowest price.

    ``counts`` and ``kept`` are by pool index: each line's units, and what ``k`` of them pay
    when kept out of every unit offer. ``memo`` (one per pricing) keeps every answer by its
    plans, units and tables: the coupled search and the other candidates of the pricing
    (threshold retries change the tables of a few lines only) meet the same parts again.
    """
    lines = sorted({i for plan in plans for i in plan.candidates})
    key = (
        tuple(plan.promotion_id for plan in plans),
        tuple([counts[i] for i in lines]),
        tuple([kept[i] for i in lines]),
    )
    if memo is not None:
        known = memo.get(key)
        if known is None:
            known = memo[key] = _solve(plans, counts, kept, memo)
        return known
    return _solve(plans, counts, kept, None)


def _solve(
    plans: Sequence[UnitPlan],
    counts: Sequence[int],
    kept: Mapping[int, tuple[int, ...]],
    memo: Memo | None,
) -> Solution:
    plans = _undominated(plans, counts, kept)
    lines = sorted({i for plan in plans for i in plan.candidates})
    work = [0]
    offers = _locals(plans, lines, work)
    state = tuple(counts[i] for i in lines)
    tables = [kept[i] for i in lines]
    found = _exactly(offers, state, tables)
    if found is not None:
        return found
    coupled = _coupled(plans, counts, kept, memo)
    if coupled is not None and coupled.exact:
        return coupled
    found = _roughly(offers, state, tables)
    if coupled is not None and coupled.saving >= found.saving:
        found = coupled
    if len(offers) <= ALONE_OFFERS:
        # A best effort over a few offers is also tried with each offer alone (often
        # exact then): keeping the cheapest, it is never dearer than any one of them alone.
        for offer in offers:
            work[0] = 0
            alone = _cascade([offer], state, tables)
            if alone.saving > found.saving:
                found = alone
    bound = _saving_bound(offers, state, tables)
    if coupled is not None:
        bound = min(bound, coupled.saving + coupled.gap)
    return Solution(found.applications, found.saving, exact=False, gap=max(0, bound - found.saving))


def _cascade(offers: Sequence[_Local], state: tuple[int, ...], tables: Kept) -> Solution:
    """The first of the searches that takes the component on: the sweep, the enumeration,
    the enumeration by the most expensive units, the greedy pass."""
    found = _exactly(offers, state, tables)
    return found if found is not None else _roughly(offers, state, tables)


def _exactly(offers: Sequence[_Local], state: tuple[int, ...], tables: Kept) -> Solution | None:
    """The sweep, or the enumeration within its budget; None when neither takes it on."""
    if _sweep_states(offers, state) <= SWEEP_STATES:
        return _sweep(offers, state, tables)
    if sum(state) <= EXACT_UNITS:
        try:
            return _exact(offers, state, tables)
        except _TooLarge:
            pass
    return None


def _roughly(offers: Sequence[_Local], state: tuple[int, ...], tables: Kept) -> Solution:
    """The best efforts: the enumeration by the most expensive units, the greedy pass."""
    if sum(state) <= RULE_UNITS:
        try:
            return _exact(offers, state, tables, every=False, states=RULE_STATES)
        except _TooLarge:
            pass
    return _best_effort(offers, state, tables)
