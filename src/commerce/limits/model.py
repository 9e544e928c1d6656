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


def status(budget: Budget, tat: int | None, now: int) -> ThrottleStatus:
    """Points available at ``now`` in a bucket whose stored ``tat`` is this."""
    if tat is None or tat <= now:
        available = budget.capacity
    else:
        owed = (tat - now) * budget.restore_rate / MICROS
        available = max(0, math.floor(budget.capacity - owed + 1e-9))
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
