"""Charging requests to their caller's budget, shared by every Lambda instance.

The budget lives in DynamoDB (``store.apply_spend``: one conditional UpdateItem), but
most requests do not touch it: an instance *leases* points, taking several requests'
worth from the caller's bucket in one update and admitting the caller's next requests
from them locally (``model.plan_renewal``). Leased points leave the shared bucket when
they are taken, so instances together never admit more than the bucket holds; what a
lease costs is that points sit on one instance for at most ``LeaseTerms.lifetime``. A
caller's first request takes exactly its cost, so a one-off caller costs one update, as
before leases.

Each update guesses whether the bucket is full or partly spent from the last ``tat``
this process saw for the caller. ``tat`` only ever grows, so a remembered ``tat`` after
now proves the bucket is partly spent; a wrong guess (another instance spent the bucket
meanwhile) costs one more call, never a wrong answer.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from commerce.access.model import Principal, PrincipalKind
from commerce.limits import store
from commerce.limits.model import (
    MICROS,
    Budget,
    Decision,
    Lease,
    LeaseTerms,
    address_key,
    admits,
    exact_renewal,
    plan_renewal,
    plan_spend,
    renewed,
    retry_after_seconds,
    spend_leased,
    status,
)
from commerce.settings import Settings

# Tries per request: each failed try either proves the budget spent (done) or
# learns the true state; only a caller racing itself across instances needs more.
MAX_ATTEMPTS = 4
# Leases kept per process, least recently used dropped first, so a stream of new
# addresses cannot grow memory; a dropped lease's points are lost (one lease at most each).
MAX_LEASES = 10_000
# Every operation costs at least this, so floods of trivial queries are limited too.
MINIMUM_COST = 1


def caller_key(principal: Principal, address: str | None) -> str:
    """The bucket a request draws from: its credential, or its address when anonymous."""
    if principal.kind is PrincipalKind.ANONYMOUS or principal.id is None:
        return address_key(address or "unknown")
    return f"{principal.kind.value}#{principal.id}"


@dataclass(slots=True)
class _Holding:
    """One caller's lease on this instance; its lock lets one request renew it at a time."""

    lease: Lease | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class LimitsService:
    """Charges each request's cost to its caller's bucket, through a local lease."""

    def __init__(
        self,
        budgets: Mapping[PrincipalKind, Budget],
        *,
        clock: Callable[[], float] = time.time,
        terms: LeaseTerms | None = None,
        max_leases: int = MAX_LEASES,
    ) -> None:
        self._budgets = dict(budgets)
        self._clock = clock
        self._terms = terms or LeaseTerms()
        self._max_leases = max_leases
        self._holdings: OrderedDict[str, _Holding] = OrderedDict()
        self._lock = threading.Lock()

    def budget_for(self, principal: Principal) -> Budget:
        """The budget of this kind of caller."""
        return self._budgets[principal.kind]

    def charge_locally(
        self, principal: Principal, address: str | None, cost: int
    ) -> Decision | None:
        """Admit from the caller's live lease with no I/O and no waiting; None when it cannot.

        The common case of a busy caller: its lease covers the request, so the edge
        admits it on the event loop instead of moving to a worker thread for ``charge``.
        None (the caller then goes through ``charge``) when there is no lease, it is short
        of ``cost``, or another request of the caller is renewing it right now: this never
        blocks the loop on a lock held across a DynamoDB call.
        """
        cost = max(cost, MINIMUM_COST)
        caller = caller_key(principal, address)
        with self._lock:
            holding = self._holdings.get(caller)
            if holding is None or holding.lease is None:
                return None
            # Seen now: a caller paying from its lease must not be the first one dropped.
            self._holdings.move_to_end(caller)
        if not holding.lock.acquire(blocking=False):
            return None
        try:
            now = round(self._clock() * MICROS)
            paid = spend_leased(holding.lease, cost, now)
            if paid is None:
                return None
            holding.lease = paid
        finally:
            holding.lock.release()
        budget = self.budget_for(principal)
        return Decision(True, cost, status(budget, paid.tat, now, held=paid.points))

    def charge(self, principal: Principal, address: str | None, cost: int) -> Decision:
        """Take ``cost`` points from the caller's lease or bucket, or refuse taking none."""
        budget = self.budget_for(principal)
        cost = max(cost, MINIMUM_COST)
        caller = caller_key(principal, address)
        if cost > budget.capacity:
            # Never affordable, whatever the bucket holds: no need to ask DynamoDB.
            now = round(self._clock() * MICROS)
            return Decision(False, cost, status(budget, None, now), retry_after=0.0)
        holding = self._holding(caller)
        # Requests of one caller on this instance renew its lease one at a time: the
        # others then find the new lease, instead of each taking one of their own.
        with holding.lock:
            now = round(self._clock() * MICROS)
            lease = holding.lease
            paid = spend_leased(lease, cost, now)
            if paid is not None:
                holding.lease = paid
                return Decision(True, cost, status(budget, paid.tat, now, held=paid.points))
            decision, holding.lease = self._renew(caller, budget, lease, cost, now)
            return decision

    def held_points(self, principal: Principal, address: str | None) -> int:
        """Points this instance holds for the caller and may still spend (tests, support)."""
        with self._lock:
            holding = self._holdings.get(caller_key(principal, address))
        lease = holding.lease if holding is not None else None
        return lease.held(round(self._clock() * MICROS)) if lease is not None else 0

    @property
    def callers_held(self) -> int:
        """How many callers this instance keeps a lease for (at most ``max_leases``)."""
        with self._lock:
            return len(self._holdings)

    def _renew(
        self, caller: str, budget: Budget, lease: Lease | None, cost: int, now: int
    ) -> tuple[Decision, Lease | None]:
        renewal = plan_renewal(budget, self._terms, lease, cost, now)
        held = lease.held(now) if lease is not None else 0
        tat = renewal.hint
        for _ in range(MAX_ATTEMPTS):
            outcome = store.apply_spend(caller, renewal.spend, bucket_full=renewal.bucket_full)
            tat = outcome.tat
            if outcome.applied:
                assert tat is not None  # an applied update always leaves a tat
                fresh = renewed(self._terms, renewal, tat)
                return Decision(True, cost, status(budget, tat, now, held=fresh.points)), fresh
            # Refused: nothing was written, the lease is as it was; learn the bucket's state.
            seen = Lease(lease.points, lease.expires, lease.requests, tat) if lease else None
            exact = exact_renewal(budget, renewal, tat)
            if not admits(exact.spend, tat):
                assert tat is not None  # an absent bucket is full and admits any cost
                wait = retry_after_seconds(exact.spend, tat)
                if lease is not None and held and lease.expires <= now + round(wait * MICROS):
                    # The lease's points expire before the bucket pays the rest: wait for all.
                    wait = retry_after_seconds(plan_spend(budget, cost, now), tat)
                return Decision(False, cost, status(budget, tat, now, held=held), wait), seen
            # The guess of the branch was wrong, or the bucket pays this request but not a
            # lease: plan again from what the bucket holds.
            if seen is None:
                seen = Lease(0, now, 0, tat)
            renewal = plan_renewal(budget, self._terms, seen, cost, now)
            if renewal.spend.cost > exact.spend.cost and not admits(renewal.spend, tat):
                renewal = exact
        # Lost every race to other requests of the same caller: treat it as spent.
        refused = Decision(False, cost, status(budget, tat, now, held=held), retry_after=1.0)
        return refused, lease

    def _holding(self, caller: str) -> _Holding:
        with self._lock:
            holding = self._holdings.get(caller)
            if holding is None:
                if len(self._holdings) >= self._max_leases:
                    self._holdings.popitem(last=False)
                holding = self._holdings[caller] = _Holding()
            else:
                self._holdings.move_to_end(caller)
            return holding


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
