"""What a paid order earns under a rule, and what a refund takes back."""

from __future__ import annotations

from datetime import UTC, datetime

from commerce.affiliates.model import ORDER_LINE, CommissionRule, GoodsLine, PaidOrderFacts
from commerce.affiliates.rules import add_months, commission_of, reversals_for, tracking_link
from commerce.money import Currency, Money

BOUND = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


def facts(*paid: int, at: datetime = BOUND, total: int | None = None) -> PaidOrderFacts:
    lines = tuple(GoodsLine(f"line-{i}", f"product-{i}", p) for i, p in enumerate(paid))
    return PaidOrderFacts(
        order_id="order-1",
        order_number=1,
        customer_id="c1",
        affiliate_id="p1",
        currency=Currency.USD,
        paid_at=at,
        paid_total=sum(paid) if total is None else total,
        lines=lines,
    )


def test_thirty_percent_of_each_line_is_rounded_half_to_even() -> None:
    commission = commission_of(
        facts(1999, 1005), "p1", CommissionRule(first_order_rate=3000), first_order=True
    )
    assert commission is not None
    assert [line.amount for line in commission.lines] == [600, 302]


def test_a_product_rate_overrides_the_order_rate_and_a_fixed_amount_is_its_own_line() -> None:
    rule = CommissionRule(
        repeat_rate=1000,
        product_rates=(("product-1", 5000),),
        fixed_per_order=Money(150, Currency.USD),
    )
    commission = commission_of(facts(1000, 1000), "p1", rule, first_order=False, bound_at=BOUND)
    assert commission is not None
    assert [(line.line_id, line.amount) for line in commission.lines] == [
        ("line-0", 100),
        ("line-1", 500),
        (ORDER_LINE, 150),
    ]


def test_repeat_sales_earn_only_inside_the_rules_months() -> None:
    rule = CommissionRule(repeat_rate=3000, repeat_months=1)
    inside = facts(1000, at=datetime(2026, 2, 27, tzinfo=UTC))
    outside = facts(1000, at=datetime(2026, 2, 28, 12, 0, tzinfo=UTC))
    assert commission_of(inside, "p1", rule, first_order=False, bound_at=BOUND) is not None
    assert commission_of(outside, "p1", rule, first_order=False, bound_at=BOUND) is None
    assert add_months(BOUND, 1) == datetime(2026, 2, 28, 12, 0, tzinfo=UTC)


def test_a_rule_that_pays_nothing_writes_no_commission() -> None:
    assert commission_of(facts(1000), "p1", CommissionRule(), first_order=True) is None


def test_refunds_are_taken_pro_rata_on_the_cumulative_amount_and_a_full_refund_takes_all() -> None:
    commission = commission_of(
        facts(1999, 1005, total=3504), "p1", CommissionRule(first_order_rate=3000), first_order=True
    )
    assert commission is not None
    assert reversals_for(commission, 1000) == {"line-0": 171, "line-1": 86}
    assert reversals_for(commission, 0) == {}
    assert reversals_for(commission, 99_999) == {"line-0": 600, "line-1": 302}


def test_the_tracking_link_carries_the_ref_code_escaped() -> None:
    assert tracking_link("https://shop.example/", "UGFy+dG5lcjox") == (
        "https://shop.example/?ref=UGFy%2BdG5lcjox"
    )
