"""Customer accounts: the profile and the claim that makes its email unique.

Keys (see ``docs/data-model.md``):

- ``CUSTOMER#<id> / PROFILE``: the profile, and the password hash identity stored with it
  (kept opaque here: ``commerce.customers.identity`` decides what it is); ``revision``
  makes every change a compare-and-swap.
- ``EMAIL#<normalised email> / EMAIL``: the claim that makes an email unique; written in
  the same transaction as the profile, on the condition that it does not exist.
- GSI1 ``BIRTHDAYS#<MM-DD> / CUSTOMER#<id>`` on the profile of a customer who gave a
  birthday (sparse): the daily birthday bonus reads one day's customers by one Query.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import PutError

from commerce.customers.model import (
    Birthday,
    ConsentChannel,
    Customer,
    Demographics,
    Gender,
    MarketingConsent,
)
from commerce.customers.store import customer_pk, failed_condition
from commerce.db.table import TableItem
from commerce.db.writes import ConditionsFailed, WriteSet

PROFILE_SK = "PROFILE"
EMAIL_SK = "EMAIL"
EMAIL_TAKEN = "email"


def email_pk(email_key: str) -> str:
    return f"EMAIL#{email_key}"


class CustomerItem(TableItem, discriminator="Customer"):
    """A customer's profile and password hash."""

    customer_id = UnicodeAttribute()
    email = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    # Names, phone, consents, demographics, default address, cart: read and written whole.
    body = JSONAttribute()
    revision = NumberAttribute()


class EmailItem(TableItem, discriminator="CustomerEmail"):
    """The claim on one normalised email address."""

    customer_id = UnicodeAttribute()


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """A customer as stored, with the hash and the revision a change must match."""

    customer: Customer
    password_hash: str
    revision: int


class CustomerChanged(Exception):
    """The profile changed since it was read (or is gone); nothing was written."""


class EmailTaken(Exception):
    """Another account holds this email."""


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
        "preferredChannel": (
            None if customer.preferred_channel is None else customer.preferred_channel.value
        ),
        "timeZone": customer.time_zone,
        "birthday": None
        if customer.birthday is None
        else [customer.birthday.month, customer.birthday.day],
    }


def customer_from(item: CustomerItem) -> Customer:
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
        preferred_channel=(
            ConsentChannel(body["preferredChannel"]) if body.get("preferredChannel") else None
        ),
        time_zone=body.get("timeZone"),
        birthday=_birthday(body.get("birthday")),
    )


def _birthday(stored: Any) -> Birthday | None:
    if not stored:
        return None
    month, day = stored
    return Birthday(int(month), int(day))


def birthday_pk(month: int, day: int) -> str:
    return f"BIRTHDAYS#{month:02d}-{day:02d}"


def customers_born_on(month: int, day: int) -> Iterator[str]:
    """The ids of customers with this birthday: a Query of their GSI1 partition, paged by
    DynamoDB (eventually consistent: a birthday given a moment ago may come a run later)."""
    for item in CustomerItem.gsi1.query(birthday_pk(month, day)):
        if isinstance(item, CustomerItem):
            yield str(item.customer_id)


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
        gsi1pk=None
        if customer.birthday is None
        else birthday_pk(customer.birthday.month, customer.birthday.day),
        gsi1sk=None if customer.birthday is None else customer_pk(customer.id),
    )


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
    return CustomerRecord(customer_from(item), str(item.password_hash), int(item.revision))


def replace_customer(old: CustomerRecord, new: Customer, password_hash: str | None = None) -> None:
    """Write ``new`` over ``old`` if nobody changed it meanwhile; else ``CustomerChanged``."""
    item = _customer_item(new, password_hash or old.password_hash, old.revision + 1)
    try:
        item.save(condition=CustomerItem.revision == old.revision)
    except PutError as exc:
        if failed_condition(exc):
            raise CustomerChanged from None
        raise
