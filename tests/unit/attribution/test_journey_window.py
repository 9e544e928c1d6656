"""Which touches count for a conversion: the look-back, the order, duplicates, the cap."""

from __future__ import annotations

from datetime import timedelta

import pytest
from attribution_factories import CONVERTED_AT, touch

from commerce.attribution import Touch, journey


def _ids(touches: tuple[Touch, ...]) -> list[str]:
    return [t.touch_id for t in touches]


def test_touches_are_sorted_by_time_then_id() -> None:
    touches = [touch("c", 1, "email"), touch("b", 3, "ads"), touch("a", 1, "social")]
    assert _ids(journey(touches, converted_at=CONVERTED_AT)) == ["b", "a", "c"]


def test_touches_after_the_conversion_or_before_the_look_back_do_not_count() -> None:
    touches = [
        touch("too-old", 365.01, "ads"),
        touch("first-day", 365, "ads"),
        touch("at-purchase", 0, "email"),
        touch("after", -0.01, "email"),
    ]
    assert _ids(journey(touches, converted_at=CONVERTED_AT)) == ["first-day", "at-purchase"]


def test_the_look_back_is_configurable() -> None:
    touches = [touch("old", 91, "ads"), touch("recent", 89, "email")]
    assert _ids(journey(touches, converted_at=CONVERTED_AT, lookback=timedelta(days=90))) == [
        "recent"
    ]


def test_a_re_sent_event_counts_once() -> None:
    click = touch("e1", 5, "ads")
    assert journey([click, click, touch("e2", 1, "email"), click], converted_at=CONVERTED_AT) == (
        click,
        touch("e2", 1, "email"),
    )


def test_a_long_journey_keeps_the_first_touch_and_the_most_recent_ones() -> None:
    # 60 touches a day apart: the cap of 40 keeps day 59 (the first) and days 38..0.
    touches = [touch(f"t{day:02d}", day, "email") for day in range(60)]
    kept = journey(touches, converted_at=CONVERTED_AT)
    assert len(kept) == 40
    assert _ids(kept) == ["t59", *(f"t{day:02d}" for day in range(38, -1, -1))]


def test_the_cap_is_configurable_and_needs_room_for_first_and_last() -> None:
    touches = [touch(f"t{day}", day, "email") for day in range(5)]
    assert _ids(journey(touches, converted_at=CONVERTED_AT, max_touches=2)) == ["t4", "t0"]
    with pytest.raises(ValueError, match="at least two"):
        journey(touches, converted_at=CONVERTED_AT, max_touches=1)
