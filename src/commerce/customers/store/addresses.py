"""Saved addresses: ``CUSTOMER#<id> / ADDRESS#<address id>``; one Query reads them all."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError

from commerce.customers.model import AddressFields, CustomerAddress
from commerce.customers.store import customer_pk, failed_condition
from commerce.db.table import TableItem

ADDRESS_PREFIX = "ADDRESS#"

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


class AddressItem(TableItem, discriminator="CustomerAddress"):
    """One saved address of a customer."""

    address_id = UnicodeAttribute()
    body = JSONAttribute()


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


def get_address(customer_id: str, address_id: str) -> CustomerAddress | None:
    """One saved address of this customer (never another customer's)."""
    try:
        item = AddressItem.get(
            customer_pk(customer_id), ADDRESS_PREFIX + address_id, consistent_read=True
        )
    except AddressItem.DoesNotExist:
        return None
    return _address_from(item)


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
        if failed_condition(exc):
            return False
        raise
    return True
