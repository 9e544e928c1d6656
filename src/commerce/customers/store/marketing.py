"""Marketing facts: ``CUSTOMER#<id> / MARKETING`` holds staff tags and purchase counts.

Apart from the profile: orders count a payment with one ADD, and neither write races the
customer's own profile changes. Created by its first update.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)

from commerce.customers.model import Customer, PurchaseHistory
from commerce.customers.store import customer_pk
from commerce.customers.store.profiles import PROFILE_SK, CustomerItem, customer_from
from commerce.db.table import TableItem
from commerce.db.writes import WriteSet

MARKETING_SK = "MARKETING"


class MarketingItem(TableItem, discriminator="CustomerMarketing"):
    """Staff tags and the purchase counts segments derive from."""

    tags = UnicodeSetAttribute(null=True)
    paid_orders = NumberAttribute(null=True)
    last_paid_at = UTCDateTimeAttribute(null=True)
    # Loyalty tiers to come: ``[[segment, until ISO or null], ...]`` (loyalty writes it).
    tiers = JSONAttribute(null=True)


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
            profile = customer_from(item)
        elif isinstance(item, MarketingItem):
            tags = frozenset(item.tags or ())
            tiers = tuple(
                (str(segment), None if until is None else datetime.fromisoformat(until))
                for segment, until in (item.tiers or [])
            )
            history = PurchaseHistory(int(item.paid_orders or 0), item.last_paid_at, tiers)
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


def record_tiers(
    writes: WriteSet, customer_id: str, tiers: tuple[tuple[str, datetime | None], ...]
) -> None:
    """Replace the customer's loyalty tiers to come, in another use case's transaction."""
    writes.update(
        MarketingItem(pk=customer_pk(customer_id), sk=MARKETING_SK),
        [
            MarketingItem.tiers.set(
                [
                    [segment, None if until is None else until.isoformat()]
                    for segment, until in tiers
                ]
            ),
            MarketingItem.entity.set(MarketingItem),
        ],
    )
