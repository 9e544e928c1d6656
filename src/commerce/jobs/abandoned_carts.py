"""The abandoned-cart sweep: the hourly job entry of cart recovery.

Carts with lines and someone to write to sit in GSI2 under the hour of their last
change (``CartService.idle_carts``). Each run sweeps the hour buckets that became due
since the last run (at most ``window_hours`` back), so no run scans and each bucket is
normally read once; a run that fails leaves the cursor where it was, and the next one
repeats it. What to send to whom, and whether at all, is the recovery context's
(``RecoveryService.recover``): at most one message per cart, whatever the runs.
Texts that quiet hours held back go first (``RecoveryService.send_due``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from commerce.cart.service import CartService
from commerce.jobs import store
from commerce.recovery.service import Decision, RecoveryService

NAME = "abandoned-cart-sweep"
_HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class SweepResult:
    hours_swept: int
    carts_seen: int
    reminders: int
    scheduled: int = 0
    held_back_sent: int = 0


def floor_hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


class AbandonedCartSweep:
    """Hands the carts idle for the staff's N days to recovery, hour bucket by bucket."""

    def __init__(self, carts: CartService, recovery: RecoveryService, window_hours: int) -> None:
        self._carts = carts
        self._recovery = recovery
        self._window = window_hours

    def due_hours(self, now: datetime) -> list[datetime]:
        """The buckets every cart of which has been idle for N days at ``now``."""
        after = timedelta(days=self._recovery.settings().after_days)
        last = floor_hour(now - after) - _HOUR
        first = last - (self._window - 1) * _HOUR
        done = store.cursor(NAME)
        if done is not None:
            first = max(first, floor_hour(done) + _HOUR)
        hours = []
        while first <= last:
            hours.append(first)
            first += _HOUR
        return hours

    def run(self, now: datetime) -> SweepResult:
        held_back = self._recovery.send_due(now)
        seen = reminded = scheduled = 0
        hours = self.due_hours(now)
        for hour in hours:
            for cart in self._carts.idle_carts(hour):
                seen += 1
                decision = self._recovery.recover(cart, now)
                reminded += decision == Decision.SENT
                scheduled += decision == Decision.SCHEDULED
        if hours:
            store.advance(NAME, hours[-1])
        return SweepResult(
            hours_swept=len(hours),
            carts_seen=seen,
            reminders=reminded,
            scheduled=scheduled,
            held_back_sent=held_back,
        )
