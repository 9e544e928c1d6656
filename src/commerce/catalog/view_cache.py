"""Keeps the storefront's catalog view in memory: fresh, or stale while it refreshes.

A view younger than ``fresh_seconds`` is served as it is. An older one, up to
``stale_seconds``, is still served while one background thread reads the next
(stale-while-revalidate, as CDNs do), so no shopper waits for the whole-catalog
Query once the process is warm. Past that, or after ``invalidate``, the next
reader loads the catalog itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

V = TypeVar("V")


class ViewCache(Generic[V]):
    """One cached value, refreshed by age; safe to share between threads."""

    def __init__(
        self,
        load: Callable[[], V],
        *,
        fresh_seconds: float,
        stale_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._fresh = fresh_seconds
        self._stale = max(stale_seconds, fresh_seconds)
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._loading = threading.Lock()
        self._value: tuple[float, V] | None = None
        # Bumped by invalidate(): a refresh that started before must not install its
        # older read afterwards.
        self._generation = 0
        self._refreshing = False

    def get(self) -> V:
        """A value no staler than the stale window; loads (blocking) when there is none."""
        current = self.current()
        if current is not None:
            return current
        # One loader at a time: readers arriving together wait for its result instead
        # of each reading the whole catalog.
        with self._loading:
            current = self.current()
            if current is not None:
                return current
            with self._lock:
                generation = self._generation
            loaded_at = self._monotonic()
            value = self._load()
            self._install(loaded_at, value, generation)
            return value

    def current(self) -> V | None:
        """The value if usable now, without loading; starts a refresh when it is stale."""
        held = self._value
        if held is None:
            return None
        age = self._monotonic() - held[0]
        if age < self._fresh:
            return held[1]
        if age >= self._stale:
            return None
        self._refresh_in_background()
        return held[1]

    def invalidate(self) -> None:
        """Drop the value: the next reader loads afresh (this process sees its own writes)."""
        with self._lock:
            self._value = None
            self._generation += 1

    def _install(self, loaded_at: float, value: V, generation: int) -> None:
        with self._lock:
            if generation == self._generation:
                held = self._value
                if held is None or held[0] <= loaded_at:
                    self._value = (loaded_at, value)

    def _refresh_in_background(self) -> None:
        with self._lock:
            if self._refreshing:
                return
            self._refreshing = True
            generation = self._generation
        threading.Thread(target=self._refresh, args=(generation,), daemon=True).start()

    def _refresh(self, generation: int) -> None:
        try:
            loaded_at = self._monotonic()
            self._install(loaded_at, self._load(), generation)
        except Exception:
            # The stale value keeps serving; the next stale read tries again.
            log.exception("refreshing the catalog view failed")
        finally:
            with self._lock:
                self._refreshing = False
