"""Small factories for journeys: touches a number of days before a fixed conversion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from commerce.attribution import Touch

CONVERTED_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def touch(touch_id: str, days_before: float, channel: str) -> Touch:
    """A touch ``days_before`` the conversion (fractions of a day allowed)."""
    return Touch(touch_id, CONVERTED_AT - timedelta(days=days_before), channel)


def path_of(*channels: str, gap_days: int = 1) -> tuple[Touch, ...]:
    """One touch per channel, ``gap_days`` apart, the last on the conversion day."""
    count = len(channels)
    return tuple(
        touch(f"t{i}", (count - 1 - i) * gap_days, channel) for i, channel in enumerate(channels)
    )
