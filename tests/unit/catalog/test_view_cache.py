"""The catalog view cache: fresh, stale while refreshing, and dropped on writes."""

from __future__ import annotations

import threading

from commerce.catalog.view_cache import ViewCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Loads:
    """A loader that counts its calls and can be held back to observe refreshes."""

    def __init__(self) -> None:
        self.count = 0
        self.release = threading.Event()
        self.release.set()
        self.finished = threading.Event()

    def __call__(self) -> int:
        self.release.wait(5)
        self.count += 1
        self.finished.set()
        return self.count


def test_a_fresh_view_is_served_without_loading_again() -> None:
    # given
    clock, loads = Clock(), Loads()
    cache = ViewCache(loads, fresh_seconds=2, stale_seconds=30, monotonic=clock)
    assert cache.get() == 1
    # when
    clock.now += 1.9
    # then
    assert cache.get() == 1
    assert cache.current() == 1
    assert loads.count == 1


def test_a_stale_view_is_served_while_one_background_refresh_reads_the_next() -> None:
    # given a view past its fresh age but inside the stale window
    clock, loads = Clock(), Loads()
    cache = ViewCache(loads, fresh_seconds=2, stale_seconds=30, monotonic=clock)
    cache.get()
    clock.now += 5
    loads.release.clear()
    loads.finished.clear()
    # when two readers come while the refresh is held back
    first, second = cache.current(), cache.get()
    # then both get the stale view at once, and only one refresh runs
    assert (first, second) == (1, 1)
    loads.release.set()
    assert loads.finished.wait(5)
    assert loads.count == 2
    # and the refreshed view is served afterwards
    assert cache.current() == 2


def test_past_the_stale_window_the_reader_loads_it_itself() -> None:
    # given
    clock, loads = Clock(), Loads()
    cache = ViewCache(loads, fresh_seconds=2, stale_seconds=30, monotonic=clock)
    cache.get()
    # when
    clock.now += 31
    # then
    assert cache.current() is None
    assert cache.get() == 2


def test_invalidating_drops_the_view_so_the_next_reader_sees_new_writes() -> None:
    # given
    clock, loads = Clock(), Loads()
    cache = ViewCache(loads, fresh_seconds=60, stale_seconds=60, monotonic=clock)
    cache.get()
    # when
    cache.invalidate()
    # then
    assert cache.current() is None
    assert cache.get() == 2


def test_with_no_cache_age_every_read_loads() -> None:
    # given the configuration tests and strict deployments use
    clock, loads = Clock(), Loads()
    cache = ViewCache(loads, fresh_seconds=0, stale_seconds=0, monotonic=clock)
    # when / then
    assert [cache.get(), cache.get(), cache.get()] == [1, 2, 3]
    assert cache.current() is None
