"""The pricing engine: a priced cart and the live promotions in, the best price out.

``apply_promotions`` is pure: plain data in, ``PricedCart`` out. The order of work
(``docs/decisions/0008-pricing-engine.md`` has the reasons):

1. eligibility: conditions, dates, currency, channel, customer, codes;
2. candidates: every combinable promotion together, and each exclusive one alone; the
   candidate with the lowest total wins (ties: the combinable set, then priority, then id);
3. for a candidate: unit offers (bundles, sets, buy X get Y, mix-and-match) take units by
   search (``search.py``); item discounts apply to the units left, stacking in priority
   order on what the previous left; order discounts (minimums and tiers measured on the
   subtotal after line discounts) stack the same way and are allocated over their lines;
   free shipping last;
4. codes that did not apply get their reason, and near misses are computed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from commerce.pricing.allocation import allocate, percent_of
from commerce.pricing.eligibility import Eligibility, eligibility
from commerce.pricing.explain import describe, refusal_text, tier_text
from commerce.pricing.matching import Matcher
from commerce.pricing.model import (
    AppliedPromotion,
    Bundle,
    BuyXGetY,
    CartLine,
    CodeRefusal,
    Discount,
    DiscountCode,
    FreeShipping,
    ItemKind,
    ItemsOff,
    MixAndMatch,
    OrderOff,
    PricedCart,
    PricedLine,
    PricingContext,
    Promotion,
    RefusedCode,
    Selector,
    SeriesSet,
    TieredOff,
    UnitOffer,
)
from commerce.pricing.near_miss import CartReading, minimum_detail, near_misses, shortfall
from commerce.pricing.offers import Application, Pool, UnitPlan
from commerce.pricing.search import Memo, Solution, components, solve

UNIT_OFFERS = (BuyXGetY, SeriesSet, Bundle, MixAndMatch)
THRESHOLD_RETRIES = 2


@dataclass
class _Line:
    """A line being priced: what is left to pay, and the discounts so far."""

    line: CartLine
    consumed: int = 0
    remaining: int = 0
    discounts: list[Discount] = field(default_factory=list)
    order_parts: list[Discount] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One candidate priced: what the cart would cost with exactly these promotions."""

    promotions: tuple[Promotion, ...]
    lines: tuple[PricedLine, ...]
    subtotal: int
    line_discounts: int
    after_line_discounts: int
    order_discounts: tuple[Discount, ...]
    shipping: int | None
    shipping_discount: Discount | None
    total: int
    amounts: dict[str, int]
    # False when a component of unit offers was too large for the exact search; ``gap``
    # then bounds how much lower the line-level price of this candidate could be.
    exact: bool = True
    gap: int = 0


def _item_discount(offer: ItemsOff, units: int, remaining: int) -> int:
    if offer.percent is not None:
        return percent_of(remaining, offer.percent)
    return max(0, min((offer.amount or 0) * units, remaining))


def _order_discount(
    offer: OrderOff | TieredOff, measure: int, units: int, base: int, ctx: PricingContext
) -> tuple[int, str] | None:
    """(amount, text) of an order discount on ``base``, or None below its minimums."""
    if isinstance(offer, OrderOff):
        if measure < offer.min_subtotal or units < offer.min_quantity or units == 0:
            return None
        pct, amount, text = offer.percent, offer.amount, describe(offer, ctx.currency)
    else:
        reached = [t for t in offer.tiers if t.threshold <= measure]
        if not reached or units == 0:
            return None
        tier = max(reached, key=lambda t: t.threshold)
        pct, amount, text = tier.percent, tier.amount, tier_text(tier, ctx.currency)
    if pct is not None:
        return percent_of(base, pct), text
    return max(0, min(amount or 0, base)), text


class _Session:
    """What every candidate of one pricing shares: the selectors' lines, the pool, the
    compiled plans, what kept-out units pay, and each component's solution (an exclusive
    candidate or a threshold retry meeting the same offers on the same lines reuses it)."""

    def __init__(self, lines: Sequence[CartLine]) -> None:
        self.match = Matcher(lines)
        self.pool = Pool.of(self.match)
        self.counts = tuple(ln.quantity for ln in self.pool.lines)
        self._plans: dict[str, UnitPlan | None] = {}
        # By selector identity, as the matcher keys them (it holds the selectors).
        self._among: dict[int, tuple[int, ...]] = {}
        self._kept: dict[tuple[int, tuple[str, ...]], tuple[int, ...]] = {}
        self._solved: Memo = {}

    def among(self, selector: Selector) -> tuple[int, ...]:
        """The pool indices of the lines the selector matches, once per pricing."""
        known = self._among.get(id(selector))
        if known is None:
            known = self._among[id(selector)] = self.pool.among(self.match.mask(selector))
        return known

    def plan(self, promotion: Promotion) -> UnitPlan | None:
        """The promotion's unit offer on this cart, or None when it can never apply."""
        if promotion.id not in self._plans:
            plan = UnitPlan(promotion.id, _as_unit(promotion.offer), self.pool, self.match)
            self._plans[promotion.id] = plan if plan.possible() else None
        return self._plans[promotion.id]

    def kept(self, index: int, offers: Sequence[tuple[str, ItemsOff]]) -> tuple[int, ...]:
        """What 0, 1, ... of the line's units pay after its item discounts (priority order),
        rounded per line as ``_apply_item_discounts`` does."""
        key = (index, tuple(k for k, _ in offers))
        known = self._kept.get(key)
        if known is None:
            price = self.pool.prices[index]
            paid = []
            for units in range(self.pool.lines[index].quantity + 1):
                remaining = units * price
                for _, offer in offers:
                    if remaining == 0:
                        break
                    remaining -= _item_discount(offer, units, remaining)
                paid.append(remaining)
            known = self._kept[key] = tuple(paid)
        return known

    def solve(self, plans: Sequence[UnitPlan], kept: dict[int, tuple[int, ...]]) -> Solution:
        return solve(plans, self.counts, kept, self._solved)


def _apply_unit_offers(
    work: dict[str, _Line],
    units: Sequence[Promotion],
    items: Sequence[tuple[Promotion, ItemsOff]],
    *,
    context: PricingContext,
    session: _Session,
    amounts: dict[str, int],
) -> tuple[bool, int]:
    """Search the unit offers' applications; (whether exact, how far from the best)."""
    pool = session.pool
    plans = [plan for p in units if (plan := session.plan(p)) is not None]
    if not plans:
        return True, 0
    # Each candidate line's item discounts (priority order), from the promotions' masks.
    on_line: dict[int, list[tuple[str, ItemsOff]]] = {
        i: [] for i in sorted({i for plan in plans for i in plan.candidates})
    }
    for p, offer in items:
        for i in session.among(offer.selector):
            found = on_line.get(i)
            if found is not None:
                found.append((p.id, offer))
    kept = {i: session.kept(i, offers) for i, offers in on_line.items()}
    chosen: dict[str, list[Application]] = {}
    exact, gap = True, 0
    for group in components(plans):
        solution = session.solve(group, kept)
        exact, gap = exact and solution.exact, gap + solution.gap
        for application in solution.applications:
            chosen.setdefault(application.promotion_id, []).append(application)
    for promotion in units:
        mine = chosen.get(promotion.id)
        if not mine:
            continue
        weights: dict[int, int] = {}
        for a in mine:
            for i, n in a.taken:
                work[pool.lines[i].line_id].consumed += n
            for i, weight in a.weights:
                weights[i] = weights.get(i, 0) + weight
        total = sum(a.discount for a in mine)
        indices = sorted(weights)
        parts = allocate(total, [weights[i] for i in indices])
        text = describe(promotion.offer, context.currency)
        for i, part in zip(indices, parts, strict=True):
            if part:
                work[pool.lines[i].line_id].discounts.append(Discount(promotion.id, part, text))
        if total:
            amounts[promotion.id] = total
    return exact, gap


def _apply_item_discounts(
    work: Sequence[_Line],
    items: Sequence[tuple[Promotion, ItemsOff]],
    context: PricingContext,
    match: Matcher,
    amounts: dict[str, int],
) -> None:
    """Item discounts on the units no unit offer took, stacking in priority order (each
    promotion visits only the lines its selector matches)."""
    free = [w.line.quantity - w.consumed for w in work]
    # Unit offers' discounts so far are on the consumed units, not on the free ones.
    on_consumed = [
        w.consumed * w.line.unit_price.amount - sum(d.amount for d in w.discounts) for w in work
    ]
    for w, units in zip(work, free, strict=True):
        w.remaining = units * w.line.unit_price.amount
    for promotion, offer in items:
        text = ""
        for k in match.indices(offer.selector):
            w = work[k]
            if free[k] == 0 or w.remaining == 0:
                continue
            part = _item_discount(offer, free[k], w.remaining)
            if part:
                text = text or describe(offer, context.currency)
                w.discounts.append(Discount(promotion.id, part, text))
                w.remaining -= part
                amounts[promotion.id] = amounts.get(promotion.id, 0) + part
    for w, extra in zip(work, on_consumed, strict=True):
        w.remaining += extra


def _apply_order_discounts(
    work: Sequence[_Line],
    promotions: Sequence[Promotion],
    context: PricingContext,
    match: Matcher,
    amounts: dict[str, int],
) -> list[Discount]:
    """Minimums on the subtotal after line discounts; each discount allocated by largest
    remainder over the matching lines' amounts still to pay."""
    order_discounts: list[Discount] = []
    after_lines: list[int] | None = None
    for promotion in promotions:
        offer = promotion.offer
        if not isinstance(offer, OrderOff | TieredOff):
            continue
        if after_lines is None:
            # Line discounts are final here: what each line pays after them, once.
            after_lines = [
                w.line.quantity * w.line.unit_price.amount - sum(d.amount for d in w.discounts)
                for w in work
            ]
        indices = match.indices(offer.selector)
        mine = [work[k] for k in indices]
        measure = sum(after_lines[k] for k in indices)
        count = sum(w.line.quantity for w in mine)
        weights = [w.remaining for w in mine]
        found = _order_discount(offer, measure, count, sum(weights), context)
        if found is None or found[0] == 0:
            continue
        amount, text = found
        order_discounts.append(Discount(promotion.id, amount, text))
        amounts[promotion.id] = amounts.get(promotion.id, 0) + amount
        for w, part in zip(mine, allocate(amount, weights), strict=True):
            if part:
                w.order_parts.append(Discount(promotion.id, part, text))
                w.remaining -= part
    return order_discounts


def _free_shipping(
    lines: Sequence[CartLine],
    promotions: Sequence[Promotion],
    context: PricingContext,
    after_lines: int,
) -> Discount | None:
    """The first free-shipping offer (priority order) the cart meets, if shipping costs."""
    if not context.shipping or not any(ln.kind is ItemKind.PHYSICAL for ln in lines):
        return None
    for promotion in promotions:
        offer = promotion.offer
        if (
            isinstance(offer, FreeShipping)
            and after_lines >= offer.min_subtotal
            and (not offer.zone_ids or context.shipping_zone_id in offer.zone_ids)
        ):
            return Discount(promotion.id, context.shipping, describe(offer, context.currency))
    return None


def evaluate(
    lines: Sequence[CartLine],
    promotions: Sequence[Promotion],
    context: PricingContext,
    session: _Session,
) -> Outcome:
    """Price ``lines`` (canonical order: the session's, whose index positions the passes
    read) with exactly ``promotions`` (priority order)."""
    match = session.match
    work = {ln.line_id: _Line(ln) for ln in lines}
    amounts: dict[str, int] = {}
    items = [(p, p.offer) for p in promotions if isinstance(p.offer, ItemsOff)]
    units = [p for p in promotions if isinstance(p.offer, UNIT_OFFERS)]
    exact, gap = True, 0
    if units:
        exact, gap = _apply_unit_offers(
            work, units, items, context=context, session=session, amounts=amounts
        )
    _apply_item_discounts(list(work.values()), items, context, match, amounts)
    subtotal = sum(ln.quantity * ln.unit_price.amount for ln in lines)
    after_lines = sum(w.remaining for w in work.values())
    order_discounts = _apply_order_discounts(
        list(work.values()), promotions, context, match, amounts
    )
    shipping_discount = _free_shipping(lines, promotions, context, after_lines)
    if shipping_discount is not None:
        pid = shipping_discount.promotion_id
        amounts[pid] = amounts.get(pid, 0) + shipping_discount.amount
    priced = tuple(
        PricedLine(
            line_id=w.line.line_id,
            quantity=w.line.quantity,
            unit_price=w.line.unit_price.amount,
            subtotal=w.line.quantity * w.line.unit_price.amount,
            discounts=tuple(w.discounts),
            order_discounts=tuple(w.order_parts),
            total=w.remaining,
        )
        for w in work.values()
    )
    paid_shipping = (context.shipping or 0) - (shipping_discount.amount if shipping_discount else 0)
    return Outcome(
        promotions=tuple(promotions),
        lines=priced,
        subtotal=subtotal,
        line_discounts=subtotal - after_lines,
        after_line_discounts=after_lines,
        order_discounts=tuple(order_discounts),
        shipping=context.shipping,
        shipping_discount=shipping_discount,
        total=sum(p.total for p in priced) + paid_shipping,
        amounts=amounts,
        exact=exact,
        gap=gap,
    )


def _as_unit(offer: object) -> UnitOffer:
    assert isinstance(offer, UNIT_OFFERS)
    return offer


def _candidates(open_: Sequence[Promotion]) -> list[tuple[Promotion, ...]]:
    """Every combinable promotion together first, then each exclusive one alone."""
    combinable = tuple(p for p in open_ if not p.exclusive)
    return [combinable, *((p,) for p in open_ if p.exclusive)]


def _saving_within_reach(
    promotion: Promotion, lines: Sequence[CartLine], context: PricingContext, match: Matcher
) -> int:
    """What a threshold offer would save at the cart's prices before line discounts (0: it
    would not apply even then, or has no threshold)."""
    offer = promotion.offer
    subtotal = sum(ln.quantity * ln.unit_price.amount for ln in lines)
    if isinstance(offer, FreeShipping):
        reached = bool(context.shipping) and 0 < offer.min_subtotal <= subtotal
        return (context.shipping or 0) if reached else 0
    if not isinstance(offer, OrderOff | TieredOff):
        return 0
    ids = match.lines_of(offer.selector)
    mine = [ln for ln in lines if ln.line_id in ids]
    base = sum(ln.quantity * ln.unit_price.amount for ln in mine)
    units = sum(ln.quantity for ln in mine)
    if isinstance(offer, OrderOff) and offer.min_subtotal == 0:
        return 0
    found = _order_discount(offer, base, units, base, context)
    return found[0] if found else 0


def _without_line_discounts(
    outcome: Outcome, lines: Sequence[CartLine], context: PricingContext, match: Matcher
) -> list[tuple[Promotion, ...]]:
    """Smaller combinations worth pricing when line discounts cost a threshold.

    Minimums are measured after line discounts, so a line discount can push the cart
    below an order discount or free shipping that would save more. When threshold offers
    missed that the undiscounted cart meets, also price the set without each line
    promotion that saved less than those offers could (the first ``THRESHOLD_RETRIES`` in
    priority order), and without all such promotions.
    """
    within_reach = sum(
        _saving_within_reach(p, lines, context, match)
        for p in outcome.promotions
        if not outcome.amounts.get(p.id)
    )
    if not within_reach:
        return []
    line_level = [
        p
        for p in outcome.promotions
        if isinstance(p.offer, (ItemsOff, *UNIT_OFFERS))
        and 0 < outcome.amounts.get(p.id, 0) < within_reach
    ]
    drops = [{p.id} for p in line_level[:THRESHOLD_RETRIES]]
    if len(line_level) > 1:
        drops.append({p.id for p in line_level})
    return [tuple(p for p in outcome.promotions if p.id not in drop) for drop in drops]


def _saving_ceiling(promotion: Promotion, context: PricingContext, session: _Session) -> int:
    """At most what ``promotion`` saves priced alone (an exclusive candidate): a candidate
    whose subtotal and shipping less this cannot beat the best total so far is not priced,
    since only a strictly lower total replaces it."""
    offer = promotion.offer
    match = session.match
    if isinstance(offer, FreeShipping):
        return context.shipping or 0
    if isinstance(offer, ItemsOff):
        mine = [match.lines[k] for k in match.indices(offer.selector)]
        return sum(
            _item_discount(offer, ln.quantity, ln.quantity * ln.unit_price.amount) for ln in mine
        )
    if isinstance(offer, OrderOff | TieredOff):
        mine = [match.lines[k] for k in match.indices(offer.selector)]
        base = sum(ln.quantity * ln.unit_price.amount for ln in mine)
        found = _order_discount(offer, base, sum(ln.quantity for ln in mine), base, context)
        return found[0] if found else 0
    plan = session.plan(promotion)
    if plan is None:
        return 0
    # Each unit adds at most its cap of an application's exact discount, plus one minor
    # unit for the application's rounding.
    pool = session.pool
    return sum(session.counts[i] * (plan.cap(pool.prices[i]) + 1) for i in plan.candidates)


def _code_refusals(
    found: Eligibility,
    winner: Outcome,
    cart: CartReading,
    open_by_id: dict[str, Promotion],
) -> list[RefusedCode]:
    """Why each accepted code's promotion gave nothing in the winning price."""
    refused: list[RefusedCode] = []
    best = max(
        (p for p in winner.promotions if winner.amounts.get(p.id)),
        key=lambda p: winner.amounts[p.id],
        default=None,
    )
    for code, promotion_id in found.accepted_codes:
        if winner.amounts.get(promotion_id):
            continue
        promotion = open_by_id[promotion_id]
        reason = shortfall(promotion, cart)
        detail = ""
        if reason is CodeRefusal.MINIMUM_NOT_REACHED:
            detail = minimum_detail(promotion, cart)
        elif reason is None and best is not None:
            reason, detail = CodeRefusal.BETTER_OFFER_APPLIED, f"{best.name} gives more"
        elif reason is None:
            reason = CodeRefusal.NOT_FOR_THESE_ITEMS
            detail = "it gives no saving on this cart"
        refused.append(RefusedCode(code, reason, refusal_text(code, reason, detail)))
    return refused


def apply_promotions(
    lines: Iterable[CartLine],
    context: PricingContext,
    promotions: Iterable[Promotion],
    codes: Sequence[DiscountCode] = (),
) -> PricedCart:
    """The cart at its best price under the live promotions, explained."""
    given = list(lines)
    canonical = sorted(given, key=lambda ln: ln.line_id)
    if len({ln.line_id for ln in canonical}) != len(canonical):
        raise ValueError("cart lines need distinct line ids")
    for line in canonical:
        if line.unit_price.currency is not context.currency:
            raise ValueError(f"line {line.line_id} is not priced in {context.currency.value}")
    if context.shipping is not None and context.shipping < 0:
        raise ValueError("shipping cannot be negative")

    found = eligibility(promotions, codes, context)
    session = _Session(canonical)
    match = session.match
    candidates = _candidates(found.promotions)
    first = evaluate(canonical, candidates[0], context, session)
    winner = first
    # The lowest total any candidate could reach, had its search been exact.
    floor = first.total - first.gap
    exact = first.exact
    full = first.subtotal + (context.shipping or 0)
    for candidate in [*_without_line_discounts(first, canonical, context, match), *candidates[1:]]:
        alone = len(candidate) == 1 and candidate[0].exclusive
        if alone and full - _saving_ceiling(candidate[0], context, session) >= winner.total:
            continue
        outcome = evaluate(canonical, candidate, context, session)
        floor = min(floor, outcome.total - outcome.gap)
        exact = exact and outcome.exact
        if outcome.total < winner.total:
            winner = outcome

    by_id = {p.line_id: p for p in winner.lines}
    cart = CartReading(canonical, by_id, context, match, match.indices)
    open_by_id = {p.id: p for p in found.promotions}
    refused = [*found.refused, *_code_refusals(found, winner, cart, open_by_id)]
    applied = tuple(
        AppliedPromotion(p.id, p.name, winner.amounts[p.id])
        for p in winner.promotions
        if winner.amounts.get(p.id)
    )
    return PricedCart(
        currency=context.currency,
        lines=tuple(by_id[ln.line_id] for ln in given),
        subtotal=winner.subtotal,
        line_discounts=winner.line_discounts,
        order_discounts=winner.order_discounts,
        merchandise_total=sum(p.total for p in winner.lines),
        shipping=winner.shipping,
        shipping_discount=winner.shipping_discount,
        total=winner.total,
        applied=applied,
        refused_codes=tuple(refused),
        near_misses=near_misses(winner.promotions, cart, winner.amounts),
        best_effort=not exact,
        best_effort_bound=0 if exact else max(0, winner.total - floor),
    )
