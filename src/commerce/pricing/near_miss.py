"""What the cart is close to, and why a promotion gave nothing: one reading of the cart.

Both measure the cart as the engine does: thresholds on the subtotal after line discounts
of the matching items, counts on the matching units (``docs/decisions/0008``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from commerce.pricing.explain import (
    add_items_text,
    buy_x_goal,
    complete_bundle_text,
    complete_set_text,
    money,
    order_off_goal,
    plural,
    spend_more_text,
    tier_saving,
)
from commerce.pricing.model import (
    Bundle,
    BuyXGetY,
    CartLine,
    CodeRefusal,
    FreeShipping,
    ItemKind,
    ItemsOff,
    MixAndMatch,
    NearMiss,
    NearMissKind,
    OrderOff,
    PricedLine,
    PricingContext,
    Promotion,
    Selector,
    SeriesSet,
    TieredOff,
)

Match = Callable[[Selector, CartLine], bool]
# The positions in ``CartReading.lines`` of the lines a selector matches.
Indices = Callable[[Selector], Sequence[int]]


@dataclass(frozen=True, slots=True)
class CartReading:
    """The cart as thresholds see it, after line discounts."""

    lines: Sequence[CartLine]
    priced: dict[str, PricedLine]
    context: PricingContext
    match: Match
    # The engine's selector index, when it has one: a measure then visits only the lines
    # the selector matches, not every line of a large cart.
    indices: Indices | None = None
    # What each line pays after its line discounts, by line id: every offer's measure
    # reads the same lines again, so each is added up once per reading.
    paid: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def _paid(self, line_id: str) -> int:
        known = self.paid.get(line_id)
        if known is None:
            p = self.priced[line_id]
            known = self.paid[line_id] = p.subtotal - sum(d.amount for d in p.discounts)
        return known

    def measure(self, selector: Selector) -> tuple[int, int]:
        """(subtotal after line discounts, units) of the items the selector matches."""
        amount = units = 0
        if self.indices is not None:
            for k in self.indices(selector):
                line = self.lines[k]
                amount += self._paid(line.line_id)
                units += line.quantity
            return amount, units
        for line in self.lines:
            if self.match(selector, line):
                amount += self._paid(line.line_id)
                units += line.quantity
        return amount, units

    @property
    def after_line_discounts(self) -> int:
        return sum(self._paid(line_id) for line_id in self.priced)

    def missing_volumes(self, offer: SeriesSet) -> tuple[list[str], bool]:
        """(volumes not in the cart, whether any volume of the series is)."""
        present: set[str] = set()
        for line in self.lines:
            if offer.series in line.attribute_values(offer.series_attribute):
                present |= line.attribute_values(offer.volume_attribute)
        missing = [v for v in offer.volumes if v not in present]
        return missing, len(missing) < len(offer.volumes)

    def missing_components(self, offer: Bundle) -> tuple[list[int], bool]:
        """(indices of components short of units, whether any component has some)."""
        short: list[int] = []
        some = False
        for k, component in enumerate(offer.components):
            _, units = self.measure(component.selector)
            some = some or units > 0
            if units < component.quantity:
                short.append(k)
        return short, some


def shortfall(promotion: Promotion, cart: CartReading) -> CodeRefusal | None:
    """Why the promotion cannot apply to this cart on its own, or None when it can."""
    offer = promotion.offer
    match offer:
        case ItemsOff(selector=selector):
            return None if cart.measure(selector)[1] else CodeRefusal.NOT_FOR_THESE_ITEMS
        case OrderOff(selector=selector):
            amount, units = cart.measure(selector)
            if not units:
                return CodeRefusal.NOT_FOR_THESE_ITEMS
            if amount < offer.min_subtotal or units < offer.min_quantity:
                return CodeRefusal.MINIMUM_NOT_REACHED
            return None
        case TieredOff(selector=selector, tiers=tiers):
            amount, units = cart.measure(selector)
            if not units:
                return CodeRefusal.NOT_FOR_THESE_ITEMS
            reached = any(t.threshold <= amount for t in tiers)
            return None if reached else CodeRefusal.MINIMUM_NOT_REACHED
        case BuyXGetY(selector=selector) | MixAndMatch(selector=selector):
            _, units = cart.measure(selector)
            if not units:
                return CodeRefusal.NOT_FOR_THESE_ITEMS
            wanted = offer.buy + offer.get if isinstance(offer, BuyXGetY) else offer.count
            return None if units >= wanted else CodeRefusal.MINIMUM_NOT_REACHED
        case SeriesSet():
            missing, some = cart.missing_volumes(offer)
            if not some:
                return CodeRefusal.NOT_FOR_THESE_ITEMS
            return CodeRefusal.MINIMUM_NOT_REACHED if missing else None
        case Bundle():
            short, some = cart.missing_components(offer)
            if not some:
                return CodeRefusal.NOT_FOR_THESE_ITEMS
            return CodeRefusal.MINIMUM_NOT_REACHED if short else None
        case FreeShipping():
            physical = any(ln.kind is ItemKind.PHYSICAL for ln in cart.lines)
            if not physical:
                return CodeRefusal.NOT_FOR_THESE_ITEMS
            zone = cart.context.shipping_zone_id
            if offer.zone_ids and zone is not None and zone not in offer.zone_ids:
                return CodeRefusal.NOT_ELIGIBLE
            if cart.after_line_discounts < offer.min_subtotal:
                return CodeRefusal.MINIMUM_NOT_REACHED
            return None


def minimum_detail(promotion: Promotion, cart: CartReading) -> str:
    """The refusal sentence's reason when a minimum is not reached."""
    currency = cart.context.currency
    offer = promotion.offer
    if isinstance(offer, OrderOff | FreeShipping) and offer.min_subtotal:
        selector = offer.selector if isinstance(offer, OrderOff) else Selector()
        amount, _ = cart.measure(selector)
        if amount < offer.min_subtotal:
            return f"it needs {money(offer.min_subtotal, currency)} of eligible items"
    if isinstance(offer, OrderOff) and offer.min_quantity:
        return f"it needs {plural(offer.min_quantity, 'eligible item')}"
    if isinstance(offer, TieredOff):
        lowest = min(t.threshold for t in offer.tiers)
        return f"it needs {money(lowest, currency)} of eligible items"
    if isinstance(offer, BuyXGetY):
        return f"it needs {plural(offer.buy + offer.get, offer.noun)}"
    if isinstance(offer, MixAndMatch):
        return f"it needs {plural(offer.count, offer.noun)}"
    return "the cart does not hold the whole offer"


def _near(promotion: Promotion, cart: CartReading, applied: int) -> NearMiss | None:
    currency = cart.context.currency
    offer = promotion.offer
    pid = promotion.id
    if isinstance(offer, FreeShipping):
        if applied or shortfall(promotion, cart) is not CodeRefusal.MINIMUM_NOT_REACHED:
            return None
        missing = offer.min_subtotal - cart.after_line_discounts
        text = spend_more_text(missing, currency, "for free shipping")
        return NearMiss(pid, NearMissKind.SPEND_MORE, text, amount_missing=missing)
    if isinstance(offer, OrderOff):
        amount, units = cart.measure(offer.selector)
        if applied or not units:
            return None
        goal = order_off_goal(offer, currency)
        if amount < offer.min_subtotal:
            missing = offer.min_subtotal - amount
            text = spend_more_text(missing, currency, goal)
            return NearMiss(pid, NearMissKind.SPEND_MORE, text, amount_missing=missing)
        if units < offer.min_quantity:
            missing = offer.min_quantity - units
            return NearMiss(
                pid,
                NearMissKind.ADD_ITEMS,
                add_items_text(missing, "item", goal),
                items_missing=missing,
            )
        return None
    if isinstance(offer, TieredOff):
        amount, units = cart.measure(offer.selector)
        above = [t for t in offer.tiers if t.threshold > amount]
        if not units or not above:
            return None
        tier = min(above, key=lambda t: t.threshold)
        missing = tier.threshold - amount
        text = spend_more_text(missing, currency, f"to save {tier_saving(tier, currency)}")
        return NearMiss(pid, NearMissKind.SPEND_MORE, text, amount_missing=missing)
    if isinstance(offer, BuyXGetY | MixAndMatch):
        _, units = cart.measure(offer.selector)
        group = offer.buy + offer.get if isinstance(offer, BuyXGetY) else offer.count
        if not units or units % group == 0:
            return None
        missing = group - units % group
        goal = (
            buy_x_goal(offer)
            if isinstance(offer, BuyXGetY)
            else f"to get any {offer.count} for {money(offer.price, currency)}"
        )
        text = add_items_text(missing, offer.noun, goal)
        return NearMiss(pid, NearMissKind.ADD_ITEMS, text, items_missing=missing)
    if isinstance(offer, SeriesSet):
        missing_volumes, some = cart.missing_volumes(offer)
        if applied or not some or not missing_volumes:
            return None
        text = complete_set_text(offer, missing_volumes)
        return NearMiss(pid, NearMissKind.COMPLETE_SET, text, items_missing=len(missing_volumes))
    if isinstance(offer, Bundle):
        short, some = cart.missing_components(offer)
        if applied or not some or not short:
            return None
        labels = [offer.components[k].label for k in short]
        units = 0
        for k in short:
            _, have = cart.measure(offer.components[k].selector)
            units += offer.components[k].quantity - have
        text = complete_bundle_text(labels if all(labels) else [], units, promotion.name)
        return NearMiss(pid, NearMissKind.COMPLETE_SET, text, items_missing=units)
    return None


def near_misses(
    promotions: Sequence[Promotion], cart: CartReading, amounts: dict[str, int]
) -> tuple[NearMiss, ...]:
    """The offers among ``promotions`` the cart is close to, in priority order."""
    found = (_near(p, cart, amounts.get(p.id, 0)) for p in promotions)
    return tuple(n for n in found if n is not None)
