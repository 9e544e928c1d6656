"""Commission arithmetic: what a paid order earns, what a refund takes back.

Pure functions over the model's values. Every division rounds with ``round_minor`` (half
to even), the project's one rounding rule.
"""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

from commerce.affiliates.model import (
    FULL_RATE,
    ORDER_LINE,
    CommissionLine,
    CommissionRule,
    EntryState,
    GoodsLine,
    OrderCommission,
    PaidOrderFacts,
    VolumeTier,
)
from commerce.money import Currency, round_minor
from commerce.orders.model import Order


def paid_order_facts(order: Order, paid_at: datetime) -> PaidOrderFacts:
    """The order as commission sees it: each line's goods at what the customer paid.

    A line's total is after its discounts (its own and its share of the order's); when
    prices include tax, the line's tax is taken out. Shipping is no line, so it never
    earns commission.
    """
    assert order.paid_amount is not None
    lines = tuple(
        GoodsLine(
            line_id=line.id,
            product_id=line.product_id,
            collection_ids=line.collection_ids,
            paid=max(
                0,
                line.total.amount
                - (line.tax.amount if order.taxes_included and line.tax is not None else 0),
            ),
        )
        for line in order.lines
    )
    return PaidOrderFacts(
        order_id=order.id,
        order_number=order.number,
        customer_id=order.customer_id,
        affiliate_id=order.affiliate_id,
        currency=order.currency,
        paid_at=paid_at,
        paid_total=order.paid_amount.amount,
        lines=lines,
        refunded=order.refunded.amount,
        disputed=order.disputed.amount,
    )


def add_months(at: datetime, months: int) -> datetime:
    """``at`` moved by whole calendar months (31 January + 1 month is 28/29 February)."""
    month_index = at.month - 1 + months
    year, month = at.year + month_index // 12, month_index % 12 + 1
    day = min(at.day, calendar.monthrange(year, month)[1])
    return at.replace(year=year, month=month, day=day)


def repeat_sale_earns(rule: CommissionRule, bound_at: datetime, paid_at: datetime) -> bool:
    """Whether a repeat sale paid at ``paid_at`` is still inside the rule's window."""
    if rule.repeat_months is None:
        return True
    return paid_at < add_months(bound_at, rule.repeat_months)


def volume_month(at: datetime) -> str:
    """The calendar month (UTC) of a paid order: whose volume it counts in."""
    return at.strftime("%Y-%m")


def tier_of(
    tiers: tuple[VolumeTier, ...], currency: Currency, volume: int
) -> tuple[int, int, int | None]:
    """The tier rate for a month's ``volume`` so far, and the band of volume it holds
    for: (rate, lowest volume, volume where the next tier starts or None).

    Only tiers in the order's currency count; no tier reached is rate 0 from volume 0.
    """
    thresholds = sorted(
        (t.threshold.amount, t.rate) for t in tiers if t.threshold.currency is currency
    )
    rate, low, high = 0, 0, None
    for threshold, tier_rate in thresholds:
        if volume >= threshold:
            rate, low = tier_rate, threshold
        else:
            high = threshold
            break
    return rate, low, high


def commission_of(
    facts: PaidOrderFacts,
    partner_id: str,
    rule: CommissionRule,
    *,
    first_order: bool,
    bound_at: datetime | None = None,
    tier_rate: int = 0,
) -> OrderCommission | None:
    """The order's commission under ``rule``; None when it earns nothing.

    A repeat sale outside the rule's months earns nothing (product rates included).
    ``tier_rate`` (from the partner's monthly volume) raises the order rate when higher.
    """
    if (
        not first_order
        and bound_at is not None
        and not repeat_sale_earns(rule, bound_at, facts.paid_at)
    ):
        return None
    lines = [
        CommissionLine(
            line_id=line.line_id,
            base=line.paid,
            rate=rate,
            amount=round_minor(Decimal(line.paid) * rate / FULL_RATE),
        )
        for line in facts.lines
        for rate in [rule.rate_for(line.product_id, first_order, line.collection_ids, tier_rate)]
        if rate > 0 and line.paid > 0
    ]
    fixed = rule.fixed_per_order
    if fixed is not None and fixed.amount > 0 and fixed.currency is facts.currency:
        lines.append(CommissionLine(line_id=ORDER_LINE, base=0, rate=0, amount=fixed.amount))
    lines = [line for line in lines if line.amount > 0]
    if not lines:
        return None
    return OrderCommission(
        order_id=facts.order_id,
        order_number=facts.order_number,
        partner_id=partner_id,
        customer_id=facts.customer_id,
        currency=facts.currency,
        paid_total=facts.paid_total,
        paid_at=facts.paid_at,
        hold_until=facts.paid_at + timedelta(days=rule.holding_days),
        state=EntryState.PENDING,
        lines=tuple(lines),
        first_order=first_order,
        sales=sum(line.paid for line in facts.lines),
        sales_counted=sum(line.paid for line in facts.lines),
    )


def _taken_back(commission: OrderCommission, refunded: int, disputed: int) -> int:
    return min(max(refunded, commission.refunded_seen) + disputed, commission.paid_total)


def reversals_for(
    commission: OrderCommission, refunded: int, disputed: int | None = None
) -> dict[str, int]:
    """Per line, what a cumulative refund of ``refunded`` and the disputes holding back
    ``disputed`` take back beyond what was (negative: a won dispute gives back).

    Pro rata: a line gives back its commission times the share of what was paid that the
    store no longer holds (refunds plus open or lost disputes), computed on the
    cumulative amounts so that rounding never drifts, and a full refund gives back
    exactly everything. Lines already at their target are absent, so a refund no larger
    than the last one seen and a dispute already seen give nothing.
    """
    held = commission.disputed_seen if disputed is None else disputed
    if commission.paid_total <= 0:
        return {}
    share = _taken_back(commission, refunded, held)
    found: dict[str, int] = {}
    for line in commission.lines:
        target = round_minor(Decimal(line.amount) * share / commission.paid_total)
        target = min(line.amount, target)
        if target != line.reversed:
            found[line.line_id] = target - line.reversed
    return found


def sales_counted_after(commission: OrderCommission, refunded: int, disputed: int) -> int:
    """The order's goods the monthly volume counts once refunds and disputes are taken:
    the goods less their share of what the store no longer holds."""
    if commission.paid_total <= 0:
        return commission.sales
    share = _taken_back(commission, refunded, disputed)
    return commission.sales - min(
        commission.sales, round_minor(Decimal(commission.sales) * share / commission.paid_total)
    )


def after_refund(
    commission: OrderCommission,
    refunded: int,
    taken: dict[str, int],
    entries: int,
    disputed: int | None = None,
) -> OrderCommission:
    """The commission once ``taken`` was reversed for a cumulative refund of ``refunded``
    and disputes holding back ``disputed``."""
    held = commission.disputed_seen if disputed is None else disputed
    lines = tuple(
        replace(line, reversed=line.reversed + taken.get(line.line_id, 0))
        for line in commission.lines
    )
    return replace(
        commission,
        lines=lines,
        refunded_seen=max(refunded, commission.refunded_seen),
        disputed_seen=held,
        entries=commission.entries + entries,
        sales_counted=sales_counted_after(commission, refunded, held),
    )


def tracking_link(storefront_url: str, ref: str, path: str = "/") -> str:
    """A storefront URL carrying the partner's ref code; the storefront passes the code on
    as ``affiliateId`` (cartCreate, eventsRecord), which records the touch and the cart's
    affiliate."""
    return f"{storefront_url.rstrip('/')}{path}?ref={quote(ref, safe='')}"
