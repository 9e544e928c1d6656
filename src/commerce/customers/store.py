"""Customer accounts, sessions, reset codes and log-in failure counters in the single table.

Keys (see ``docs/data-model.md``):

- ``CUSTOMER#<id> / PROFILE``: the profile and password hash; ``revision`` makes every
  change a compare-and-swap.
- ``EMAIL#<normalised email> / EMAIL``: the claim that makes an email unique; written in
  the same transaction as the profile, on the condition that it does not exist.
- ``CUSTOMER#<id> / ADDRESS#<address id>``: saved addresses; one Query reads them all.
- ``CUSTOMER#<id> / SESSION#<family id>``: a log-in (one refresh-token family); revoked on
  log-out, on a password change or reset, or when a rotated refresh token comes back.
  ``ttl`` follows the family's newest refresh token.
- ``REFRESH#<sha256 of token> / REFRESH``: one refresh token of a family; ``used_at`` is set
  when it is rotated, so a second use is recognised as a replay. ``ttl`` is its expiry.
- ``PWRESET#<sha256 of code> / PWRESET``: a password reset code; single use (``used_at``).
- ``LOGINFAIL#ACCOUNT#<email> / LOGINFAIL`` and ``LOGINFAIL#CLIENT#IP#<address or /64>``:
  failed log-ins in the current window; ``ttl`` is the window's end (reads also compare
  it, DynamoDB deletes late).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DeleteError, PutError, UpdateError

from commerce.customers.model import (
    AddressFields,
    ConsentChannel,
    Customer,
    CustomerAddress,
    Demographics,
    Gender,
    MarketingConsent,
    PurchaseHistory,
)
from commerce.db.table import TableItem
from commerce.db.writes import ConditionsFailed, WriteSet

PROFILE_SK = "PROFILE"
MARKETING_SK = "MARKETING"
EMAIL_SK = "EMAIL"
REFRESH_SK = "REFRESH"
RESET_SK = "PWRESET"
FAILURES_SK = "LOGINFAIL"
ADDRESS_PREFIX = "ADDRESS#"
SESSION_PREFIX = "SESSION#"
EMAIL_TAKEN = "email"


def customer_pk(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}"


def email_pk(email_key: str) -> str:
    return f"EMAIL#{email_key}"


def refresh_pk(digest: str) -> str:
    return f"REFRESH#{digest}"


def reset_pk(digest: str) -> str:
    return f"PWRESET#{digest}"


def failures_pk(kind: str, key: str) -> str:
    return f"LOGINFAIL#{kind}#{key}"


class CustomerItem(TableItem, discriminator="Customer"):
    """A customer's profile and password hash."""

    customer_id = UnicodeAttribute()
    email = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    # Names, phone, consents, demographics, default address, cart: read and written whole.
    body = JSONAttribute()
    revision = NumberAttribute()


class MarketingItem(TableItem, discriminator="CustomerMarketing"):
    """Staff tags and the purchase counts segments derive from, apart from the profile:
    orders count a payment with one ADD, and neither write races the customer's own."""

    tags = UnicodeSetAttribute(null=True)
    paid_orders = NumberAttribute(null=True)
    last_paid_at = UTCDateTimeAttribute(null=True)


class EmailItem(TableItem, discriminator="CustomerEmail"):
    """The claim on one normalised email address."""

    customer_id = UnicodeAttribute()


class AddressItem(TableItem, discriminator="CustomerAddress"):
    """One saved address of a customer."""

    address_id = UnicodeAttribute()
    body = JSONAttribute()


class SessionItem(TableItem, discriminator="CustomerSession"):
    """One log-in: the family of refresh tokens rotated from its first one."""

    customer_id = UnicodeAttribute()
    family_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)


class RefreshItem(TableItem, discriminator="RefreshToken"):
    """A refresh token, by its digest."""

    customer_id = UnicodeAttribute()
    family_id = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute()
    used_at = UTCDateTimeAttribute(null=True)


class ResetItem(TableItem, discriminator="PasswordReset"):
    """A password reset code, by its digest."""

    customer_id = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute()
    used_at = UTCDateTimeAttribute(null=True)


class FailuresItem(TableItem, discriminator="LoginFailures"):
    """Failed log-ins of one account or address within the current window."""

    failures = NumberAttribute()
    window_ends = UTCDateTimeAttribute()


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """A customer as stored, with the hash and the revision a change must match."""

    customer: Customer
    password_hash: str
    revision: int


@dataclass(frozen=True, slots=True)
class RefreshRecord:
    """A stored refresh token."""

    digest: str
    customer_id: str
    family_id: str
    expires_at: datetime
    used_at: datetime | None


class CustomerChanged(Exception):
    """The profile changed since it was read (or is gone); nothing was written."""


class EmailTaken(Exception):
    """Another account holds this email."""


# -- conversions ---------------------------------------------------------------------------


def _body(customer: Customer) -> dict[str, Any]:
    demo = customer.demographics
    return {
        "firstName": customer.first_name,
        "lastName": customer.last_name,
        "phone": customer.phone,
        "consents": [
            [c.channel.value, c.granted, c.updated_at.isoformat()] for c in customer.consents
        ],
        "demographics": [
            demo.country,
            demo.birth_year,
            None if demo.gender is None else demo.gender.value,
        ],
        "defaultAddress": customer.default_address_id,
        "cart": customer.cart_id,
    }


def _customer_from(item: CustomerItem) -> Customer:
    body = item.body
    country, birth_year, gender = body.get("demographics") or [None, None, None]
    return Customer(
        id=item.customer_id,
        email=item.email,
        created_at=item.created_at,
        first_name=body.get("firstName", ""),
        last_name=body.get("lastName", ""),
        phone=body.get("phone"),
        consents=tuple(
            MarketingConsent(ConsentChannel(channel), bool(granted), datetime.fromisoformat(at))
            for channel, granted, at in body.get("consents", [])
        ),
        demographics=Demographics(
            country=country,
            birth_year=None if birth_year is None else int(birth_year),
            gender=None if gender is None else Gender(gender),
        ),
        default_address_id=body.get("defaultAddress"),
        cart_id=body.get("cart"),
    )


def _customer_item(customer: Customer, password_hash: str, revision: int) -> CustomerItem:
    return CustomerItem(
        pk=customer_pk(customer.id),
        sk=PROFILE_SK,
        customer_id=customer.id,
        email=customer.email,
        password_hash=password_hash,
        created_at=customer.created_at,
        body=_body(customer),
        revision=revision,
    )


_ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "address1",
    "address2",
    "city",
    "province",
    "zip",
    "country_code",
    "phone",
)


def _address_from(item: AddressItem) -> CustomerAddress:
    raw = item.body
    return CustomerAddress(item.address_id, AddressFields(**{k: raw.get(k) or "" for k in raw}))


def _address_item(customer_id: str, address: CustomerAddress) -> AddressItem:
    fields = address.fields
    return AddressItem(
        pk=customer_pk(customer_id),
        sk=ADDRESS_PREFIX + address.id,
        address_id=address.id,
        body={name: getattr(fields, name) for name in _ADDRESS_FIELDS},
    )


def _failed_condition(exc: PutError | UpdateError | DeleteError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"


# -- accounts ------------------------------------------------------------------------------


def insert_customer(customer: Customer, email_key: str, password_hash: str) -> None:
    """Store a new account and claim its email in one transaction; ``EmailTaken`` if held."""
    writes = WriteSet()
    claim = EmailItem(pk=email_pk(email_key), sk=EMAIL_SK, customer_id=customer.id)
    writes.put(claim, EmailItem.pk.does_not_exist(), label=EMAIL_TAKEN)
    writes.put(
        _customer_item(customer, password_hash, revision=1),
        CustomerItem.pk.does_not_exist(),
        label="customer",
    )
    try:
        writes.commit()
    except ConditionsFailed as failed:
        if EMAIL_TAKEN in failed.labels:
            raise EmailTaken from None
        raise CustomerChanged from None


def customer_id_for_email(email_key: str) -> str | None:
    """The account holding this normalised email."""
    try:
        return str(EmailItem.get(email_pk(email_key), EMAIL_SK).customer_id)
    except EmailItem.DoesNotExist:
        return None


def get_customer(customer_id: str) -> CustomerRecord | None:
    """The account, strongly consistent: a customer sees their own last change."""
    try:
        item = CustomerItem.get(customer_pk(customer_id), PROFILE_SK, consistent_read=True)
    except CustomerItem.DoesNotExist:
        return None
    return CustomerRecord(_customer_from(item), str(item.password_hash), int(item.revision))


def marketing_facts(
    customer_id: str,
) -> tuple[Customer, frozenset[str], PurchaseHistory] | None:
    """The profile, tags and purchase history of a customer: one BatchGetItem."""
    pk = customer_pk(customer_id)
    profile: Customer | None = None
    tags: frozenset[str] = frozenset()
    history = PurchaseHistory()
    for item in TableItem.batch_get([(pk, PROFILE_SK), (pk, MARKETING_SK)], consistent_read=True):
        if isinstance(item, CustomerItem):
            profile = _customer_from(item)
        elif isinstance(item, MarketingItem):
            tags = frozenset(item.tags or ())
            history = PurchaseHistory(int(item.paid_orders or 0), item.last_paid_at)
    return None if profile is None else (profile, tags, history)


def change_tags(customer_id: str, add: frozenset[str], remove: frozenset[str]) -> None:
    """Add, then remove, tags with set ADD/DELETE updates: no read, so two staff editing
    at once both keep their change (one expression may not touch ``tags`` twice)."""
    item = MarketingItem(pk=customer_pk(customer_id), sk=MARKETING_SK)
    if add:
        item.update(
            actions=[MarketingItem.tags.add(set(add)), MarketingItem.entity.set(MarketingItem)]
        )
    if remove:
        item.update(
            actions=[
                MarketingItem.tags.delete(set(remove)),
                MarketingItem.entity.set(MarketingItem),
            ]
        )


def add_paid_order(writes: WriteSet, customer_id: str, at: datetime) -> None:
    """Count one paid order in another use case's transaction (the order's move to paid)."""
    writes.update(
        MarketingItem(pk=customer_pk(customer_id), sk=MARKETING_SK),
        [
            MarketingItem.paid_orders.add(1),
            MarketingItem.last_paid_at.set(at),
            MarketingItem.entity.set(MarketingItem),
        ],
    )


def replace_customer(old: CustomerRecord, new: Customer, password_hash: str | None = None) -> None:
    """Write ``new`` over ``old`` if nobody changed it meanwhile; else ``CustomerChanged``."""
    item = _customer_item(new, password_hash or old.password_hash, old.revision + 1)
    try:
        item.save(condition=CustomerItem.revision == old.revision)
    except PutError as exc:
        if _failed_condition(exc):
            raise CustomerChanged from None
        raise


# -- addresses -----------------------------------------------------------------------------


def list_addresses(customer_id: str) -> list[CustomerAddress]:
    """Every saved address, oldest first (ids are time-ordered)."""
    return [
        _address_from(item)
        for item in AddressItem.query(
            customer_pk(customer_id),
            AddressItem.sk.startswith(ADDRESS_PREFIX),
            consistent_read=True,
        )
        if isinstance(item, AddressItem)
    ]


def put_address(customer_id: str, address: CustomerAddress) -> None:
    """Create or replace a saved address."""
    _address_item(customer_id, address).save()


def delete_address(customer_id: str, address_id: str) -> bool:
    """Remove a saved address; False when there was none."""
    try:
        AddressItem(pk=customer_pk(customer_id), sk=ADDRESS_PREFIX + address_id).delete(
            condition=AddressItem.pk.exists()
        )
    except DeleteError as exc:
        if _failed_condition(exc):
            return False
        raise
    return True


# -- sessions and refresh tokens ----------------------------------------------------------


def _refresh_item(record: RefreshRecord) -> RefreshItem:
    return RefreshItem(
        pk=refresh_pk(record.digest),
        sk=REFRESH_SK,
        customer_id=record.customer_id,
        family_id=record.family_id,
        expires_at=record.expires_at,
        used_at=record.used_at,
        ttl=record.expires_at,
    )


def _session_item(
    customer_id: str, family_id: str, created_at: datetime, expires_at: datetime
) -> SessionItem:
    return SessionItem(
        pk=customer_pk(customer_id),
        sk=SESSION_PREFIX + family_id,
        customer_id=customer_id,
        family_id=family_id,
        created_at=created_at,
        ttl=expires_at,
    )


def start_session(first: RefreshRecord, now: datetime) -> None:
    """A new log-in: its session and first refresh token, in one transaction."""
    writes = WriteSet()
    writes.put(
        _session_item(first.customer_id, first.family_id, now, first.expires_at),
        SessionItem.pk.does_not_exist(),
        label="session",
    )
    writes.put(_refresh_item(first), RefreshItem.pk.does_not_exist(), label="refresh")
    writes.commit()


def get_refresh(digest: str) -> RefreshRecord | None:
    """A refresh token by its digest, strongly consistent (a replay must see the rotation)."""
    try:
        item = RefreshItem.get(refresh_pk(digest), REFRESH_SK, consistent_read=True)
    except RefreshItem.DoesNotExist:
        return None
    return RefreshRecord(
        digest=digest,
        customer_id=item.customer_id,
        family_id=item.family_id,
        expires_at=item.expires_at,
        used_at=item.used_at,
    )


def session_active(customer_id: str, family_id: str) -> bool:
    """Whether the log-in exists and is not revoked."""
    try:
        item = SessionItem.get(
            customer_pk(customer_id), SESSION_PREFIX + family_id, consistent_read=True
        )
    except SessionItem.DoesNotExist:
        return False
    return item.revoked_at is None


def rotate(old: RefreshRecord, new: RefreshRecord, now: datetime) -> bool:
    """Mark ``old`` used and store ``new``, if ``old`` was unused and its session live.

    False when the condition failed: someone used ``old`` first (a replay or a race), or
    the session was revoked meanwhile; nothing was written.
    """
    writes = WriteSet()
    used = RefreshRecord(old.digest, old.customer_id, old.family_id, old.expires_at, now)
    writes.put(
        _refresh_item(used),
        RefreshItem.pk.exists() & RefreshItem.used_at.does_not_exist(),
        label="unused",
    )
    writes.put(_refresh_item(new), RefreshItem.pk.does_not_exist(), label="new")
    session = _session_item(old.customer_id, old.family_id, now, new.expires_at)
    writes.check(
        SessionItem,
        str(session.pk),
        str(session.sk),
        SessionItem.pk.exists() & SessionItem.revoked_at.does_not_exist(),
        label="session",
    )
    try:
        writes.commit()
    except ConditionsFailed:
        return False
    return True


def revoke_session(customer_id: str, family_id: str, now: datetime) -> None:
    """End a log-in (idempotent: the first revocation time stays)."""
    item = SessionItem(pk=customer_pk(customer_id), sk=SESSION_PREFIX + family_id)
    try:
        item.update(
            actions=[SessionItem.revoked_at.set(SessionItem.revoked_at | now)],
            condition=SessionItem.pk.exists(),
        )
    except UpdateError as exc:
        if not _failed_condition(exc):
            raise


def revoke_all_sessions(customer_id: str, now: datetime) -> int:
    """End every log-in of a customer (after a password change or reset)."""
    revoked = 0
    for item in SessionItem.query(
        customer_pk(customer_id), SessionItem.sk.startswith(SESSION_PREFIX)
    ):
        if isinstance(item, SessionItem) and item.revoked_at is None:
            revoke_session(customer_id, item.family_id, now)
            revoked += 1
    return revoked


# -- password resets -----------------------------------------------------------------------


def reset_item(digest: str, customer_id: str, expires_at: datetime) -> ResetItem:
    """The item to put for a new reset code (alone or with its notification)."""
    return ResetItem(
        pk=reset_pk(digest),
        sk=RESET_SK,
        customer_id=customer_id,
        expires_at=expires_at,
        ttl=expires_at,
    )


def put_reset(item: ResetItem, extra: list[tuple[TableItem, Any]] | None = None) -> None:
    """Store a reset code, with ``extra`` items (its notification) in the same transaction."""
    writes = WriteSet()
    writes.put(item, ResetItem.pk.does_not_exist(), label="reset")
    for other, condition in extra or []:
        writes.put(other, condition, label="extra")
    writes.commit()


def consume_reset(digest: str, now: datetime) -> str | None:
    """Use a reset code once: the customer id, or None if unknown, used or expired."""
    item = ResetItem(pk=reset_pk(digest), sk=RESET_SK)
    try:
        item.update(
            actions=[ResetItem.used_at.set(now)],
            condition=(
                ResetItem.pk.exists()
                & ResetItem.used_at.does_not_exist()
                & (ResetItem.expires_at > now)
            ),
        )
    except UpdateError as exc:
        if _failed_condition(exc):
            return None
        raise
    return str(item.customer_id)


# -- log-in failures -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FailureWindow:
    """Failed log-ins counted since a window began, and when it ends."""

    count: int
    ends: datetime


def failures(keys: list[tuple[str, str]], now: datetime) -> dict[tuple[str, str], FailureWindow]:
    """Current windows of failed log-ins for (kind, key) pairs, one BatchGetItem."""
    found: dict[tuple[str, str], FailureWindow] = {}
    by_pk = {failures_pk(kind, key): (kind, key) for kind, key in keys}
    for item in FailuresItem.batch_get([(pk, FAILURES_SK) for pk in by_pk]):
        if isinstance(item, FailuresItem) and item.window_ends > now:
            found[by_pk[str(item.pk)]] = FailureWindow(int(item.failures), item.window_ends)
    return found


def record_failure(kind: str, key: str, now: datetime, window_ends: datetime) -> None:
    """Count one failure in the current window, or start a new window with it."""
    item = FailuresItem(pk=failures_pk(kind, key), sk=FAILURES_SK)
    try:
        item.update(
            actions=[FailuresItem.failures.add(1)],
            condition=FailuresItem.window_ends > now,
        )
        return
    except UpdateError as exc:
        if not _failed_condition(exc):
            raise
    # No window, or an expired one DynamoDB has not deleted yet: start afresh. Two
    # requests racing here may both start one; the count is then one low, which is fine.
    FailuresItem(
        pk=failures_pk(kind, key),
        sk=FAILURES_SK,
        failures=1,
        window_ends=window_ends,
        ttl=window_ends,
    ).save()


def clear_failures(kind: str, key: str) -> None:
    """Forget failures after a successful log-in."""
    FailuresItem(pk=failures_pk(kind, key), sk=FAILURES_SK).delete()
