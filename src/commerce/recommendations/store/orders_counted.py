"""Which paid orders the stream consumer has counted, so a redelivered record counts once.

Key (see ``docs/data-model.md``): ``RECS#ORDER#<order id> / COUNTED``, written with
``attribute_not_exists`` in the same transaction as the counts it made; ``ttl`` after
the stream's retention (24 hours) with a wide margin.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute

from commerce.db.table import TableItem
from commerce.db.writes import WriteSet

COUNTED_SK = "COUNTED"
COUNTED_LABEL = "order not counted yet"


def order_pk(order_id: str) -> str:
    return f"RECS#ORDER#{order_id}"


class CountedOrderItem(TableItem, discriminator="RecommendationOrderCounted"):
    order_id = UnicodeAttribute()


def add_counted(writes: WriteSet, order_id: str, expires: datetime) -> None:
    """Claim the order; counted already fails ``COUNTED_LABEL``."""
    item = CountedOrderItem(pk=order_pk(order_id), sk=COUNTED_SK, order_id=order_id, ttl=expires)
    writes.put(item, CountedOrderItem.pk.does_not_exist(), label=COUNTED_LABEL)
