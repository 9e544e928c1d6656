"""A caller's budget as a leaky bucket kept as one timestamp (GCRA).

Shopify's model: a bucket holds up to ``capacity`` points and refills at
``restore_rate`` points a second; a request costing ``c`` points runs only if
``c`` points are available, and takes them. Stored as points, a refill needs
``min(capacity, points + rate * elapsed)``, which no DynamoDB update expression
can compute. The Generic Cell Rate Algorithm stores the same state as one number
instead: the *theoretical arrival time* ``tat``, the instant at which the bucket
would be full again. Available points are then ``capacity - (tat - now) * rate``
(capped at ``capacity`` when ``tat`` is past), and spending ``c`` points moves
``tat`` to ``max(tat, now) + c / rate``. An admission is one comparison against
the stored value, and the new value is either ``now + c/rate`` (bucket full) or
``tat + c/rate`` (bucket partly spent): both are single SET expressions, so the
store can apply either with one conditional UpdateItem.

Times are integer microseconds so that DynamoDB's decimal numbers hold them exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MICROS = 1_000_000


@dataclass(frozen=True, slots=True)
class Budget:
    """How many points a kind of caller may hold, and how fast they come back."""

    capacity: int
    restore_rate: float

    def __post_init__(self) -> None:
        if self.capacity < 1:
            raise ValueError("a budget holds at least 1 point")
        if not self.restore_rate > 0:
            raise ValueError("a budget must restore at a positive rate")

    def micros_for(self, points: float) -> int:
        """How long the bucket takes to restore ``points``."""
        return math.ceil(points * MICROS / self.restore_rate)

    @property
    def burst_micros(self) -> int:
        """How far ``tat`` may run ahead of now: the time to refill an empty bucket."""
        return self.micros_for(self.capacity)


@dataclass(frozen=True, slots=True)
class Spend:
    """One request's charge against a bucket, at ``now``: the two ways to apply it."""

    cost: int
    now: int
    increment: int
    latest_allowed_tat: int

    @property
    def from_full(self) -> int:
        """The new ``tat`` when the bucket is full (stored ``tat`` at or before now)."""
        return self.now + self.increment


def plan_spend(budget: Budget, cost: int, now: int) -> Spend:
    """The charge of ``cost`` points at ``now``; apply it with ``admits`` and ``tat_after``."""
    if cost < 0:
        raise ValueError("a cost is never negative")
    increment = budget.micros_for(cost)
    return Spend(
        cost=cost,
        now=now,
        increment=increment,
        latest_allowed_tat=now + budget.burst_micros - increment,
    )


def admits(spend: Spend, tat: int | None) -> bool:
    """Whether a bucket whose stored ``tat`` is this can pay for ``spend`` now."""
    if tat is None or tat <= spend.now:
        return spend.latest_allowed_tat >= spend.now
    return tat <= spend.latest_allowed_tat


def tat_after(spend: Spend, tat: int | None) -> int:
    """The stored ``tat`` once ``spend`` is paid: ``max(tat, now) + increment``."""
    if tat is None or tat <= spend.now:
        return spend.from_full
    return tat + spend.increment


@dataclass(frozen=True, slots=True)
class ThrottleStatus:
    """The bucket as a response reports it (Shopify's ``throttleStatus``)."""

    maximum_available: int
    currently_available: int
    restore_rate: float


def status(budget: Budget, tat: int | None, now: int, *, held: int = 0) -> ThrottleStatus:
    """Points available at ``now`` in a bucket whose stored ``tat`` is this.

    ``held`` are points of this caller an instance holds in a lease: already taken from
    the bucket, still the caller's to spend. Never more than the capacity in all.
    """
    if tat is None or tat <= now:
        available = budget.capacity
    else:
        owed = (tat - now) * budget.restore_rate / MICROS
        available = max(0, math.floor(budget.capacity - owed + 1e-9))
    available += held
    return ThrottleStatus(budget.capacity, min(available, budget.capacity), budget.restore_rate)


def retry_after_seconds(spend: Spend, tat: int) -> float:
    """How long until a refused ``spend`` would be admitted, in seconds."""
    return max(0.0, (tat - spend.latest_allowed_tat) / MICROS)


@dataclass(frozen=True, slots=True)
class Decision:
    """What the bucket said to one request."""

    allowed: bool
    cost: int
    throttle: ThrottleStatus
    retry_after: float = 0.0


# -- leases: points an instance takes ahead, to admit a caller's next requests locally ------


@dataclass(frozen=True, slots=True)
class LeaseTerms:
    """How long a lease lives and how large it may grow.

    ``lifetime`` bounds how long taken points wait on one instance: every point a request
    spends was taken from the bucket at most that long before, so over any window the
    instances together admit at most a full bucket plus the refill over the window and
    one ``lifetime`` before it. ``share`` bounds one lease to a share of the capacity: a
    caller who moves to another instance loses at most that, and another instance serving
    the same caller at the same time is refused at most that many points early.
    """

    lifetime: int = 2 * MICROS
    share: float = 0.1

    def __post_init__(self) -> None:
        if self.lifetime < 0:
            raise ValueError("a lease lives zero or more microseconds")
        if not 0 <= self.share <= 1:
            raise ValueError("a lease holds a share of the capacity between 0 and 1")

    def most_requests(self, budget: Budget, cost: int) -> int:
        """How many requests of ``cost`` one lease may pay for: at least the one asking."""
        return max(1, math.floor(budget.capacity * self.share / max(cost, 1)))


@dataclass(frozen=True, slots=True)
class Lease:
    """Points of one caller's bucket this instance already took and has not spent.

    ``requests`` is how many requests the lease was sized for (it doubles while the
    caller keeps using leases up before they expire); ``tat`` is the bucket's ``tat`` as
    this instance last saw it, the guess for the next update and the reported status.
    Points left when the lease expires are lost, never given back (see ``plan_renewal``).
    """

    points: int
    expires: int
    requests: int
    tat: int | None

    def alive(self, now: int) -> bool:
        return now < self.expires

    def held(self, now: int) -> int:
        """The points the caller may still spend from this lease at ``now``."""
        return self.points if self.alive(now) else 0


def spend_leased(lease: Lease | None, cost: int, now: int) -> Lease | None:
    """The lease once it has paid ``cost`` on its own, or None when it cannot."""
    if lease is None or lease.held(now) < cost:
        return None
    return Lease(lease.points - cost, lease.expires, lease.requests, lease.tat)


@dataclass(frozen=True, slots=True)
class Renewal:
    """A request its lease cannot pay: what it takes from the shared bucket.

    ``spend.cost`` points come out of the bucket; the request uses the ``carried`` points
    left in its live lease and ``cost - carried`` of the new ones; the rest is the new lease.
    """

    spend: Spend
    cost: int
    carried: int
    requests: int
    hint: int | None

    @property
    def bucket_full(self) -> bool:
        """The guess of the update's branch: full unless the last seen ``tat`` proves not."""
        return self.hint is None or self.hint <= self.spend.now


def plan_renewal(
    budget: Budget, terms: LeaseTerms, lease: Lease | None, cost: int, now: int
) -> Renewal:
    """What a request of ``cost`` that its lease cannot pay takes from the bucket.

    A caller's first request, or the first after its lease expired, takes exactly its cost:
    a one-off caller costs what it did without leases, and a caller who slowed down stops
    leasing ahead. A caller who used a lease up before it expired gets one twice as large,
    up to ``terms.share`` of the capacity. When the bucket (as last seen) would keep less
    than one more such lease, the request takes only what it needs, so on one instance a
    caller is refused exactly when their points run out.

    An expired lease's points are not given back: the bucket cannot tell whether it has
    refilled to full since they were taken (a refund would then mint points), and
    growing only leases that were used up in time keeps what expires small.
    """
    carried = lease.held(now) if lease is not None else 0
    alive = lease is not None and lease.alive(now)
    most = terms.most_requests(budget, cost)
    requests = max(1, min(2 * lease.requests, most)) if lease is not None and alive else 1
    need = cost - carried
    take = requests * cost - carried
    hint = lease.tat if lease is not None else None
    if take > need:
        available = status(budget, hint, now).currently_available
        if available - take < most * cost:
            take, requests = need, 1
    return Renewal(plan_spend(budget, take, now), cost, carried, requests, hint)


def exact_renewal(budget: Budget, renewal: Renewal, tat: int | None) -> Renewal:
    """The same request taking only what it needs, with the bucket's ``tat`` now known."""
    need = renewal.cost - renewal.carried
    exact = plan_spend(budget, need, renewal.spend.now)
    return Renewal(exact, renewal.cost, renewal.carried, 1, tat)


def renewed(terms: LeaseTerms, renewal: Renewal, tat: int) -> Lease:
    """The lease once the bucket paid ``renewal``: what the request did not use, fresh."""
    left = renewal.spend.cost - (renewal.cost - renewal.carried)
    return Lease(left, renewal.spend.now + terms.lifetime, renewal.requests, tat)


def address_key(address: str) -> str:
    """The bucket name of an anonymous caller's address.

    An IPv6 client usually holds a whole /64 and can change address within it at
    will, so IPv6 callers share one bucket per /64; IPv4 callers get one each.
    """
    import ipaddress

    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return f"ADDR#{address.strip()[:64] or 'unknown'}"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return f"IP#{ip.ipv4_mapped}"
        network = ipaddress.IPv6Network((int(ip) >> 64 << 64, 64))
        return f"IP#{network}"
    return f"IP#{ip}"
