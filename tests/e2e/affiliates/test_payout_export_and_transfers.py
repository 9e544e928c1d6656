"""A payout exported from the command line, and paid by a Stripe transfer to the
partner's connected account (through the transfers port's recorded double: the local
Stripe server has no Transfer API, which the last test shows)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from affiliate_ledgers import Clock, RecordingTransfers, affiliates_on, paid_order
from commerce.affiliates.model import CommissionRule, PayoutStatus
from commerce.affiliates.service import (
    AffiliatesService,
    CreatePayout,
    MarkPayoutPaid,
    SetProgram,
    SetRule,
)
from commerce.cli import main
from commerce.composition import Services
from commerce.graphql.ids import to_global_id
from commerce.money import Currency, Money
from commerce.payments.ports import PaymentUnavailable
from commerce.problems import Rejected
from commerce.settings import Settings


@pytest.fixture
def environment(
    services: Services, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COMMERCE_DYNAMODB_ENDPOINT", str(settings.dynamodb_endpoint))
    monkeypatch.setenv("COMMERCE_TABLE_NAME", settings.table_name)
    monkeypatch.setenv("AWS_REGION", settings.region)
    monkeypatch.setenv("COMMERCE_DATA_DIR", str(tmp_path / "data"))


def approved_payout(
    services: Services, transfers: RecordingTransfers
) -> tuple[str, AffiliatesService]:
    clock = Clock()
    affiliates = affiliates_on(services, clock, transfers)
    partner = services.access.create_partner("Payout Partner", "pay@example.com").id
    affiliates.set_rule(SetRule(partner, None, CommissionRule(first_order_rate=3000)))
    affiliates.order_settled(paid_order([10_000], paid_at=clock(), affiliate_id=partner))
    clock.advance(days=31)
    affiliates.approve_due(clock())
    return partner, affiliates


def test_payout_export_writes_the_csv_to_a_file_or_stdout(
    services: Services,
    environment: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    partner, affiliates = approved_payout(services, RecordingTransfers())
    payout = affiliates.create_payout(CreatePayout(partner, Currency.USD))
    payout_gid = to_global_id("AffiliatePayout", payout.id)
    out = tmp_path / "payout.csv"

    assert main(["affiliates", "payout", "export", payout_gid, str(out)]) == 0
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == (
        "payout_id,partner_id,status,entry_id,order_number,line,kind,amount,currency"
    )
    assert rows[1].endswith(",line-0,COMMISSION,30.00,USD")
    assert rows[2].endswith(",TOTAL,,,,30.00,USD")

    capsys.readouterr()
    assert main(["affiliates", "payout", "export", payout_gid]) == 0
    assert capsys.readouterr().out.splitlines() == rows

    assert main(["affiliates", "payout", "export", "not-an-id"]) == 1
    unknown = to_global_id("AffiliatePayout", uuid.uuid4().hex)
    assert main(["affiliates", "payout", "export", unknown, str(tmp_path / "none.csv")]) == 1
    assert not (tmp_path / "none.csv").exists()


def test_a_partner_with_a_connected_account_is_paid_by_one_idempotent_transfer(
    services: Services,
) -> None:
    transfers = RecordingTransfers()
    partner, affiliates = approved_payout(services, transfers)
    affiliates.set_program(SetProgram(partner, None, "acct_1Partner"))
    payout = affiliates.create_payout(CreatePayout(partner, Currency.USD))

    paid = affiliates.mark_payout_paid(MarkPayoutPaid(payout.id, None))

    assert transfers.made == [("acct_1Partner", Money(3_000, Currency.USD), f"payout-{payout.id}")]
    assert paid.status is PayoutStatus.PAID
    assert paid.transfer_id == "tr_1"
    assert paid.external_reference == "tr_1"
    with pytest.raises(Rejected) as again:
        affiliates.mark_payout_paid(MarkPayoutPaid(payout.id, None))
    assert [p.code.value for p in again.value.problems] == ["PAYOUT_ALREADY_PAID"]
    assert len(transfers.made) == 1


class RefusingTransfers(RecordingTransfers):
    def transfer(
        self, *, destination: str, amount: Money, idempotency_key: str, description: str
    ) -> str:
        raise PaymentUnavailable("cannot make a transfer: the account is not enabled")


def test_a_refused_transfer_leaves_the_payout_open(services: Services) -> None:
    partner, affiliates = approved_payout(services, RefusingTransfers())
    affiliates.set_program(SetProgram(partner, None, "acct_1Refused"))
    payout = affiliates.create_payout(CreatePayout(partner, Currency.USD))
    with pytest.raises(Rejected) as refused:
        affiliates.mark_payout_paid(MarkPayoutPaid(payout.id, None))
    assert [p.code.value for p in refused.value.problems] == ["TRANSFER_FAILED"]
    still = affiliates.payout(payout.id)
    assert still is not None
    assert still.status is PayoutStatus.OPEN


def test_the_local_stripe_server_has_no_transfers_so_the_gateway_reports_it(
    services: Services,
) -> None:
    with pytest.raises(PaymentUnavailable, match="make a transfer"):
        services.gateway.transfer(
            destination="acct_1Partner",
            amount=Money(100, Currency.USD),
            idempotency_key="payout-x",
            description="Affiliate payout x",
        )
