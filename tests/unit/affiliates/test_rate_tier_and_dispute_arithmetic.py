"""Collection rates, volume tiers and disputes in the commission arithmetic."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from commerce.affiliates.model import (
    CommissionRule,
    GoodsLine,
    PaidOrderFacts,
    VolumeTier,
)
from commerce.affiliates.rules import (
    after_refund,
    commission_of,
    reversals_for,
    sales_counted_after,
    tier_of,
    volume_month,
)
from commerce.money import Currency, Money

USD, EUR = Currency.USD, Currency.EUR
AT = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)


def facts(*lines: tuple[int, tuple[str, ...]], total: int | None = None) -> PaidOrderFacts:
    goods = tuple(
        GoodsLine(f"line-{i}", f"product-{i}", paid, collections)
        for i, (paid, collections) in enumerate(lines)
    )
    return PaidOrderFacts(
        order_id="order-1",
        order_number=1,
        customer_id=None,
        affiliate_id="p1",
        currency=USD,
        paid_at=AT,
        paid_total=sum(p for p, _ in lines) if total is None else total,
        lines=goods,
    )


def test_a_product_rate_wins_over_its_collections_and_the_highest_collection_rate_counts() -> None:
    rule = CommissionRule(
        first_order_rate=1000,
        product_rates=(("product-0", 4000),),
        collection_rates=(("books", 2000), ("sale", 3000)),
    )
    commission = commission_of(
        facts((1000, ("books",)), (1000, ("books", "sale")), (1000, ("other",)), (1000, ())),
        "p1",
        rule,
        first_order=True,
    )
    assert commission is not None
    assert [(line.line_id, line.rate, line.amount) for line in commission.lines] == [
        ("line-0", 4000, 400),
        ("line-1", 3000, 300),
        ("line-2", 1000, 100),
        ("line-3", 1000, 100),
    ]


def test_the_tier_is_the_highest_threshold_reached_and_only_in_its_currency() -> None:
    tiers = (
        VolumeTier(Money(100_000, USD), 2500),
        VolumeTier(Money(500_000, USD), 3000),
        VolumeTier(Money(1, EUR), 9000),
    )
    assert tier_of(tiers, USD, 0) == (0, 0, 100_000)
    assert tier_of(tiers, USD, 99_999) == (0, 0, 100_000)
    assert tier_of(tiers, USD, 100_000) == (2500, 100_000, 500_000)
    assert tier_of(tiers, USD, 700_000) == (3000, 500_000, None)
    assert tier_of(tiers, Currency.GBP, 700_000) == (0, 0, None)


def test_a_tier_raises_the_order_rate_and_never_lowers_it_nor_a_collection_rate() -> None:
    rule = CommissionRule(repeat_rate=2000, collection_rates=(("books", 1000),))
    order = facts((1000, ()), (1000, ("books",)))
    raised = commission_of(order, "p1", rule, first_order=False, tier_rate=2500)
    lower = commission_of(order, "p1", rule, first_order=False, tier_rate=1500)
    assert raised is not None
    assert lower is not None
    assert [line.rate for line in raised.lines] == [2500, 1000]
    assert [line.rate for line in lower.lines] == [2000, 1000]
    assert raised.sales == raised.sales_counted == 2000


def test_the_volume_month_is_the_utc_calendar_month_of_payment() -> None:
    assert volume_month(AT) == "2026-12"
    assert volume_month(datetime(2027, 1, 1, tzinfo=UTC)) == "2027-01"


def test_a_dispute_takes_back_pro_rata_and_a_won_one_gives_it_back() -> None:
    commission = commission_of(
        facts((2000, ()), (1000, ())), "p1", CommissionRule(first_order_rate=3000), first_order=True
    )
    assert commission is not None
    taken = reversals_for(commission, 0, 1500)
    assert taken == {"line-0": 300, "line-1": 150}
    disputed = after_refund(commission, 0, taken, 2, 1500)
    assert disputed.disputed_seen == 1500
    assert disputed.sales_counted == 1500
    # The same dispute seen again takes nothing more.
    assert reversals_for(disputed, 0, 1500) == {}
    # Won: the disputed share comes back as negative reversals (money given back).
    assert reversals_for(disputed, 0, 0) == {"line-0": -300, "line-1": -150}
    assert sales_counted_after(disputed, 0, 0) == 3000


def test_a_dispute_after_a_refund_never_takes_more_than_the_commission() -> None:
    commission = commission_of(
        facts((3000, ())), "p1", CommissionRule(first_order_rate=3000), first_order=True
    )
    assert commission is not None
    refunded = after_refund(commission, 1000, reversals_for(commission, 1000), 1)
    assert refunded.lines[0].reversed == 300
    # A dispute of everything that is left takes the rest, never more.
    assert reversals_for(refunded, 1000, 5000) == {"line-0": 600}
    whole = after_refund(refunded, 1000, {"line-0": 600}, 1, 5000)
    assert whole.lines[0].reversed == whole.lines[0].amount
    assert whole.sales_counted == 0
    assert replace(whole, entries=0).disputed_seen == 5000
