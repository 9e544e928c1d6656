"""A payout of more entries than one transaction holds, built in chunks on DynamoDB
Local: 250 approved entries in one payout, and a run that crashes half way resumed by
the next one with exact totals and no entry in two payouts."""

from __future__ import annotations

import pytest

from affiliate_ledgers import Clock, RecordingTransfers, affiliates_on, paid_order
from commerce.affiliates import service as affiliates_service
from commerce.affiliates.errors import AffiliateErrorCode
from commerce.affiliates.model import CommissionRule, EntryState, PayoutStatus
from commerce.affiliates.service import (
    AffiliatesService,
    CreatePayout,
    MarkPayoutPaid,
    SetRule,
)
from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.db.writes import WriteSet
from commerce.money import Currency
from commerce.payments.local import LocalStripe
from commerce.problems import Rejected
from table_settings import fresh_settings

ENTRIES = 250
USD = Currency.USD


@pytest.fixture(scope="module")
def chunk_services(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Services:
    built = build_services(fresh_settings(dynamodb_endpoint, stripe_server.endpoint, "whsec_x"))
    create_table_if_missing()
    return built


def partner_with_entries(services: Services) -> tuple[AffiliatesService, str, int]:
    """A partner with 250 approved entries (83 orders of 3 lines, one of 1); their sum."""
    clock = Clock()
    affiliates = affiliates_on(services, clock, RecordingTransfers())
    partner = services.access.create_partner("Big Blog", "big@example.com").id
    affiliates.set_rule(SetRule(partner, None, CommissionRule(first_order_rate=1000)))
    sizes = [3] * 83 + [1]
    for number, size in enumerate(sizes, start=1):
        lines = [1000 + number * 10 + i for i in range(size)]
        order = paid_order(lines, paid_at=clock(), affiliate_id=partner, number=number)
        affiliates.order_settled(order)
        clock.advance(minutes=1)
    clock.advance(days=31)
    affiliates.approve_due(clock())
    approved = affiliates.ledger(partner, EntryState.APPROVED)
    assert len(approved) == ENTRIES
    return affiliates, partner, sum(e.amount.amount for e in approved)


def assert_paid_once(affiliates: AffiliatesService, partner: str, payout_id: str) -> None:
    payout = affiliates.payout(payout_id)
    assert payout is not None
    ledger = affiliates.ledger(partner)
    assert all(e.state is EntryState.PAID and e.payout_id == payout_id for e in ledger)
    ids = [line.entry_id for line in payout.lines]
    assert len(ids) == len(set(ids)) == ENTRIES
    assert set(ids) == {e.id for e in ledger}
    assert payout.total == sum(line.amount for line in payout.lines)


def test_a_payout_of_250_entries_takes_them_all_in_chunks(chunk_services: Services) -> None:
    affiliates, partner, total = partner_with_entries(chunk_services)

    payout = affiliates.create_payout(CreatePayout(partner, USD))

    assert payout.status is PayoutStatus.OPEN
    assert payout.total == total
    assert payout.chunks == 3
    assert_paid_once(affiliates, partner, payout.id)
    with pytest.raises(Rejected) as nothing:
        affiliates.create_payout(CreatePayout(partner, USD))
    assert nothing.value.problems[0].code is AffiliateErrorCode.NOTHING_TO_PAY
    paid = affiliates.mark_payout_paid(MarkPayoutPaid(payout.id, "BANK-250"))
    assert paid.status is PayoutStatus.PAID
    assert paid.total == total


class Crash(RuntimeError):
    """The function stopped (a timeout, a lost container) before this write."""


@pytest.fixture
def crash_on_third_write(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Once armed, the third transaction the service commits fails before it reaches the
    table (the draft and one chunk were written)."""
    state = {"armed": 0, "commits": 0}

    class CrashingWrites(WriteSet):
        def commit(self) -> None:
            if state["armed"]:
                state["commits"] += 1
                if state["commits"] == 3:
                    raise Crash("stopped")
            super().commit()

    monkeypatch.setattr(affiliates_service, "WriteSet", CrashingWrites)
    return state


def test_a_payout_that_crashed_half_way_is_resumed_with_exact_totals(
    chunk_services: Services, crash_on_third_write: dict[str, int]
) -> None:
    affiliates, partner, total = partner_with_entries(chunk_services)
    crash_on_third_write["armed"] = 1

    # When the run stops after the draft and its first chunk,
    with pytest.raises(Crash):
        affiliates.create_payout(CreatePayout(partner, USD))

    # the draft holds exactly the first chunk, its entries paid, the rest still approved,
    [draft] = affiliates.payouts(partner)
    assert draft.status is PayoutStatus.DRAFT
    assert len(draft.lines) == 99
    assert draft.total == sum(line.amount for line in draft.lines)
    assert len(affiliates.ledger(partner, EntryState.PAID)) == 99
    assert len(affiliates.ledger(partner, EntryState.APPROVED)) == ENTRIES - 99
    # and it cannot be paid until it is finished.
    with pytest.raises(Rejected) as early:
        affiliates.mark_payout_paid(MarkPayoutPaid(draft.id, "BANK-EARLY"))
    assert early.value.problems[0].code is AffiliateErrorCode.PAYOUT_NOT_FINAL

    # Then the next run resumes the same draft and finishes it.
    resumed = affiliates.create_payout(CreatePayout(partner, USD))
    assert resumed.id == draft.id
    assert resumed.status is PayoutStatus.OPEN
    assert resumed.total == total
    assert_paid_once(affiliates, partner, resumed.id)
    assert [p.id for p in affiliates.payouts(partner)] == [draft.id]
