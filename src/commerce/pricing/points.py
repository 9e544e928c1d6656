"""Loyalty points as a discount: the last step of pricing a cart. Pure.

Points come after every promotion and before shipping and tax: they take off what the
goods still cost, never more, and never shipping or tax. Their discount is an order-level
discount like a promotion's (``POINTS_DISCOUNT_ID``), shared out over the lines by largest
remainder of what each line still costs, so an order's line snapshots carry it and a
refund can give back each line's share.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from commerce.pricing.allocation import allocate
from commerce.pricing.model import AppliedPromotion, Discount, PricedCart

# The discount id of points on lines and orders (no promotion has it: promotion ids are
# generated ids without dashes).
POINTS_DISCOUNT_ID = "loyalty-points"
POINTS_NAME = "Loyalty points"


@dataclass(frozen=True, slots=True)
class PointsValue:
    """``points`` points are worth ``value`` minor units of a currency."""

    points: int
    value: int


@dataclass(frozen=True, slots=True)
class Redemption:
    """Points a cart spends and what they take off it, in minor units of its currency."""

    points: int
    amount: int


def redemption(points: int, worth: PointsValue | None, goods: int) -> Redemption | None:
    """``points`` as a discount on goods costing ``goods``: at most the goods, and only
    the points that discount needs are spent. None when the points buy nothing."""
    if worth is None or points <= 0 or worth.points <= 0 or worth.value <= 0 or goods <= 0:
        return None
    amount = min(points * worth.value // worth.points, goods)
    if amount <= 0:
        return None
    needed = -(-amount * worth.points // worth.value)  # the fewest points worth ``amount``
    return Redemption(min(needed, points), amount)


def redeem_points(
    priced: PricedCart, points: int, worth: PointsValue | None
) -> tuple[PricedCart, Redemption | None]:
    """The cart with ``points`` taken off its goods, and what was spent (None: nothing)."""
    found = redemption(points, worth, priced.merchandise_total)
    if found is None:
        return priced, None
    text = f"{found.points} loyalty points"
    parts = allocate(found.amount, [max(0, line.total) for line in priced.lines])
    lines = tuple(
        replace(
            line,
            order_discounts=(*line.order_discounts, Discount(POINTS_DISCOUNT_ID, part, text)),
            total=line.total - part,
        )
        if part
        else line
        for line, part in zip(priced.lines, parts, strict=True)
    )
    return (
        replace(
            priced,
            lines=lines,
            order_discounts=(
                *priced.order_discounts,
                Discount(POINTS_DISCOUNT_ID, found.amount, text),
            ),
            merchandise_total=priced.merchandise_total - found.amount,
            total=priced.total - found.amount,
            applied=(
                *priced.applied,
                AppliedPromotion(POINTS_DISCOUNT_ID, POINTS_NAME, found.amount),
            ),
        ),
        found,
    )
