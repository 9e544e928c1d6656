"""The retry schedule: growing waits, and nothing tried past three days after the event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from commerce.webhooks.model import DELIVERY_WINDOW, RETRY_DELAYS, next_attempt_at

CREATED = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
PROPERTY = settings(max_examples=200, deadline=None, derandomize=True)


def schedule(lateness: list[int]) -> list[datetime]:
    """Every attempt's time when each one fails, each run ``lateness[i]`` seconds late."""
    times = [CREATED]
    while True:
        retry = next_attempt_at(CREATED, len(times), times[-1])
        if retry is None:
            return times
        late = lateness[len(times) % len(lateness)] if lateness else 0
        times.append(retry + timedelta(seconds=late))


def test_the_waits_are_5_seconds_5_minutes_30_minutes_2_hours_5_hours_then_10_hours() -> None:
    # when
    times = schedule([])

    # then
    waits = [later - earlier for earlier, later in pairwise(times)]
    assert waits[:6] == list(RETRY_DELAYS)
    assert set(waits[6:]) == {timedelta(hours=10)}
    assert times[-1] <= CREATED + DELIVERY_WINDOW
    assert times[-1] + timedelta(hours=10) > CREATED + DELIVERY_WINDOW
    assert len(times) == 12


@PROPERTY
@given(st.lists(st.integers(min_value=0, max_value=3 * 3600), max_size=20))
def test_however_late_the_job_runs_attempts_grow_apart_and_stay_in_the_window(
    lateness: list[int],
) -> None:
    # when
    times = schedule(lateness)

    # then
    waits = [later - earlier for earlier, later in pairwise(times)]
    assert all(w >= timedelta(seconds=5) for w in waits)
    assert all(t <= CREATED + DELIVERY_WINDOW + timedelta(hours=3) for t in times)
    # each scheduled retry is never before the previous attempt's wait ran out
    for index, wait in enumerate(waits):
        assert wait >= RETRY_DELAYS[min(index, len(RETRY_DELAYS) - 1)]
    assert len(times) <= 12


def test_an_attempt_made_after_the_window_is_the_last() -> None:
    # when
    late = next_attempt_at(CREATED, 3, CREATED + DELIVERY_WINDOW - timedelta(seconds=1))

    # then
    assert late is None
