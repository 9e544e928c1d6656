"""One budget shared by every Lambda instance: concurrent spends against DynamoDB Local."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from commerce.access.model import Principal, PrincipalKind, Scope
from commerce.composition import Services
from commerce.limits.model import Budget, status
from commerce.limits.service import LimitsService, caller_key
from commerce.limits.store import read_tat

NOW = 1_750_000_000.0
KEY = Principal(PrincipalKind.API_KEY, "key-1", frozenset({Scope.STOREFRONT_READ}))


@pytest.mark.parametrize(("capacity", "cost", "requests"), [(1000, 101, 30), (500, 7, 100)])
def test_parallel_spends_admit_exactly_what_the_bucket_holds(
    services: Services, capacity: int, cost: int, requests: int
) -> None:
    # given a bucket that does not refill, and four "instances" (no shared memory)
    budget = {PrincipalKind.API_KEY: Budget(capacity, restore_rate=1e-6)}
    instances = [LimitsService(budget, clock=lambda: NOW) for _ in range(4)]

    def spend(i: int) -> bool:
        return instances[i % 4].charge(KEY, None, cost).allowed

    # when many requests spend at once
    with ThreadPoolExecutor(max_workers=16) as pool:
        admitted = sum(pool.map(spend, range(requests)))
    # then what ran, what instances still hold in leases and what the bucket has left
    # add up to the bucket, and what is left in it cannot pay one more request
    held = sum(instance.held_points(KEY, None) for instance in instances)
    left = status(budget[PrincipalKind.API_KEY], read_tat(caller_key(KEY, None)), _micros(NOW))
    assert admitted * cost + held + left.currently_available == capacity
    assert left.currently_available < cost
    # so with no lease left over, exactly floor(capacity / cost) ran, none more, none fewer
    if held == 0:
        assert admitted == capacity // cost


def _micros(seconds: float) -> int:
    return round(seconds * 1_000_000)


def test_instances_see_each_others_spending(services: Services) -> None:
    # given two instances sharing one bucket of 100 points, 10 a second
    budget = {PrincipalKind.API_KEY: Budget(100, restore_rate=10)}
    clock = [NOW]
    first = LimitsService(budget, clock=lambda: clock[0])
    second = LimitsService(budget, clock=lambda: clock[0])
    # when each spends 40
    assert first.charge(KEY, None, 40).allowed
    assert second.charge(KEY, None, 40).allowed
    # then the first sees 20 left, and 2 s later 40
    refused = first.charge(KEY, None, 40)
    assert not refused.allowed
    assert refused.throttle.currently_available == 20
    assert refused.retry_after == pytest.approx(2.0)
    clock[0] += 2
    assert first.charge(KEY, None, 40).throttle.currently_available == 0


def test_an_idle_bucket_expires_when_it_would_be_full_again(services: Services) -> None:
    # given
    budget = {PrincipalKind.API_KEY: Budget(100, restore_rate=10)}
    LimitsService(budget, clock=lambda: NOW).charge(KEY, None, 50)
    # then the stored tat says full again at now + 5 s, and the ttl is a minute later
    tat = read_tat(caller_key(KEY, None))
    assert tat == round(NOW * 1_000_000) + 5_000_000
