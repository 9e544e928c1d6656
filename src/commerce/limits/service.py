"""Charging requests to their caller's budget, shared by every Lambda instance.

One conditional UpdateItem per request in the usual case (see ``store.apply_spend``):
the service guesses whether the bucket is full or partly spent from the last ``tat``
this process saw for the caller. ``tat`` only ever grows, so a remembered ``tat``
after now proves the bucket is partly spent; a wrong guess (another instance spent
the bucket meanwhile) costs one more call, never a wrong answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

from commerce.access.model import Principal, PrincipalKind
from commerce.limits import store
from commerce.limits.model import (
    MICROS,
    Budget,
    Decision,
    address_key,
    admits,
    plan_spend,
    retry_after_seconds,
    status,
)
from commerce.settings import Settings

# Tries per request: each failed try either proves the budget spent (done) or
# learns the true state; only a caller racing itself across instances needs more.
MAX_ATTEMPTS = 4
# Remembered tats are a hint; bounded so a stream of new addresses cannot grow memory.
MAX_HINTS = 10_000
# Every operation costs at least this, so floods of trivial queries are limited too.
MINIMUM_COST = 1


def caller_key(principal: Principal, address: str | None) -> str:
    """The bucket a request draws from: its credential, or its address when anonymous."""
    if principal.kind is PrincipalKind.ANONYMOUS or principal.id is None:
        return address_key(address or "unknown")
    return f"{principal.kind.value}#{principal.id}"


class LimitsService:
    """Charges each request's cost to its caller's bucket."""

    def __init__(
        self,
        budgets: Mapping[PrincipalKind, Budget],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._budgets = dict(budgets)
        self._clock = clock
        self._hints: dict[str, int] = {}
        self._lock = threading.Lock()

    def budget_for(self, principal: Principal) -> Budget:
        """The budget of this kind of caller."""
        return self._budgets[principal.kind]

    def charge(self, principal: Principal, address: str | None, cost: int) -> Decision:
        """Take ``cost`` points from the caller's bucket, or refuse without taking any."""
        budget = self.budget_for(principal)
        cost = max(cost, MINIMUM_COST)
        caller = caller_key(principal, address)
        now = round(self._clock() * MICROS)
        spend = plan_spend(budget, cost, now)
        if cost > budget.capacity:
            # Never affordable, whatever the bucket holds: no need to ask DynamoDB.
            return Decision(False, cost, status(budget, None, now), retry_after=0.0)
        with self._lock:
            hint = self._hints.get(caller)
        bucket_full = hint is None or hint <= now
        tat: int | None = hint
        for _ in range(MAX_ATTEMPTS):
            outcome = store.apply_spend(caller, spend, bucket_full=bucket_full)
            tat = outcome.tat
            if outcome.applied:
                self._remember(caller, tat)
                return Decision(True, cost, status(budget, tat, now))
            self._remember(caller, tat)
            if not admits(spend, tat):
                assert tat is not None  # an absent bucket is full and admits any cost
                return Decision(
                    False, cost, status(budget, tat, now), retry_after_seconds(spend, tat)
                )
            bucket_full = tat is None or tat <= now
        # Lost every race to other requests of the same caller: treat it as spent.
        return Decision(False, cost, status(budget, tat, now), retry_after=1.0)

    def _remember(self, caller: str, tat: int | None) -> None:
        if tat is None:
            return
        with self._lock:
            if len(self._hints) >= MAX_HINTS:
                self._hints.clear()
            previous = self._hints.get(caller)
            if previous is None or tat > previous:
                self._hints[caller] = tat


def budgets_from_settings(settings: Settings) -> dict[PrincipalKind, Budget]:
    """Each kind of caller's budget. Customers and partners spend like API keys for now."""
    anonymous = Budget(settings.anonymous_budget, settings.anonymous_restore_rate)
    keyed = Budget(settings.api_key_budget, settings.api_key_restore_rate)
    return {
        PrincipalKind.ANONYMOUS: anonymous,
        PrincipalKind.API_KEY: keyed,
        PrincipalKind.CUSTOMER: keyed,
        PrincipalKind.PARTNER: keyed,
    }
