"""Following the published catalog: cheap checks, one load per new file, the last good
view kept through failures, and backoff instead of a load per waiting reader."""

from __future__ import annotations

import threading
import time

import pytest

from commerce.catalog.view_follower import CatalogUnavailable, ViewFollower


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Published:
    """A pointer and files: ``newest`` names the newest file, ``load`` reads one."""

    def __init__(self) -> None:
        self.key: str | None = "v1"
        self.checks = 0
        self.loads: list[str] = []
        self.failing = False
        self.release = threading.Event()
        self.release.set()

    def newest(self) -> str | None:
        self.checks += 1
        if self.failing:
            raise TimeoutError("DynamoDB did not answer")
        return self.key

    def load(self, key: str) -> str:
        self.release.wait(5)
        self.loads.append(key)
        return f"view of {key}"

    def publish(self) -> str:
        self.key = "built"
        return self.key


def follower(
    published: Published, clock: Clock, fresh: float = 2, stale: float = 30
) -> ViewFollower[str]:
    return ViewFollower(
        newest=published.newest,
        load=published.load,
        publish=published.publish,
        fresh_seconds=fresh,
        stale_seconds=stale,
        monotonic=clock,
    )


def test_a_view_checked_recently_is_served_without_reading_the_pointer() -> None:
    # given
    published, clock = Published(), Clock()
    views = follower(published, clock)
    assert views.get() == "view of v1"
    # when
    clock.now += 1.9
    view = views.get()
    # then
    assert view == "view of v1"
    assert published.checks == 1


def test_an_unchanged_pointer_loads_nothing_and_a_moved_one_loads_its_file_once() -> None:
    # given
    published, clock = Published(), Clock()
    views = follower(published, clock, fresh=0, stale=0)
    views.get()
    # when the pointer stays, then moves
    same = views.get()
    published.key = "v2"
    moved = views.get()
    again = views.get()
    # then
    assert (same, moved, again) == ("view of v1", "view of v2", "view of v2")
    assert published.loads == ["v1", "v2"]
    assert published.checks == 4


def test_a_stale_view_is_served_while_one_background_check_loads_the_next() -> None:
    # given
    published, clock = Published(), Clock()
    views = follower(published, clock)
    views.get()
    published.key = "v2"
    published.release.clear()
    clock.now += 5
    # when
    served = [views.get() for _ in range(5)]
    published.release.set()
    deadline = time.monotonic() + 5
    while views.get() != "view of v2" and time.monotonic() < deadline:
        time.sleep(0.01)
    # then
    assert served == ["view of v1"] * 5
    assert published.loads == ["v1", "v2"]


def test_a_failing_check_keeps_the_last_good_view_and_backs_off() -> None:
    # given
    published, clock = Published(), Clock()
    views = follower(published, clock, fresh=0, stale=0)
    views.get()
    published.failing = True
    # when
    first = views.get()
    checks_after_failure = published.checks
    clock.now += 0.5
    within_backoff = [views.get() for _ in range(10)]
    # then the view stays, and nobody checks again before the backoff ends
    assert first == "view of v1"
    assert within_backoff == ["view of v1"] * 10
    assert published.checks == checks_after_failure
    assert views.failures == 1
    # when the backoff is over and DynamoDB answers again
    clock.now += 1
    published.failing = False
    published.key = "v2"
    # then
    assert views.get() == "view of v2"
    assert views.failures == 0


def test_the_backoff_doubles_with_each_failure_up_to_its_ceiling() -> None:
    # given
    published, clock = Published(), Clock()
    views = follower(published, clock, fresh=0, stale=0)
    views.get()
    published.failing = True
    waits = []
    # when
    for _ in range(8):
        views.get()
        before = published.checks
        step = 0.0
        while published.checks == before:
            step += 0.25
            clock.now += 0.25
            views.get()
        waits.append(step)
    # then
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]


def test_without_any_view_a_failure_is_raised_once_and_waiting_readers_do_not_repeat_it() -> None:
    # given
    published, clock = Published(), Clock()
    published.failing = True
    views = follower(published, clock)
    # when
    with pytest.raises(CatalogUnavailable):
        views.get()
    for _ in range(5):
        with pytest.raises(CatalogUnavailable):
            views.get()
    # then
    assert published.checks == 1


def test_readers_waiting_for_the_first_load_share_it() -> None:
    # given
    published, clock = Published(), Clock()
    views = follower(published, clock)
    published.release.clear()
    results: list[str] = []
    readers = [threading.Thread(target=lambda: results.append(views.get())) for _ in range(8)]
    # when
    for reader in readers:
        reader.start()
    time.sleep(0.2)
    published.release.set()
    for reader in readers:
        reader.join(5)
    # then
    assert results == ["view of v1"] * 8
    assert published.loads == ["v1"]


def test_a_catalog_with_nothing_published_publishes_its_first_snapshot() -> None:
    # given
    published, clock = Published(), Clock()
    published.key = None
    views = follower(published, clock)
    # when
    view = views.get()
    # then
    assert view == "view of built"


def test_after_invalidate_the_next_reader_checks_before_answering() -> None:
    # given
    published, clock = Published(), Clock()
    views = follower(published, clock)
    views.get()
    published.key = "v2"
    # when
    views.invalidate()
    # then
    assert views.current() is None
    assert views.get() == "view of v2"
