"""A refund racing the approval job on DynamoDB Local ends consistent, whichever wins.

Both rewrite the order's commission on the condition that neither its refund nor its
state changed since they read it; the loser reads again. Afterwards every entry of the
order is approved, and the order leaves the partner its commission less the refunded
share: never an approved commission for money the store gave back, never a reversal lost.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest

from affiliate_ledgers import Clock, RecordingTransfers, affiliates_on, paid_order, refunded
from commerce.affiliates.model import CommissionRule, EntryState
from commerce.affiliates.service import SetRule
from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.payments.local import LocalStripe
from table_settings import fresh_settings


@pytest.fixture(scope="module")
def race_services(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Services:
    built = build_services(fresh_settings(dynamodb_endpoint, stripe_server.endpoint, "whsec_x"))
    create_table_if_missing()
    return built


def run_together(*calls: Callable[[], object]) -> list[BaseException]:
    """Start the calls at one barrier; the exceptions they raised."""
    barrier = threading.Barrier(len(calls))
    failures: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            call()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures


@pytest.mark.parametrize("attempt", range(6))
def test_a_refund_racing_the_approval_leaves_every_entry_approved_and_the_refund_taken(
    race_services: Services, attempt: int
) -> None:
    clock = Clock()
    affiliates = affiliates_on(race_services, clock, RecordingTransfers())
    partner = race_services.access.create_partner(f"Race {attempt}", "race@example.com").id
    affiliates.set_rule(
        SetRule(partner, None, CommissionRule(first_order_rate=3000, holding_days=30))
    )
    order = paid_order([10_000, 5_000], paid_at=clock(), affiliate_id=partner)
    affiliates.order_settled(order)
    half = refunded(order, 7_500)
    later = clock() + timedelta(days=31)

    failures = run_together(
        lambda: affiliates.order_settled(half), lambda: affiliates.approve_due(later)
    )

    assert failures == []
    entries = affiliates.ledger(partner)
    # 30 % of 100.00 and 50.00, then half of each taken back.
    assert sorted((e.kind.value, e.amount.amount) for e in entries) == [
        ("COMMISSION", 1_500),
        ("COMMISSION", 3_000),
        ("REVERSAL", -1_500),
        ("REVERSAL", -750),
    ]
    assert {e.state for e in entries} == {EntryState.APPROVED}
    (balance,) = affiliates.balances(partner)
    assert (balance.pending, balance.approved) == (0, 2_250)
    commission = affiliates.commission(order.id)
    assert commission is not None
    assert commission.state is EntryState.APPROVED
    assert commission.refunded_seen == 7_500
