"""The rule-based models reproduce hand-computed credits exactly, in whole minor units."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest
from attribution_factories import CONVERTED_AT, path_of, touch

from commerce.attribution import (
    DIRECT,
    Model,
    Touch,
    allocate,
    credit,
    credit_all,
    credit_with_note,
    refund_shares,
)

# A three-touch journey: an ad click 14 days out, an email 7 days out, a direct visit at
# the purchase. Value 100.00 (10,000 cents).
AD_EMAIL_DIRECT = (
    touch("click", 14, "paid_search"),
    touch("mail", 7, "email"),
    touch("visit", 0, DIRECT),
)


def _credit(touches: tuple[Touch, ...], value: int, model: Model, **kw: object) -> tuple[int, ...]:
    return credit(touches, value, model, converted_at=CONVERTED_AT, **kw)  # type: ignore[arg-type]


def test_first_touch_gives_everything_to_the_ad_click() -> None:
    assert _credit(AD_EMAIL_DIRECT, 10_000, Model.FIRST_TOUCH) == (10_000, 0, 0)


def test_last_touch_gives_everything_to_the_direct_visit() -> None:
    assert _credit(AD_EMAIL_DIRECT, 10_000, Model.LAST_TOUCH) == (0, 0, 10_000)


def test_last_non_direct_skips_the_direct_visit_before_the_purchase() -> None:
    assert _credit(AD_EMAIL_DIRECT, 10_000, Model.LAST_NON_DIRECT) == (0, 10_000, 0)


def test_last_non_direct_falls_to_the_last_touch_when_every_touch_is_direct() -> None:
    touches = path_of(DIRECT, DIRECT, DIRECT)
    assert _credit(touches, 999, Model.LAST_NON_DIRECT) == (0, 0, 999)


def test_linear_splits_evenly_and_gives_the_leftover_cent_to_the_earliest_touch() -> None:
    # 10,000 / 3 = 3,333.33 each: floors 3,333 x 3 = 9,999, one cent left, all remainders
    # equal (1/3), so it goes to the earliest touch.
    assert _credit(AD_EMAIL_DIRECT, 10_000, Model.LINEAR) == (3_334, 3_333, 3_333)


def test_position_based_gives_forty_twenty_forty() -> None:
    assert _credit(AD_EMAIL_DIRECT, 10_000, Model.POSITION_BASED) == (4_000, 2_000, 4_000)


def test_position_based_shares_the_middle_twenty_percent() -> None:
    # Five touches of 1,001 cents: 40 % = 400.4 first and last, 20 % / 3 = 66.733 each
    # middle. Floors 400 + 66 x 3 + 400 = 998, three cents left; remainders 0.4, 0.7333 x 3,
    # 0.4: the three middle touches get one each -> 400, 67, 67, 67, 400.
    touches = path_of("affiliate", "email", "social", "organic", "paid_search")
    assert _credit(touches, 1_001, Model.POSITION_BASED) == (400, 67, 67, 67, 400)


def test_position_based_with_one_touch_gives_it_all_and_with_two_splits_in_half() -> None:
    assert _credit(path_of("email"), 777, Model.POSITION_BASED) == (777,)
    assert _credit(path_of("email", "affiliate"), 777, Model.POSITION_BASED) == (389, 388)


def test_time_decay_halves_a_touch_per_half_life() -> None:
    # Ages 14, 7 and 0 days with a 7-day half-life: weights 1/4, 1/2, 1 (sum 7/4), shares
    # 10,000 x 1/7, 2/7, 4/7 = 1,428.57, 2,857.14, 5,714.29. Floors add to 9,999; the cent
    # left goes to the largest remainder (0.57): 1,429, 2,857, 5,714.
    assert _credit(AD_EMAIL_DIRECT, 10_000, Model.TIME_DECAY) == (1_429, 2_857, 5_714)


def test_time_decay_follows_a_configured_half_life() -> None:
    # Half-life 14 days: weights 1/2, 2^-0.5 = 0.70711, 1 (sum 2.20711); shares 2,265.4,
    # 3,203.8, 4,530.8 of 10,000 -> floors 2,265, 3,203, 4,530 (9,998); the two cents go to
    # remainders 0.8 and 0.8 (the 7-day-old and newest touches), not to 0.4.
    parts = _credit(AD_EMAIL_DIRECT, 10_000, Model.TIME_DECAY, half_life=timedelta(days=14))
    assert parts == (2_265, 3_204, 4_531)


def test_time_decay_uses_the_age_at_the_conversion_not_between_touches() -> None:
    # Two touches 30 and 23 days out with a 7-day half-life: weights 2^-30/7 and 2^-23/7,
    # ratio exactly 1:2, so 900 splits 300 / 600 whatever the absolute ages.
    touches = (touch("a", 30, "email"), touch("b", 23, "social"))
    assert _credit(touches, 900, Model.TIME_DECAY) == (300, 600)


def test_credits_come_back_in_the_order_the_touches_were_given() -> None:
    shuffled = (AD_EMAIL_DIRECT[2], AD_EMAIL_DIRECT[0], AD_EMAIL_DIRECT[1])
    assert _credit(shuffled, 10_000, Model.FIRST_TOUCH) == (0, 10_000, 0)
    assert _credit(shuffled, 10_000, Model.LINEAR) == (3_333, 3_334, 3_333)


def test_touches_at_the_same_moment_are_ordered_by_touch_id() -> None:
    same_time = (touch("b", 1, "email"), touch("a", 1, "social"))
    assert _credit(same_time, 100, Model.FIRST_TOUCH) == (0, 100)


def test_a_zero_value_credits_zero_to_every_touch() -> None:
    assert _credit(AD_EMAIL_DIRECT, 0, Model.TIME_DECAY) == (0, 0, 0)
    assert _credit((), 0, Model.LINEAR) == ()


def test_credit_all_gives_every_model_and_each_sums_to_the_value() -> None:
    every = credit_all(AD_EMAIL_DIRECT, 10_000, converted_at=CONVERTED_AT)
    assert list(every) == list(Model)
    assert every[Model.POSITION_BASED] == (4_000, 2_000, 4_000)
    assert all(sum(parts) == 10_000 for parts in every.values())


def test_data_driven_models_without_weights_fall_back_to_linear_and_say_so() -> None:
    note = credit_with_note(AD_EMAIL_DIRECT, 10_000, Model.MARKOV, converted_at=CONVERTED_AT)
    assert note.parts == (3_334, 3_333, 3_333)
    assert note.fell_back
    assert note.applied is Model.LINEAR
    linear = credit_with_note(AD_EMAIL_DIRECT, 10_000, Model.LINEAR, converted_at=CONVERTED_AT)
    assert not linear.fell_back


@pytest.mark.parametrize(
    ("touches", "value", "message"),
    [
        (AD_EMAIL_DIRECT, -1, "non-negative"),
        ((), 100, "at least one touch"),
        ((touch("a", 2, "email"), touch("a", 1, "email")), 100, "repeat an id"),
        ((touch("late", -1, "email"),), 100, "after the conversion"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(
    touches: tuple[Touch, ...], value: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        _credit(touches, value, Model.LINEAR)


def test_a_non_positive_half_life_is_refused() -> None:
    with pytest.raises(ValueError, match="half-life"):
        _credit(AD_EMAIL_DIRECT, 100, Model.TIME_DECAY, half_life=timedelta(0))


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        Touch("a", CONVERTED_AT.replace(tzinfo=None), "email")
    with pytest.raises(ValueError, match="aware"):
        credit(AD_EMAIL_DIRECT, 1, Model.LINEAR, converted_at=CONVERTED_AT.replace(tzinfo=None))


def test_a_refund_is_taken_from_the_credits_in_proportion() -> None:
    # Credits 4,000 / 2,000 / 4,000 (position-based of 10,000); 2,500 refunded: shares
    # 1,000 / 500 / 1,000, net 3,000 / 1,500 / 3,000.
    assert refund_shares((4_000, 2_000, 4_000), 2_500) == (1_000, 500, 1_000)
    # Credits 34 / 33 / 33 (linear of 100) and 50 refunded: exact shares 17, 16.5, 16.5;
    # the unit left goes to the earlier of the equal remainders: 17 / 17 / 16.
    assert refund_shares((34, 33, 33), 50) == (17, 17, 16)
    assert refund_shares((34, 33, 33), 100) == (34, 33, 33)


def test_a_refund_larger_than_the_credit_is_refused() -> None:
    with pytest.raises(ValueError, match="exceed"):
        refund_shares((10, 0), 11)


def test_a_refund_never_takes_back_more_than_a_touch_earned() -> None:
    # Largest remainder is not monotone in the total (the Alabama paradox): with weights
    # 6 : 6 : 1, a value of 6 gives 3 / 3 / 0 but 5 gives 2 / 2 / 1. Crediting a refund of
    # 5 afresh would take 1 from the touch that earned 0. Taken from the credits, the
    # refund is 2.5 / 2.5 / 0 -> 3 / 2 / 0 (tie to the earlier touch), net 0 / 1 / 0.
    weights = [Fraction(6), Fraction(6), Fraction(1)]
    assert allocate(6, weights) == (3, 3, 0)
    assert allocate(5, weights) == (2, 2, 1)
    assert refund_shares((3, 3, 0), 5) == (3, 2, 0)
