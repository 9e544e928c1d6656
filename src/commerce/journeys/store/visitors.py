"""Visitors, their consent, and the customers they were found to be.

Keys (see ``docs/data-model.md``):

- ``VISITOR#<visitor id> / PROFILE``: when the visitor was first seen, its analytics
  consent (true, false, or absent: never asked) and the customer it was stitched to.
- ``JOURNEY#CUSTOMER#<customer id> / VISITOR#<visitor id>``: one per visitor stitched to
  the customer, so a customer's journey (every visitor's events) is one Query, and an
  erasure finds every visitor to delete.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute, UTCDateTimeAttribute

from commerce.db.table import TableItem
from commerce.db.writes import WriteSet
from commerce.journeys.model import Visitor

PROFILE_SK = "PROFILE"


class VisitorItem(TableItem, discriminator="Visitor"):
    """One visitor's profile."""

    created_at = UTCDateTimeAttribute()
    consent = BooleanAttribute(null=True)
    customer_id = UnicodeAttribute(null=True)


class CustomerVisitorItem(TableItem, discriminator="CustomerVisitor"):
    """A visitor stitched to a customer."""

    visitor_id = UnicodeAttribute()
    linked_at = UTCDateTimeAttribute()


def visitor_pk(visitor_id: str) -> str:
    return f"VISITOR#{visitor_id}"


def customer_journey_pk(customer_id: str) -> str:
    return f"JOURNEY#CUSTOMER#{customer_id}"


def customer_visitor_sk(visitor_id: str) -> str:
    return f"VISITOR#{visitor_id}"


def _visitor(visitor_id: str, item: VisitorItem) -> Visitor:
    return Visitor(
        id=visitor_id,
        created_at=item.created_at,
        consent=item.consent,
        customer_id=item.customer_id,
    )


def get_visitor(visitor_id: str) -> Visitor | None:
    """The visitor's profile; None before its first write."""
    try:
        item = VisitorItem.get(visitor_pk(visitor_id), PROFILE_SK)
    except VisitorItem.DoesNotExist:
        return None
    return _visitor(visitor_id, item)


def put_visitor(writes: WriteSet, visitor: Visitor) -> None:
    """Write the profile whole (first sight, consent, stitching)."""
    writes.put(
        VisitorItem(
            pk=visitor_pk(visitor.id),
            sk=PROFILE_SK,
            created_at=visitor.created_at,
            consent=visitor.consent,
            customer_id=visitor.customer_id,
        ),
        label="visitor",
    )


def link_customer(writes: WriteSet, customer_id: str, visitor_id: str, at: datetime) -> None:
    writes.put(
        CustomerVisitorItem(
            pk=customer_journey_pk(customer_id),
            sk=customer_visitor_sk(visitor_id),
            visitor_id=visitor_id,
            linked_at=at,
        ),
        label="link",
    )


def unlink_customer(writes: WriteSet, customer_id: str, visitor_id: str) -> None:
    writes.delete(
        CustomerVisitorItem(pk=customer_journey_pk(customer_id), sk=customer_visitor_sk(visitor_id))
    )


def visitors_of(customer_id: str) -> list[str]:
    """Every visitor stitched to the customer (one strongly consistent Query)."""
    items = CustomerVisitorItem.query(
        customer_journey_pk(customer_id),
        CustomerVisitorItem.sk.startswith("VISITOR#"),
        consistent_read=True,
    )
    return [item.visitor_id for item in items if isinstance(item, CustomerVisitorItem)]


def delete_visitor(visitor_id: str) -> bool:
    """Remove the profile; True when there was one."""
    item = VisitorItem(pk=visitor_pk(visitor_id), sk=PROFILE_SK)
    found = get_visitor(visitor_id) is not None
    item.delete()
    return found


def delete_links(customer_id: str, visitor_ids: list[str]) -> None:
    with CustomerVisitorItem.batch_write() as batch:
        for visitor_id in visitor_ids:
            batch.delete(
                CustomerVisitorItem(
                    pk=customer_journey_pk(customer_id), sk=customer_visitor_sk(visitor_id)
                )
            )
