"""Crediting an order again under new weights, as a pure rule: hand-computed, and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from commerce.attribution import Model, Weights
from commerce.journeys.crediting import (
    DATA_DRIVEN,
    JourneyTouch,
    OrderCredit,
    PaidOrder,
    credit_delta,
    credit_order,
    merged,
    recredit,
    refund,
)
from commerce.money import Currency

T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
FIT_1 = datetime(2026, 10, 2, tzinfo=UTC)
FIT_2 = datetime(2026, 10, 9, tzinfo=UTC)
WEEK = timedelta(days=7)
CHANNELS = ("paid_search", "email", "social", "direct")


def touch(i: int, channel: str) -> JourneyTouch:
    return JourneyTouch(
        f"t{i}", T0 + timedelta(hours=i), channel, "s", "m", "c", "(none)", "(none)", False
    )


def order(value: int) -> PaidOrder:
    return PaidOrder("o1", value, Currency.USD, T0 + timedelta(days=1), None, "v1", None, "visa")


def credited(
    value: int, channels: list[str], weights: Weights | None, fitted: datetime | None
) -> OrderCredit:
    touches = [touch(i, c) for i, c in enumerate(channels)]
    return credit_order(
        order(value),
        touches,
        lookback=timedelta(days=365),
        half_life=WEEK,
        weights=weights,
        weights_fitted_at=fitted,
    )


def test_a_recredit_moves_only_the_data_driven_credits_and_keeps_the_refund() -> None:
    """1,000 over paid search then e-mail, 300 refunded, first under no fit (linear: 500 /
    500), then Markov weights 3 : 1 (750 / 250 gross). The refund's shares of 750 / 250 are
    225 / 75, so the net is 525 / 175; the rule-based models keep their 350 / 350."""
    first = credited(1000, ["paid_search", "email"], None, None)
    taken = refund(first, 300)
    assert taken is not None
    after_refund = taken[0]
    weights = Weights(
        markov={"paid_search": Fraction(3), "email": Fraction(1)},
        shapley={"paid_search": Fraction(1), "email": Fraction(1)},
    )
    again = recredit(after_refund, half_life=WEEK, weights=weights, weights_fitted_at=FIT_1)
    assert again is not None
    updated, delta = again
    assert updated.credits[Model.MARKOV] == (525, 175)
    assert updated.gross is not None
    assert updated.gross[Model.MARKOV] == (750, 250)
    assert updated.credits[Model.SHAPLEY] == (350, 350)
    assert updated.credits[Model.LINEAR] == after_refund.credits[Model.LINEAR] == (350, 350)
    assert updated.weights_fitted_at == FIT_1
    markov = delta.cells["MARKOV"]["CHANNEL"]
    # Revenue +175 / -175; conversions from 0.5 / 0.5 to 0.75 / 0.25 (millionths); the
    # order counts stay.
    assert markov == {"paid_search": [0, 175, 250_000], "email": [0, -175, -250_000]}
    assert "LINEAR" not in delta.cells
    # The same fit again: nothing to do.
    assert recredit(updated, half_life=WEEK, weights=weights, weights_fitted_at=FIT_1) is None


weights_of = st.fixed_dictionaries(
    {c: st.fractions(min_value=0, max_value=10, max_denominator=7) for c in CHANNELS}
)


@settings(max_examples=200, derandomize=True)
@given(
    value=st.integers(1, 50_000),
    channels=st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=8),
    refunds=st.lists(st.integers(0, 60_000), max_size=3),
    old=weights_of,
    new=weights_of,
)
def test_a_recredit_reports_as_if_credited_afresh_under_the_new_fit(
    value: int,
    channels: list[str],
    refunds: list[int],
    old: dict[str, Fraction],
    new: dict[str, Fraction],
) -> None:
    """Credit under an old fit, refund in steps, re-credit under a new one: the rollup
    equals crediting afresh under the new fit and refunding the total at once; credits
    never negative, adding up to the value net of refunds."""
    old_weights = Weights(markov=old, shapley=old)
    new_weights = Weights(markov=new, shapley=dict(reversed(list(new.items()))))
    credit = credited(value, channels, old_weights, FIT_1)
    rollup = merged({}, credit_delta(credit))
    total = 0
    for step in refunds:
        total = min(value, total + step)
        taken = refund(credit, total)
        if taken is not None:
            credit, delta = taken
            rollup = merged(rollup, delta)
    again = recredit(credit, half_life=WEEK, weights=new_weights, weights_fitted_at=FIT_2)
    assert again is not None
    updated, delta = again
    rollup = merged(rollup, delta)

    fresh = credited(value, channels, new_weights, FIT_2)
    expected = merged({}, credit_delta(fresh))
    if total:
        taken = refund(fresh, total)
        assert taken is not None
        expected = merged(expected, taken[1])
    for model in DATA_DRIVEN:
        assert rollup[model.value] == expected[model.value]
        assert all(part >= 0 for part in updated.credits[model])
        assert sum(updated.credits[model]) == value - total
    assert recredit(updated, half_life=WEEK, weights=new_weights, weights_fitted_at=FIT_2) is None
