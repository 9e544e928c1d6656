"""Partner events read from the stream records of ledger entries and payouts, as the
table's stream delivers them (NEW_AND_OLD_IMAGES, DynamoDB JSON)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from commerce.affiliates.events import PartnerEvent, partner_event_of
from commerce.affiliates.model import (
    EntryKind,
    EntryState,
    LedgerEntry,
    Payout,
    PayoutLine,
    PayoutStatus,
)
from commerce.affiliates.store import entry_item, payout_item
from commerce.events.stream import parse
from commerce.money import Currency, Money
from stream_records import image_of, stream_record

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SK = "COMMISSION#2026-12-01T09:00:00+00:00#order-1#000"


def entry(kind: EntryKind = EntryKind.COMMISSION, amount: int = 600) -> LedgerEntry:
    return LedgerEntry(
        id=f"partner-1|{SK}",
        partner_id="partner-1",
        order_id="order-1",
        order_number=1042,
        line_id="line-1",
        kind=kind,
        amount=Money(amount, Currency.USD),
        state=EntryState.PENDING,
        created_at=AT,
        rate=3000,
        base=1999,
    )


PAYOUT = Payout(
    id="payout-1",
    partner_id="partner-1",
    currency=Currency.EUR,
    total=1500,
    status=PayoutStatus.OPEN,
    created_at=AT,
    lines=(PayoutLine("partner-1|x", 1042, "line-1", EntryKind.COMMISSION, 1500),),
)


def event_of(raw: dict[str, object]) -> PartnerEvent | None:
    record = parse(raw)
    assert record.item_type is not None
    return partner_event_of(record.item_type, record.new_image, record.old_image)


def test_a_new_commission_entry_is_commission_created_with_its_amount_as_a_decimal_string() -> None:
    raw = stream_record("INSERT", new=image_of(entry_item(entry(), SK)))
    event = event_of(raw)
    assert event is not None
    assert event.event_type == "commission.created"
    assert event.partner_id == "partner-1"
    assert event.data["amount"] == {"amount": "6.00", "currencyCode": "USD"}
    assert event.data["orderNumber"] == 1042
    # A redelivered record is the same event: receivers deduplicate on its id.
    assert event_of(stream_record("INSERT", new=image_of(entry_item(entry(), SK)))) == event


def test_a_new_reversal_entry_is_commission_reversed() -> None:
    reversal = entry(EntryKind.REVERSAL, -300)
    event = event_of(stream_record("INSERT", new=image_of(entry_item(reversal, SK))))
    assert event is not None
    assert event.event_type == "commission.reversed"
    assert event.data["amount"] == {"amount": "-3.00", "currencyCode": "USD"}


def test_an_entry_changing_state_is_no_event() -> None:
    before = image_of(entry_item(entry(), SK))
    after = image_of(entry_item(replace(entry(), state=EntryState.APPROVED), SK))
    assert event_of(stream_record("MODIFY", new=after, old=before)) is None


def test_a_payout_moving_to_paid_is_payout_paid_once() -> None:
    opened = image_of(payout_item(PAYOUT))
    paid = image_of(
        payout_item(
            replace(PAYOUT, status=PayoutStatus.PAID, paid_at=AT, external_reference="BANK-1")
        )
    )
    event = event_of(stream_record("MODIFY", new=paid, old=opened))
    assert event is not None
    assert event.event_type == "payout.paid"
    assert event.event_id == "payout.paid:payout-1"
    assert event.data["total"] == {"amount": "15.00", "currencyCode": "EUR"}
    assert event.data["externalReference"] == "BANK-1"
    assert event_of(stream_record("INSERT", new=opened)) is None
    assert event_of(stream_record("MODIFY", new=paid, old=paid)) is None


def test_other_items_are_no_event() -> None:
    assert partner_event_of("Order", {"status": "PAID"}, {}) is None
