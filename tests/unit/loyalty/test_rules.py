"""Earning, redeeming, tiers and refunds' shares, as the storefront guide states them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from commerce.loyalty.ledger import Entry, EntryKind, fold
from commerce.loyalty.model import (
    DEFAULT_SETTINGS,
    TIER_WINDOW,
    PointsRate,
    points_earned,
    pro_rata,
    tier_of,
    tier_schedule,
)
from commerce.money import Currency, Money
from commerce.pricing.model import PricedCart, PricedLine
from commerce.pricing.points import (
    POINTS_DISCOUNT_ID,
    PointsValue,
    Redemption,
    redeem_points,
    redemption,
)

USD_RATE = PointsRate(Currency.USD, 1, 100, 100)
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_points_are_earned_per_whole_unit_times_the_multiplier_rounded_down() -> None:
    assert points_earned(Money(2599, Currency.USD), USD_RATE, Decimal(1)) == 25
    assert points_earned(Money(2599, Currency.USD), USD_RATE, Decimal("1.5")) == 38
    assert points_earned(Money(2599, Currency.JPY), None, Decimal(1)) == 0


def test_points_buy_at_most_the_goods_and_only_the_points_needed_are_spent() -> None:
    worth = PointsValue(100, 100)
    assert redemption(500, worth, 2000) == Redemption(500, 500)
    capped = redemption(5000, worth, 800)
    assert capped is not None
    assert (capped.points, capped.amount) == (800, 800)
    # 3 points buy 1 cent at 300 points = 1.00: a cent's worth needs all 3
    assert redemption(2, PointsValue(300, 100), 500) is None
    assert redemption(500, None, 2000) is None


def test_the_points_discount_is_shared_over_the_lines_to_the_cent() -> None:
    lines = tuple(
        PricedLine(f"l{i}", 1, amount, amount, (), (), amount)
        for i, amount in enumerate((333, 667))
    )
    cart = PricedCart(Currency.USD, lines, 1000, 0, (), 1000, 500, None, 1500, (), ())
    priced, spent = redeem_points(cart, 250, PointsValue(100, 100))
    assert spent is not None
    assert spent.amount == 250
    assert [ln.total for ln in priced.lines] == [250, 500]
    assert sum(d.amount for ln in priced.lines for d in ln.order_discounts) == 250
    assert {d.promotion_id for ln in priced.lines for d in ln.order_discounts} == {
        POINTS_DISCOUNT_ID
    }
    assert (priced.merchandise_total, priced.total) == (750, 1250)  # shipping untouched


def test_a_refund_accounts_for_its_share_of_the_points_rounded_down() -> None:
    assert pro_rata(35, 1750, 3500) == 17
    assert pro_rata(35, 3500, 3500) == 35
    assert pro_rata(35, 0, 3500) == 0


def _bought(amount: int, days_ago: int) -> Entry:
    at = NOW - timedelta(days=days_ago)
    return Entry(
        f"order:{days_ago}:earn",
        EntryKind.EARNED,
        amount // 100,
        at,
        expires_at=at + timedelta(days=365),
        order_id=str(days_ago),
        spend=Money(amount, Currency.USD),
    )


def test_the_tier_follows_the_last_twelve_months_and_its_end_is_known_ahead() -> None:
    # given 600.00 bought 300 days ago and 1,000.00 bought 100 days ago: gold (1,500.00)
    ledger = fold([_bought(60000, 300), _bought(100000, 100)], NOW)
    tier = tier_of(ledger, DEFAULT_SETTINGS, NOW)
    assert tier is not None
    assert tier.name == "gold"
    # then gold lasts until the first purchase leaves the window, silver until the second
    assert tier_schedule(ledger, DEFAULT_SETTINGS, NOW) == (
        ("tier:gold", NOW - timedelta(days=300) + TIER_WINDOW),
        ("tier:silver", NOW - timedelta(days=100) + TIER_WINDOW),
        ("tier:member", None),
    )
