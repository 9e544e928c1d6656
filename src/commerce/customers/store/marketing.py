"""Marketing facts: ``CUSTOMER#<id> / MARKETING`` holds staff tags and purchase counts.

Apart from the profile: orders count a payment with one ADD, and neither write races the
customer's own profile changes. Created by its first update. The events function adds
each paid order's value and what it bought from; ``CUSTOMER#<id> / PAIDVALUE#<order>``
says how much of that order is counted, so a redelivered record or a refund changes the
lifetime value by the difference only, in one transaction with the marker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from commerce.customers.model import Customer, PurchaseHistory
from commerce.customers.store import customer_pk
from commerce.customers.store.profiles import PROFILE_SK, CustomerItem, customer_from
from commerce.customers.store.segments import (
    RULES_SK,
    SEGMENTS_PK,
    SegmentRulesItem,
    rules_from,
)
from commerce.db.table import TableItem
from commerce.db.writes import ConditionsFailed, WriteSet
from commerce.money import Currency
from commerce.pricing.segments import SegmentRule

MARKETING_SK = "MARKETING"
VALUE_PREFIX = "PAIDVALUE#"
_RETRIES = 5


class MarketingItem(TableItem, discriminator="CustomerMarketing"):
    """Staff tags and the purchase counts segments derive from."""

    tags = UnicodeSetAttribute(null=True)
    paid_orders = NumberAttribute(null=True)
    last_paid_at = UTCDateTimeAttribute(null=True)
    # Net paid value per currency code, minor units; and what was bought from.
    lifetime_value = JSONAttribute(null=True)
    bought_series = UnicodeSetAttribute(null=True)
    bought_authors = UnicodeSetAttribute(null=True)
    bought_collections = UnicodeSetAttribute(null=True)
    # Compare-and-swap of ``lifetime_value`` (a map is rewritten whole).
    facts_version = NumberAttribute(null=True)
    # Loyalty tiers to come: ``[[segment, until ISO or null], ...]`` (loyalty writes it).
    tiers = JSONAttribute(null=True)


class OrderValueItem(TableItem, discriminator="CustomerOrderValue"):
    """How much of one paid order the customer's lifetime value counts now."""

    order_id = UnicodeAttribute()
    currency = UnicodeAttribute()
    counted = NumberAttribute()


@dataclass(frozen=True, slots=True)
class MarketingFacts:
    """A customer's profile, tags and purchases, and the store's rule segments."""

    customer: Customer
    tags: frozenset[str]
    history: PurchaseHistory
    rules: tuple[SegmentRule, ...]


def _history(item: MarketingItem) -> PurchaseHistory:
    raw = item.lifetime_value or {}
    tiers = tuple(
        (str(segment), None if until is None else datetime.fromisoformat(until))
        for segment, until in (item.tiers or [])
    )
    return PurchaseHistory(
        int(item.paid_orders or 0),
        item.last_paid_at,
        {Currency(code): int(amount) for code, amount in raw.items()},
        frozenset(item.bought_series or ()),
        frozenset(item.bought_authors or ()),
        frozenset(item.bought_collections or ()),
        tiers=tiers,
    )


def marketing_facts(customer_id: str) -> MarketingFacts | None:
    """The profile, tags and purchase history of a customer with the rule segments: one
    BatchGetItem."""
    pk = customer_pk(customer_id)
    profile: Customer | None = None
    tags: frozenset[str] = frozenset()
    history = PurchaseHistory()
    rules: tuple[SegmentRule, ...] = ()
    keys = [(pk, PROFILE_SK), (pk, MARKETING_SK), (SEGMENTS_PK, RULES_SK)]
    for item in TableItem.batch_get(keys, consistent_read=True):
        if isinstance(item, CustomerItem):
            profile = customer_from(item)
        elif isinstance(item, MarketingItem):
            tags = frozenset(item.tags or ())
            history = _history(item)
        elif isinstance(item, SegmentRulesItem):
            rules, _ = rules_from(item)
    return None if profile is None else MarketingFacts(profile, tags, history, rules)


@dataclass(frozen=True, slots=True)
class BoughtFrom:
    """The series and authors (case-folded) and collection ids of an order's products."""

    series: frozenset[str] = frozenset()
    authors: frozenset[str] = frozenset()
    collections: frozenset[str] = frozenset()


def count_order_value(
    customer_id: str, order_id: str, currency: Currency, net: int, bought: BoughtFrom
) -> bool:
    """Make the customer's lifetime value count ``net`` of this order (what it bought from
    is added the first time); False when it already did. Idempotent and retried on a
    concurrent change of the same customer's facts."""
    pk = customer_pk(customer_id)
    value_sk = f"{VALUE_PREFIX}{order_id}"
    for _ in range(_RETRIES):
        marker: OrderValueItem | None = None
        facts: MarketingItem | None = None
        for item in TableItem.batch_get([(pk, value_sk), (pk, MARKETING_SK)], consistent_read=True):
            if isinstance(item, OrderValueItem):
                marker = item
            elif isinstance(item, MarketingItem):
                facts = item
        counted = None if marker is None else int(marker.counted)
        if counted == net:
            return False
        values = {} if facts is None else dict(facts.lifetime_value or {})
        values[currency.value] = int(values.get(currency.value, 0)) + net - (counted or 0)
        version = 0 if facts is None else int(facts.facts_version or 0)
        writes = WriteSet()
        writes.put(
            OrderValueItem(
                pk=pk, sk=value_sk, order_id=order_id, currency=currency.value, counted=net
            ),
            OrderValueItem.pk.does_not_exist()
            if counted is None
            else OrderValueItem.counted == counted,
        )
        actions: list[Action] = [
            MarketingItem.lifetime_value.set(values),
            MarketingItem.facts_version.set(version + 1),
            MarketingItem.entity.set(MarketingItem),
        ]
        if counted is None:
            for attribute, names in (
                (MarketingItem.bought_series, bought.series),
                (MarketingItem.bought_authors, bought.authors),
                (MarketingItem.bought_collections, bought.collections),
            ):
                if names:
                    actions.append(attribute.add(set(names)))
        unchanged: Condition = (
            MarketingItem.facts_version.does_not_exist()
            if version == 0
            else MarketingItem.facts_version == version
        )
        writes.update(MarketingItem(pk=pk, sk=MARKETING_SK), actions, unchanged)
        try:
            writes.commit()
        except ConditionsFailed:
            continue
        return True
    raise ConditionsFailed(("customer facts unchanged",))


def erase_facts(customer_id: str) -> int:
    """Delete the customer's marketing facts and order-value markers; how many items."""
    pk = customer_pk(customer_id)
    doomed: list[TableItem] = list(
        OrderValueItem.query(pk, OrderValueItem.sk.startswith(VALUE_PREFIX))
    )
    doomed += [i for i in TableItem.batch_get([(pk, MARKETING_SK)]) if isinstance(i, MarketingItem)]
    with TableItem.batch_write() as batch:
        for item in doomed:
            batch.delete(item)
    return len(doomed)


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
