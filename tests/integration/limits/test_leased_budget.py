"""Leases against DynamoDB Local: instances take points ahead, never more than the bucket."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from commerce.access.model import Principal, PrincipalKind, Scope
from commerce.composition import Services
from commerce.limits.model import MICROS, Budget, LeaseTerms, status
from commerce.limits.service import LimitsService, caller_key
from commerce.limits.store import read_tat
from dynamodb_calls import count_dynamodb_calls

NOW = 1_750_000_000.0
KEY = Principal(PrincipalKind.API_KEY, "key-1", frozenset({Scope.STOREFRONT_READ}))
# 1,000 points that do not come back during a test; leases of at most 100 points
STILL = {PrincipalKind.API_KEY: Budget(1000, restore_rate=1e-6)}


def key(n: int) -> Principal:
    return Principal(PrincipalKind.API_KEY, f"key-{n}", frozenset({Scope.STOREFRONT_READ}))


def left_in_bucket(principal: Principal = KEY, now: float = NOW) -> int:
    tat = read_tat(caller_key(principal, None))
    return status(STILL[PrincipalKind.API_KEY], tat, round(now * MICROS)).currently_available


def test_two_instances_leasing_one_bucket_admit_what_it_holds_and_no_more(
    services: Services,
) -> None:
    # given two instances serving one caller in turn
    first = LimitsService(STILL, clock=lambda: NOW)
    second = LimitsService(STILL, clock=lambda: NOW)
    admitted = 0
    refused_while_other_held: list[int] = []
    # when the caller spends 16 points a request until both refuse
    for _ in range(200):
        results = []
        for this, other in ((first, second), (second, first)):
            decision = this.charge(KEY, None, 16)
            results.append(decision.allowed)
            admitted += decision.allowed
            if not decision.allowed:
                refused_while_other_held.append(other.held_points(KEY, None))
        if not any(results):
            break
    # then every point went to a request or is still in the bucket: 62 x 16 = 992, 8 left
    assert admitted == 62
    assert left_in_bucket() == 8
    assert first.held_points(KEY, None) == second.held_points(KEY, None) == 0
    # and an instance was refused at most one lease (100 points) early
    assert max(refused_while_other_held) <= 100


def test_one_instance_under_concurrent_requests_admits_exactly_the_bucket(
    services: Services,
) -> None:
    # given one instance and a caller sending 200 requests of 7 points, 16 at a time
    instance = LimitsService(STILL, clock=lambda: NOW)
    # when
    with count_dynamodb_calls() as calls, ThreadPoolExecutor(max_workers=16) as pool:
        admitted = sum(pool.map(lambda _: instance.charge(KEY, None, 7).allowed, range(200)))
    # then exactly floor(1000 / 7) ran, through far fewer budget writes than requests
    assert admitted == 142
    assert left_in_bucket() + instance.held_points(KEY, None) == 1000 - 142 * 7
    assert calls.by_operation()["UpdateItem"] < 100


def test_a_lease_expires_and_its_points_stay_spent(services: Services) -> None:
    # given a caller holding a lease of unspent points (16, then 32, then 64 taken)
    clock = [NOW]
    instance = LimitsService(STILL, clock=lambda: clock[0], terms=LeaseTerms(2 * MICROS))
    for _ in range(4):
        assert instance.charge(KEY, None, 16).allowed
    assert instance.held_points(KEY, None) == 48
    assert instance.charge(KEY, None, 16).throttle.currently_available == 1000 - 5 * 16
    # when the lease's lifetime passes
    clock[0] += 2
    # then its points are no longer the caller's, here or anywhere
    assert instance.held_points(KEY, None) == 0
    with count_dynamodb_calls() as calls:
        decision = instance.charge(KEY, None, 16)
    # and the next request takes only its own cost from the bucket, in one write
    assert calls.by_operation()["UpdateItem"] == 1
    assert decision.throttle.currently_available == 1000 - 112 - 16
    assert left_in_bucket(now=clock[0]) == 1000 - 112 - 16


def test_an_instance_keeps_leases_for_a_bounded_number_of_callers(services: Services) -> None:
    # given an instance that keeps leases for two callers at most
    instance = LimitsService(STILL, clock=lambda: NOW, max_leases=2)
    # when three callers each hold a lease
    for n in (1, 2, 3):
        for _ in range(2):
            assert instance.charge(key(n), None, 16).allowed
    # then the least recently seen caller's lease was dropped, its points lost
    assert instance.callers_held == 2
    assert instance.held_points(key(1), None) == 0
    assert instance.held_points(key(3), None) == 16
    # and that caller's budget still counts: it lives in DynamoDB, not in the lease
    assert instance.charge(key(1), None, 16).throttle.currently_available == 1000 - 48 - 16


# -- admitted locally, with no I/O -----------------------------------------------------------


def test_a_request_its_lease_covers_is_admitted_locally_with_no_call(services: Services) -> None:
    # given a caller whose lease holds 48 points (16, 32, then 64 taken for 16 each)
    instance = LimitsService(STILL, clock=lambda: NOW)
    for _ in range(4):
        assert instance.charge(KEY, None, 16).allowed
    # when its next requests are admitted locally
    with count_dynamodb_calls() as calls:
        decisions = [instance.charge_locally(KEY, None, 16) for _ in range(4)]
    # then three are paid from the lease (the figures as charge reports them) and the
    # fourth, which the lease cannot pay, is left to charge; DynamoDB never asked
    assert [d is not None and d.allowed for d in decisions] == [True, True, True, False]
    assert decisions[3] is None
    assert calls.operations == []
    first = decisions[0]
    assert first is not None
    assert first.throttle.currently_available == 1000 - 5 * 16
    assert instance.held_points(KEY, None) == 0
    # and charge then renews, so nothing was admitted twice or lost
    assert instance.charge(KEY, None, 16).allowed
    assert left_in_bucket() + instance.held_points(KEY, None) == 1000 - 8 * 16


def test_a_caller_without_a_lease_is_left_to_charge(services: Services) -> None:
    # given an instance that never saw the caller
    instance = LimitsService(STILL, clock=lambda: NOW)
    # when / then: nothing is taken locally, and the bucket is untouched
    assert instance.charge_locally(KEY, None, 1) is None
    assert left_in_bucket() == 1000


def test_a_lease_being_renewed_is_not_waited_for_on_the_event_loop(services: Services) -> None:
    # given a caller with a live lease whose renewal another request holds the lock for
    # (16 taken, then 32 for a request of 16: 16 held)
    instance = LimitsService(STILL, clock=lambda: NOW)
    for _ in range(2):
        assert instance.charge(KEY, None, 16).allowed
    holding = instance._holding(caller_key(KEY, None))
    # when a request asks to be admitted locally meanwhile
    with holding.lock:
        decision = instance.charge_locally(KEY, None, 1)
    # then it does not block: it is left to charge, which waits in a worker thread
    assert decision is None
    assert instance.held_points(KEY, None) == 16
    # and once the renewal is done, the lease pays it locally
    assert instance.charge_locally(KEY, None, 1) is not None
