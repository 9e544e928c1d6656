"""Keeps the newest published catalog view in memory, and never loses the last good one.

Instances do not read the catalog: they follow a published snapshot
(``docs/decisions/0012-catalog-at-scale.md``). A small pointer names the newest file;
reading it is one GetItem, so checking is cheap, and a new file is loaded only when the
pointer moved. The timing follows the settings the old whole-catalog cache used:

- a view checked less than ``fresh_seconds`` ago is served as it is;
- up to ``stale_seconds``, it is served while one background thread checks (and loads);
- past that, or after ``invalidate`` (this process changed the catalog), the next reader
  checks before answering. Readers arriving meanwhile wait for that one check and take
  its result: one load serves them all.

A check or load that fails keeps the view held, and the next attempt waits an interval
that doubles with each failure (``backoff_seconds`` up to ``max_backoff_seconds``);
during it the held view is served without checking. With no view yet, readers inside
that interval fail at once with the last error instead of each repeating the load.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

V = TypeVar("V")


class CatalogUnavailable(RuntimeError):
    """No view has been loaded yet and the last attempt failed (backing off)."""


class ViewFollower(Generic[V]):
    """The newest published view; safe to share between threads."""

    def __init__(
        self,
        *,
        newest: Callable[[], str | None],
        load: Callable[[str], V],
        publish: Callable[[], str],
        fresh_seconds: float,
        stale_seconds: float,
        backoff_seconds: float = 1.0,
        max_backoff_seconds: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        # newest(): the key of the newest published file (None before the first);
        # publish(): build and publish one, for a catalog that has none yet.
        self._newest = newest
        self._load = load
        self._publish = publish
        self._fresh = fresh_seconds
        self._stale = max(stale_seconds, fresh_seconds)
        self._backoff = backoff_seconds
        self._max_backoff = max_backoff_seconds
        self._monotonic = monotonic
        self._state = threading.Lock()
        self._checking = threading.Lock()
        self._view: V | None = None
        self._key: str | None = None
        self._checked_at = float("-inf")
        self._retry_at = float("-inf")
        self._failures = 0
        self._last_error: BaseException | None = None
        # Counts finished checks, so a reader that waited for one can take its result.
        self._checks = 0
        self._background = False

    @property
    def failures(self) -> int:
        """Checks or loads that failed in a row (0 once one succeeds)."""
        return self._failures

    def get(self) -> V:
        """The view to serve now: checked first when too old; raises only without any."""
        view, due = self._due()
        if view is not None and due != "check":
            return view
        seen = self._checks
        with self._checking:
            if self._checks != seen:  # someone checked while we waited: take their result
                return self._result()
            view, due = self._due()
            if view is not None and due != "check":
                return view
            if view is None and self._monotonic() < self._retry_at:
                return self._result()
            self._check()
            return self._result()

    @property
    def holding(self) -> bool:
        """Whether a view was loaded (it is served, however old, while checks fail)."""
        return self._view is not None

    def current(self) -> V | None:
        """The view if it may be served without checking first; never blocks."""
        view, due = self._due()
        return None if due == "check" else view

    def adopt(self, key: str, view: V) -> None:
        """Hold ``view``, the file ``key`` this process just published, without loading it.

        Not marked as checked: a newer file published meanwhile is still found.
        """
        with self._state:
            self._view, self._key = view, key

    def invalidate(self) -> None:
        """The next reader checks before answering (this process changed the catalog)."""
        with self._state:
            self._checked_at = float("-inf")
            self._retry_at = float("-inf")

    def _due(self) -> tuple[V | None, str]:
        """The held view and what it needs: "" nothing, "background" or "check"."""
        view = self._view
        if view is None:
            return None, "check"
        now = self._monotonic()
        age = now - self._checked_at
        if age < self._fresh or now < self._retry_at:
            return view, ""
        if age < self._stale:
            self._check_in_background()
            return view, "background"
        return view, "check"

    def _result(self) -> V:
        view = self._view
        if view is None:
            raise CatalogUnavailable("the catalog could not be loaded") from self._last_error
        return view

    def _check(self) -> None:
        """Read the pointer; load its file when it moved. Call with ``_checking`` held."""
        started = self._monotonic()
        try:
            key = self._newest()
            if key is None:
                key = self._publish()
            if key != self._key:
                view = self._load(key)
                with self._state:
                    self._view, self._key = view, key
            with self._state:
                self._checked_at = started
                self._failures = 0
                self._last_error = None
        except Exception as exc:
            with self._state:
                self._failures += 1
                self._last_error = exc
                wait = min(self._max_backoff, self._backoff * 2 ** (self._failures - 1))
                self._retry_at = self._monotonic() + wait
            # The reason, not the view: nothing personal is in a catalog error.
            log.warning(
                "catalog view check failed; serving the last good view",
                extra={"failures": self._failures, "retry_in_seconds": wait},
                exc_info=True,
            )
        finally:
            self._checks += 1

    def _check_in_background(self) -> None:
        with self._state:
            if self._background:
                return
            self._background = True
        threading.Thread(target=self._background_check, daemon=True).start()

    def _background_check(self) -> None:
        try:
            # Skip when a reader is already checking: its result serves us too.
            if self._checking.acquire(blocking=False):
                try:
                    self._check()
                finally:
                    self._checking.release()
        finally:
            with self._state:
                self._background = False
