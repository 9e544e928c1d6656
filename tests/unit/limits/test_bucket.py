"""The bucket's arithmetic (GCRA), without DynamoDB."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commerce.limits.model import (
    MICROS,
    Budget,
    address_key,
    admits,
    plan_spend,
    retry_after_seconds,
    status,
    tat_after,
)

BUDGET = Budget(capacity=1000, restore_rate=50)
NOW = 1_750_000_000 * MICROS


def test_a_full_bucket_pays_any_cost_up_to_its_capacity() -> None:
    assert admits(plan_spend(BUDGET, 1000, NOW), None)
    assert not admits(plan_spend(BUDGET, 1001, NOW), None)


def test_spending_moves_the_full_again_time_by_cost_over_rate() -> None:
    # 100 points at 50 a second: full again 2 s from now
    spend = plan_spend(BUDGET, 100, NOW)
    assert tat_after(spend, None) == NOW + 2 * MICROS
    assert status(BUDGET, NOW + 2 * MICROS, NOW).currently_available == 900


def test_a_past_tat_counts_as_a_full_bucket_never_fuller() -> None:
    spend = plan_spend(BUDGET, 100, NOW)
    assert tat_after(spend, NOW - 3600 * MICROS) == NOW + 2 * MICROS
    assert status(BUDGET, NOW - 3600 * MICROS, NOW).currently_available == 1000


def test_a_refusal_says_how_long_until_the_cost_is_restored() -> None:
    # 91 points left, 101 needed: 10 points at 50 a second
    tat = NOW + round((1000 - 91) / 50 * MICROS)
    spend = plan_spend(BUDGET, 101, NOW)
    assert not admits(spend, tat)
    assert retry_after_seconds(spend, tat) == pytest.approx(0.2)


def test_a_budget_needs_capacity_and_a_positive_rate() -> None:
    with pytest.raises(ValueError, match="at least 1 point"):
        Budget(0, 1)
    with pytest.raises(ValueError, match="positive rate"):
        Budget(10, 0)


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.9", "IP#203.0.113.9"),
        ("2001:db8:1:2:3:4:5:6", "IP#2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "IP#2001:db8:1:2::/64"),
        ("::ffff:198.51.100.1", "IP#198.51.100.1"),
        ("testclient", "ADDR#testclient"),
    ],
)
def test_anonymous_callers_are_keyed_by_address_and_ipv6_by_its_64(address: str, key: str) -> None:
    assert address_key(address) == key


@given(
    capacity=st.integers(1, 10_000),
    rate=st.floats(0.5, 1000),
    costs=st.lists(st.integers(0, 500), min_size=1, max_size=60),
    gaps=st.lists(st.floats(0, 5), min_size=60, max_size=60),
)
def test_admitted_points_never_exceed_capacity_plus_what_was_restored(
    capacity: int, rate: float, costs: list[int], gaps: list[float]
) -> None:
    # given any sequence of requests at any pace
    budget = Budget(capacity, rate)
    now = NOW
    tat: int | None = None
    admitted = 0
    elapsed = 0.0
    for cost, gap in zip(costs, gaps, strict=False):
        now += round(gap * MICROS)
        elapsed += gap
        spend = plan_spend(budget, cost, now)
        available = status(budget, tat, now).currently_available
        # then a request is admitted exactly when its cost is available (to rounding)
        if admits(spend, tat):
            assert cost <= available + 1
            tat = tat_after(spend, tat)
            admitted += cost
        else:
            assert cost >= available
        # and no one ever gets more than a full bucket plus the refill since the start
        assert admitted <= capacity + elapsed * rate + len(costs)
        assert 0 <= status(budget, tat, now).currently_available <= capacity


@given(cost=st.integers(1, 1000), spent=st.integers(0, 1000))
def test_waiting_the_retry_after_is_always_enough(cost: int, spent: int) -> None:
    tat = NOW + BUDGET.micros_for(spent)
    spend = plan_spend(BUDGET, cost, NOW)
    if admits(spend, tat):
        return
    later = NOW + round(retry_after_seconds(spend, tat) * MICROS) + 1
    assert admits(plan_spend(BUDGET, cost, later), tat)
