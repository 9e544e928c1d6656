"""Rounding and allocation: a discount's parts add up to it exactly, never above a line."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from commerce.pricing.allocation import allocate, percent_of


def test_percentages_round_half_to_even() -> None:
    assert percent_of(25, Decimal(10)) == 2  # 2.5 -> 2
    assert percent_of(35, Decimal(10)) == 4  # 3.5 -> 4
    assert percent_of(1000, Decimal("12.5")) == 125


def test_a_percentage_never_exceeds_its_base() -> None:
    assert percent_of(999, Decimal(150)) == 999


def test_largest_remainder_gives_the_leftover_cents_to_the_largest_remainders() -> None:
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(10, [3, 3, 4]) == [3, 3, 4]
    assert allocate(0, [0, 0]) == [0, 0]


@given(
    st.lists(st.integers(0, 10**9), min_size=1, max_size=30),
    st.integers(0, 10**6),
)
def test_allocations_sum_exactly_and_stay_within_their_weights(
    weights: list[int], seed: int
) -> None:
    whole = sum(weights)
    total = seed % (whole + 1) if whole else 0
    parts = allocate(total, weights)
    assert sum(parts) == total
    assert all(0 <= p <= w for p, w in zip(parts, weights, strict=True))
    assert all(isinstance(p, int) for p in parts)
