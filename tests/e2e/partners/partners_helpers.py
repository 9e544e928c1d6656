"""Helpers for partner e2e tests (named so: test folders are not packages)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class KeyClock:
    """A clock that stands still until told to move (starts at the real time)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
