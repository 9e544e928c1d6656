"""Properties of every model's credit, over generated journeys (derandomised)."""

from __future__ import annotations

import random
from datetime import timedelta
from fractions import Fraction

from attribution_factories import CONVERTED_AT
from hypothesis import given, settings
from hypothesis import strategies as st

from commerce.attribution import (
    DIRECT,
    Model,
    PathCounts,
    Touch,
    Weights,
    allocate,
    credit_all,
    fit,
    journey,
    refund_shares,
)

CHANNELS = ("paid_search", "affiliate", "email", DIRECT, "organic", "social", "mobile_app")
PROPERTY = settings(max_examples=120, deadline=None, derandomize=True)

touch_rows = st.lists(
    st.tuples(st.integers(0, 400 * 24 * 60), st.sampled_from(CHANNELS)),
    min_size=1,
    max_size=50,
)
paths = st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=6).map(tuple)
path_counts = st.builds(
    PathCounts,
    conversions=st.dictionaries(paths, st.integers(0, 30), max_size=8),
    non_conversions=st.dictionaries(paths, st.integers(0, 30), max_size=8),
)


def _touches(rows: list[tuple[int, str]]) -> list[Touch]:
    """Touches ``minutes`` before the conversion, ids in creation order."""
    return [
        Touch(f"e{i:03d}", CONVERTED_AT - timedelta(minutes=minutes), channel)
        for i, (minutes, channel) in enumerate(rows)
    ]


def _credits(
    touches: tuple[Touch, ...], value: int, weights: Weights
) -> dict[Model, tuple[int, ...]]:
    return credit_all(
        touches, value, converted_at=CONVERTED_AT, half_life=timedelta(days=3), weights=weights
    )


@PROPERTY
@given(touch_rows, st.integers(0, 10**9), path_counts)
def test_every_model_credits_whole_units_that_sum_to_the_value_and_are_never_negative(
    rows: list[tuple[int, str]], value: int, counts: PathCounts
) -> None:
    touches = journey(_touches(rows), converted_at=CONVERTED_AT)
    for parts in _credits(touches, value, fit(counts)).values():
        assert len(parts) == len(touches)
        assert sum(parts) == value
        assert all(part >= 0 for part in parts)


@PROPERTY
@given(touch_rows, st.integers(0, 10**7), path_counts, st.randoms(use_true_random=False))
def test_credit_does_not_depend_on_the_order_events_arrived_in(
    rows: list[tuple[int, str]], value: int, counts: PathCounts, rnd: random.Random
) -> None:
    touches = _touches(rows)
    arrived = list(touches)
    rnd.shuffle(arrived)
    weights = fit(counts)
    in_order = journey(touches, converted_at=CONVERTED_AT)
    shuffled = journey(arrived, converted_at=CONVERTED_AT)
    assert shuffled == in_order
    # The credit itself follows its touches, whatever order they are passed in.
    reordered = list(in_order)
    rnd.shuffle(reordered)
    expected = _credits(in_order, value, weights)
    got = _credits(tuple(reordered), value, weights)
    for model in Model:
        by_id = dict(zip((t.touch_id for t in reordered), got[model], strict=True))
        assert tuple(by_id[t.touch_id] for t in in_order) == expected[model]


@PROPERTY
@given(touch_rows, st.lists(st.integers(0, 49), max_size=20), st.integers(0, 10**7))
def test_an_event_sent_twice_is_credited_once(
    rows: list[tuple[int, str]], repeats: list[int], value: int
) -> None:
    touches = _touches(rows)
    resent = touches + [touches[i % len(touches)] for i in repeats]
    once = journey(touches, converted_at=CONVERTED_AT)
    assert journey(resent, converted_at=CONVERTED_AT) == once
    assert _credits(journey(resent, converted_at=CONVERTED_AT), value, Weights()) == _credits(
        once, value, Weights()
    )


@PROPERTY
@given(
    st.integers(0, 10**12),
    st.lists(
        st.builds(Fraction, st.integers(0, 10**6), st.integers(1, 10**6)), min_size=1, max_size=40
    ),
)
def test_each_allocated_part_is_within_one_unit_of_its_exact_share(
    value: int, weights: list[Fraction]
) -> None:
    whole = sum(weights, Fraction(0))
    if whole == 0:
        value = 0
    parts = allocate(value, weights)
    assert sum(parts) == value
    for part, weight in zip(parts, weights, strict=True):
        exact = value * weight / whole if whole else Fraction(0)
        assert abs(part - exact) < 1
        assert part >= 0


@PROPERTY
@given(touch_rows, st.integers(0, 10**7), st.lists(st.integers(0, 10**7), max_size=4))
def test_refunds_taken_from_the_credits_never_leave_a_touch_negative(
    rows: list[tuple[int, str]], value: int, refunds: list[int]
) -> None:
    touches = journey(_touches(rows), converted_at=CONVERTED_AT)
    for parts in _credits(touches, value, Weights()).values():
        net, refunded = list(parts), 0
        for wanted in refunds:
            amount = min(wanted, sum(net))
            shares = refund_shares(net, amount)
            refunded += amount
            net = [left - share for left, share in zip(net, shares, strict=True)]
            assert all(left >= 0 for left in net)
        assert sum(net) == value - refunded
