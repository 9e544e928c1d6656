"""Loyalty's items: one partition per customer, and the store's rules.

Keys (``docs/data-model.md``):

- ``LOYALTY#<customer id> / ACCOUNT``: ``rev``, raised by every change of the ledger under
  the condition that it is still the one read, so two writers (two checkouts spending,
  a checkout and a payment's points) never both act on the same balance; ``balance`` as
  of that change, for staff reading the table;
- ``LOYALTY#<customer id> / ENTRY#<business key>``: one entry, put with
  ``attribute_not_exists``: a business event (an order's points, a bonus, a refund) is
  recorded once;
- ``LOYALTY#<customer id> / REFERRAL``: who referred the customer (put once, with
  ``attribute_not_exists``), and the first order paid after it (set once, on
  ``attribute_not_exists(first_order_id)``): the order the referral bonuses are for;
- ``LOYALTY#SETTINGS / SETTINGS``: the rules as JSON, with a version.

One consistent Query of the customer's partition reads the account and every entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import PutError, UpdateError

from commerce.db.table import TableItem
from commerce.db.writes import WriteSet
from commerce.loyalty.ledger import Entry, EntryKind
from commerce.loyalty.model import Bonus, BonusRule, LoyaltySettings, PointsRate, Tier
from commerce.money import Currency, Money

ACCOUNT_SK = "ACCOUNT"
REFERRAL_SK = "REFERRAL"
ENTRY_PREFIX = "ENTRY#"
SETTINGS_PK = "LOYALTY#SETTINGS"
SETTINGS_SK = "SETTINGS"
# The label of the account's condition in a write set (checkout names it in its refusal).
ACCOUNT_LABEL = "loyalty points"
SETTINGS_LABEL = "loyalty settings"


def account_pk(customer_id: str) -> str:
    return f"LOYALTY#{customer_id}"


class LoyaltyAccountItem(TableItem, discriminator="LoyaltyAccount"):
    rev = NumberAttribute()
    balance = NumberAttribute(default=0)


class LoyaltyEntryItem(TableItem, discriminator="LoyaltyEntry"):
    key = UnicodeAttribute()
    kind = UnicodeAttribute()
    points = NumberAttribute()
    at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute(null=True)
    order_id = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    spend_amount = NumberAttribute(null=True)
    spend_currency = UnicodeAttribute(null=True)
    covers = NumberAttribute(default=0)


class LoyaltyReferralItem(TableItem, discriminator="LoyaltyReferral"):
    referrer_id = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    first_order_id = UnicodeAttribute(null=True)
    first_paid_at = UTCDateTimeAttribute(null=True)


@dataclass(frozen=True, slots=True)
class Referral:
    """Who referred a customer, when, and the first order they paid after it."""

    referrer_id: str
    at: datetime
    first_order_id: str | None = None
    first_paid_at: datetime | None = None


def _referral(item: LoyaltyReferralItem) -> Referral:
    return Referral(
        str(item.referrer_id),
        item.at,
        None if item.first_order_id is None else str(item.first_order_id),
        item.first_paid_at,
    )


def get_referral(customer_id: str) -> Referral | None:
    """Who referred the customer (None: nobody), strongly consistent."""
    try:
        item = LoyaltyReferralItem.get(account_pk(customer_id), REFERRAL_SK, consistent_read=True)
    except LoyaltyReferralItem.DoesNotExist:
        return None
    return _referral(item)


def put_referral(customer_id: str, referrer_id: str, at: datetime) -> bool:
    """Record the customer's referrer; False when one is recorded already."""
    item = LoyaltyReferralItem(
        pk=account_pk(customer_id), sk=REFERRAL_SK, referrer_id=referrer_id, at=at
    )
    try:
        item.save(condition=LoyaltyReferralItem.pk.does_not_exist())
    except PutError as exc:
        if _condition_failed(exc):
            return False
        raise
    return True


def set_first_order(customer_id: str, order_id: str, paid_at: datetime) -> Referral | None:
    """Make ``order_id`` the referral's first order unless one is set; the referral as it
    is after (the other order's when another came first)."""
    item = LoyaltyReferralItem(pk=account_pk(customer_id), sk=REFERRAL_SK)
    try:
        item.update(
            actions=[
                LoyaltyReferralItem.first_order_id.set(order_id),
                LoyaltyReferralItem.first_paid_at.set(paid_at),
            ],
            condition=LoyaltyReferralItem.pk.exists()
            & LoyaltyReferralItem.first_order_id.does_not_exist(),
        )
    except UpdateError as exc:
        if not _condition_failed(exc):
            raise
    return get_referral(customer_id)


def _condition_failed(exc: PutError | UpdateError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"


class LoyaltySettingsItem(TableItem, discriminator="LoyaltySettings"):
    body = JSONAttribute()
    version = VersionAttribute()


@dataclass(frozen=True, slots=True)
class StoredLedger:
    """A customer's entries and the account revision they were read at (0: none yet)."""

    rev: int
    entries: tuple[Entry, ...]
    referral: Referral | None = None


def read_ledger(customer_id: str) -> StoredLedger:
    """Every entry of the customer, with the revision: one consistent Query."""
    rev = 0
    entries: list[Entry] = []
    referral: Referral | None = None
    for item in TableItem.query(account_pk(customer_id), consistent_read=True):
        if isinstance(item, LoyaltyAccountItem):
            rev = int(item.rev)
        elif isinstance(item, LoyaltyEntryItem):
            entries.append(_entry(item))
        elif isinstance(item, LoyaltyReferralItem):
            referral = _referral(item)
    return StoredLedger(rev, tuple(entries), referral)


def add_entries(
    writes: WriteSet, customer_id: str, read: StoredLedger, entries: list[Entry], balance: int
) -> None:
    """Record ``entries`` if the ledger is still as read (``ACCOUNT_LABEL`` fails if not)."""
    pk = account_pk(customer_id)
    account = LoyaltyAccountItem(pk=pk, sk=ACCOUNT_SK, rev=read.rev + 1, balance=balance)
    condition = (
        LoyaltyAccountItem.pk.does_not_exist()
        if read.rev == 0
        else LoyaltyAccountItem.rev == read.rev
    )
    writes.put(account, condition, label=ACCOUNT_LABEL)
    for entry in entries:
        writes.put(_item(pk, entry), LoyaltyEntryItem.pk.does_not_exist(), label=ACCOUNT_LABEL)


def _item(pk: str, entry: Entry) -> LoyaltyEntryItem:
    return LoyaltyEntryItem(
        pk=pk,
        sk=f"{ENTRY_PREFIX}{entry.key}",
        key=entry.key,
        kind=entry.kind.value,
        points=entry.points,
        at=entry.at,
        expires_at=entry.expires_at,
        order_id=entry.order_id,
        reason=entry.reason or None,
        spend_amount=None if entry.spend is None else entry.spend.amount,
        spend_currency=None if entry.spend is None else entry.spend.currency.value,
        covers=entry.covers,
    )


def _entry(item: LoyaltyEntryItem) -> Entry:
    spend = None
    if item.spend_amount is not None and item.spend_currency is not None:
        spend = Money(int(item.spend_amount), Currency(item.spend_currency))
    return Entry(
        key=item.key,
        kind=EntryKind(item.kind),
        points=int(item.points),
        at=item.at,
        expires_at=item.expires_at,
        order_id=item.order_id,
        reason=item.reason or "",
        spend=spend,
        covers=int(item.covers or 0),
    )


def get_settings() -> tuple[LoyaltySettings, int] | None:
    """The stored rules and their version; None when staff never set any."""
    try:
        item = LoyaltySettingsItem.get(SETTINGS_PK, SETTINGS_SK, consistent_read=True)
    except LoyaltySettingsItem.DoesNotExist:
        return None
    return settings_from_json(item.body), int(item.version or 0)


def put_settings(settings: LoyaltySettings, version: int) -> None:
    """Store the rules if they are still at ``version`` (0: never stored); ``WriteSet``
    names ``SETTINGS_LABEL`` when another change came first."""
    writes = WriteSet()
    item = LoyaltySettingsItem(pk=SETTINGS_PK, sk=SETTINGS_SK, body=settings_to_json(settings))
    if version:
        item.version = version
    writes.put(item, label=SETTINGS_LABEL)
    writes.commit()


def settings_to_json(settings: LoyaltySettings) -> dict[str, Any]:
    return {
        "lot_days": settings.lot_days,
        "rates": [
            [r.currency.value, r.earn_per_unit, r.redeem_points, r.redeem_value]
            for r in settings.rates
        ],
        "tiers": [
            [t.name, str(t.multiplier), [[m.currency.value, m.amount] for m in t.thresholds]]
            for t in settings.tiers
        ],
        "bonuses": [[b.rule.value, b.points] for b in settings.bonuses],
        "referral_hold_days": settings.referral_hold_days,
    }


def settings_from_json(body: dict[str, Any]) -> LoyaltySettings:
    return LoyaltySettings(
        rates=tuple(
            PointsRate(Currency(c), int(e), int(p), int(v)) for c, e, p, v in body["rates"]
        ),
        tiers=tuple(
            Tier(name, Decimal(multiplier), tuple(Money(int(a), Currency(c)) for c, a in limits))
            for name, multiplier, limits in body["tiers"]
        ),
        bonuses=tuple(Bonus(BonusRule(r), int(p)) for r, p in body["bonuses"]),
        lot_days=int(body["lot_days"]),
        referral_hold_days=int(body.get("referral_hold_days", 30)),
    )
