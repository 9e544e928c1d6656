"""Leases: points an instance takes ahead from a shared bucket, without DynamoDB."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commerce.limits.model import (
    MICROS,
    Budget,
    Lease,
    LeaseTerms,
    admits,
    exact_renewal,
    plan_renewal,
    renewed,
    spend_leased,
    status,
    tat_after,
)

BUDGET = Budget(capacity=1000, restore_rate=50)
TERMS = LeaseTerms(lifetime=2 * MICROS, share=0.1)
NOW = 1_750_000_000 * MICROS


@dataclass
class Instance:
    """One Lambda instance's lease on the caller's bucket."""

    lease: Lease | None = None


@dataclass
class Bucket:
    """The shared bucket, driven the way ``LimitsService.charge`` drives DynamoDB."""

    budget: Budget
    terms: LeaseTerms
    tat: int | None = None
    writes: int = 0
    admitted: list[tuple[int, int]] = field(default_factory=list)

    def charge(self, instance: Instance, cost: int, now: int) -> bool:
        paid = spend_leased(instance.lease, cost, now)
        if paid is not None:
            instance.lease = paid
            self.admitted.append((now, cost))
            return True
        renewal = plan_renewal(self.budget, self.terms, instance.lease, cost, now)
        if not admits(renewal.spend, self.tat):
            renewal = exact_renewal(self.budget, renewal, self.tat)
            if not admits(renewal.spend, self.tat):
                return False
        self.writes += 1
        self.tat = tat_after(renewal.spend, self.tat)
        instance.lease = renewed(self.terms, renewal, self.tat)
        self.admitted.append((now, cost))
        return True

    def available(self, instance: Instance, now: int) -> int:
        held = instance.lease.points if instance.lease is not None else 0
        return status(self.budget, self.tat, now, held=held).currently_available


def test_a_first_request_takes_exactly_its_cost() -> None:
    # given a caller never seen
    bucket, instance = Bucket(BUDGET, TERMS), Instance()
    # when
    assert bucket.charge(instance, 16, NOW)
    # then the bucket paid 16, as without leases, and the instance holds nothing
    assert status(BUDGET, bucket.tat, NOW).currently_available == 1000 - 16
    assert instance.lease is not None
    assert instance.lease.points == 0


def test_a_busy_caller_gets_leases_that_double_up_to_a_share_of_the_capacity() -> None:
    # given one caller sending requests of 16 points (a lease holds at most 100 // 16 = 6)
    bucket, instance = Bucket(BUDGET, TERMS), Instance()
    leases = []
    for request in range(1, 31):
        before = bucket.writes
        assert bucket.charge(instance, 16, NOW)
        if bucket.writes > before:
            assert instance.lease is not None
            leases.append((request, instance.lease.requests))
        # then the caller always sees exactly what they have spent
        assert bucket.available(instance, NOW) == 1000 - 16 * request
    # and leases of 1, 2, 4, then 6 requests: 7 writes for 30 requests
    assert leases == [(1, 1), (2, 2), (4, 4), (8, 6), (14, 6), (20, 6), (26, 6)]


def test_near_empty_each_request_takes_only_its_cost_and_the_boundary_is_exact() -> None:
    # given a bucket of 1,000 points spent down to 150, and a caller with leases of 6 x 16
    bucket, instance = Bucket(BUDGET, TERMS), Instance()
    while bucket.available(instance, NOW) - 16 >= 150:
        assert bucket.charge(instance, 16, NOW)
    # when the caller keeps asking
    while bucket.charge(instance, 16, NOW):
        pass
    # then every point they could pay for was admitted: fewer than 16 are left, none lost
    left = bucket.available(instance, NOW)
    assert 0 <= left < 16
    assert sum(cost for _, cost in bucket.admitted) + left == 1000


def test_an_expired_lease_is_lost_and_the_next_request_takes_only_its_cost() -> None:
    # given a caller holding a lease of 3 x 16 unspent points
    bucket, instance = Bucket(Budget(1000, restore_rate=0.001), TERMS), Instance()
    for _ in range(4):
        bucket.charge(instance, 16, NOW)
    assert instance.lease is not None
    assert instance.lease.points == 3 * 16
    # when it has expired
    later = NOW + TERMS.lifetime
    assert spend_leased(instance.lease, 16, later) is None
    assert bucket.charge(instance, 16, later)
    # then the next request took exactly its cost, and no lease grew from the old one
    assert instance.lease.points == 0
    assert instance.lease.requests == 1
    assert bucket.available(instance, later) == 1000 - 4 * 16 - 3 * 16 - 16


def test_points_leased_before_the_bucket_refilled_are_never_spent_on_top_of_it() -> None:
    # given a caller holding a lease of 3 x 16 points on one instance
    bucket, holder, other = Bucket(BUDGET, TERMS), Instance(), Instance()
    for _ in range(4):
        bucket.charge(holder, 16, NOW)
    # when the bucket has refilled (20 s at 50 a second) and the caller spends everything
    later = NOW + 20 * MICROS
    spent = 0
    for instance in (other, holder) * 100:
        if bucket.charge(instance, 16, later):
            spent += 16
    # then at that instant they got at most a full bucket, not a full bucket plus the lease
    assert spent <= 1000


def test_a_live_lease_short_of_a_request_pays_what_it_holds_and_the_bucket_the_rest() -> None:
    # given a lease of 10 points and a bucket with 1000 - 100 - 16 = 884 left, at rest
    lease = Lease(points=10, expires=NOW + 1, requests=6, tat=NOW + BUDGET.micros_for(116))
    # when a request of 16 comes (the bucket has room for a lease)
    renewal = plan_renewal(BUDGET, TERMS, lease, 16, NOW)
    fresh = renewed(TERMS, renewal, tat_after(renewal.spend, lease.tat))
    # then the request used the 10 and 6 new points, and the rest of a 6-request lease is held
    assert renewal.carried == 10
    assert renewal.spend.cost == 6 * 16 - 10
    assert fresh.points == 6 * 16 - 16
    assert status(BUDGET, fresh.tat, NOW, held=fresh.points).currently_available == 884 + 10 - 16


def test_the_status_never_reports_more_than_the_capacity() -> None:
    # given a full bucket and a lease still held from before it refilled
    assert status(BUDGET, None, NOW, held=96).currently_available == 1000


def test_lease_terms_are_checked() -> None:
    with pytest.raises(ValueError, match="share"):
        LeaseTerms(share=1.5)
    with pytest.raises(ValueError, match="lives"):
        LeaseTerms(lifetime=-1)
    assert TERMS.most_requests(BUDGET, 16) == 6
    assert TERMS.most_requests(BUDGET, 500) == 1


@given(
    capacity=st.integers(1, 5_000),
    rate=st.floats(0.5, 500),
    share=st.floats(0, 0.5),
    lifetime=st.floats(0, 5),
    instances=st.integers(1, 4),
    requests=st.lists(
        st.tuples(st.integers(0, 3), st.integers(1, 300), st.floats(0, 5)),
        min_size=1,
        max_size=60,
    ),
)
def test_instances_with_leases_never_admit_more_than_the_bucket_gives(
    *,
    capacity: int,
    rate: float,
    share: float,
    lifetime: float,
    instances: int,
    requests: list[tuple[int, int, float]],
) -> None:
    # given several instances leasing from one bucket, in any interleaving and at any pace
    budget = Budget(capacity, rate)
    terms = LeaseTerms(lifetime=round(lifetime * MICROS), share=share)
    bucket = Bucket(budget, terms)
    fleet = [Instance() for _ in range(instances)]
    now = NOW
    for which, cost, gap in requests:
        now += round(gap * MICROS)
        instance = fleet[which % instances]
        before = bucket.available(instance, now)
        admitted = bucket.charge(instance, cost, now)
        # then one instance's answer matches what it reports, to rounding
        if instance is fleet[0] and instances == 1:
            assert admitted == (cost <= before) or abs(cost - before) <= 1
        assert 0 <= bucket.available(instance, now) <= capacity
    # and over every window, what was admitted is at most a full bucket plus the refill
    # over the window and one lease lifetime before it (points leased just before)
    slack = len(requests)
    for start, _ in bucket.admitted:
        for end, _ in bucket.admitted:
            if end < start:
                continue
            spent = sum(c for t, c in bucket.admitted if start <= t <= end)
            window = (end - start + terms.lifetime) / MICROS
            assert spent <= capacity + rate * window + slack
    # and from the start (a full bucket, no leases), a full bucket plus the refill
    total = sum(c for _, c in bucket.admitted)
    assert total <= capacity + rate * (now - NOW) / MICROS + slack
