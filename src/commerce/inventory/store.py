"""Stock counters and their history in the single table.

Keys (see ``docs/data-model.md``):

- ``PRODUCT#<id> / STOCK#<variant>``: the counter. The catalog creates and deletes it with
  its variant (``catalog.store.StockItem``); every change of its count is made here, as an
  UpdateItem inside a transaction, so concurrent writers never lose a unit.
- ``STOCKLOG#<product>#<variant> / <change id>``: one staff change. A partition of its own,
  not the product's, so reading a product never drags its growing history along; change
  ids sort by time, so one Query (newest first) pages through it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from commerce.catalog.store import CATALOG_PARTITION, StockItem, product_pk, stock_sk
from commerce.db.table import TableItem
from commerce.db.writes import ConditionsFailed, WriteSet
from commerce.ids import is_id
from commerce.inventory.model import StockChange, StockChangeKind, StockHistoryPage

# A variant's stock as the API names it: (product id, variant id).
VariantKey = tuple[str, str]


def history_pk(product_id: str, variant_id: str) -> str:
    return f"STOCKLOG#{product_id}#{variant_id}"


def stock_label(product_id: str, variant_id: str) -> str:
    """The WriteSet label of a variant's counter: a failed condition names the variant."""
    return f"stock:{product_id}.{variant_id}"


def variant_of_label(label: str) -> VariantKey | None:
    """The variant a ``stock_label`` names, or None for other labels."""
    if not label.startswith("stock:"):
        return None
    product_id, _, variant_id = label.removeprefix("stock:").partition(".")
    return product_id, variant_id


class StockChangeItem(TableItem, discriminator="StockChange"):
    """One staff change of a variant's stock."""

    change_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    variant_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    delta = NumberAttribute()
    available = NumberAttribute()
    reason = UnicodeAttribute()
    actor = UnicodeAttribute()
    at = UTCDateTimeAttribute()


class LevelChanged(Exception):
    """The level moved since it was read (a checkout, another staff change): read again."""


def _counter(product_id: str, variant_id: str) -> StockItem:
    return StockItem(pk=product_pk(product_id), sk=stock_sk(variant_id))


def get_level(product_id: str, variant_id: str) -> int | None:
    """The level now (strongly consistent); None when the variant has no counter."""
    try:
        item = StockItem.get(product_pk(product_id), stock_sk(variant_id), consistent_read=True)
    except StockItem.DoesNotExist:
        return None
    return int(item.available)


def record_change(change: StockChange, previous: int | None) -> None:
    """Move the level from ``previous`` to ``change.available`` and log it, or nothing.

    A compare-and-swap on the count: a checkout that took a unit meanwhile makes this
    fail with ``LevelChanged`` rather than silently undo the sale.
    """
    writes = WriteSet()
    if previous is None:
        # A physical variant always has a counter; one missing is made here, as catalog would.
        counter = StockItem(
            pk=product_pk(change.product_id),
            sk=stock_sk(change.variant_id),
            gsi1pk=CATALOG_PARTITION,
            gsi1sk=stock_sk(change.variant_id),
            product_id=change.product_id,
            variant_id=change.variant_id,
            available=change.available,
        )
        writes.put(counter, StockItem.pk.does_not_exist(), label="level")
    else:
        writes.update(
            _counter(change.product_id, change.variant_id),
            [StockItem.available.set(change.available)],
            StockItem.pk.exists() & (StockItem.available == previous),
            label="level",
        )
    writes.put(
        StockChangeItem(
            pk=history_pk(change.product_id, change.variant_id),
            sk=change.id,
            change_id=change.id,
            product_id=change.product_id,
            variant_id=change.variant_id,
            kind=change.kind.value,
            delta=change.delta,
            available=change.available,
            reason=change.reason,
            actor=change.actor,
            at=change.at,
        ),
        StockChangeItem.pk.does_not_exist(),
        label="history",
    )
    try:
        writes.commit()
    except ConditionsFailed:
        raise LevelChanged from None


def history(product_id: str, variant_id: str, first: int, after: str | None) -> StockHistoryPage:
    """Up to ``first`` changes, newest first, after the change a cursor names."""
    condition = None if after is None else StockChangeItem.sk < after
    items = list(
        StockChangeItem.query(
            history_pk(product_id, variant_id),
            range_key_condition=condition,
            scan_index_forward=False,
            limit=first + 1,
        )
    )
    changes = tuple(_change(item) for item in items[:first])
    more = len(items) > first
    return StockHistoryPage(changes, changes[-1].id if more and changes else None)


def _change(item: StockChangeItem) -> StockChange:
    return StockChange(
        id=item.change_id,
        product_id=item.product_id,
        variant_id=item.variant_id,
        kind=StockChangeKind(item.kind),
        delta=int(item.delta),
        available=int(item.available),
        reason=item.reason,
        actor=item.actor,
        at=item.at,
    )


def encode_cursor(change_id: str) -> str:
    """An opaque cursor for a change id."""
    return base64.urlsafe_b64encode(f"stock:{change_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str | None:
    """The change id inside a cursor, or None when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeError, ValueError):
        return None
    prefix, _, change_id = raw.partition(":")
    return change_id if prefix == "stock" and is_id(change_id) else None


# -- checkout's stock movements ------------------------------------------------------------


def add_takes(writes: WriteSet, quantities: Mapping[VariantKey, int]) -> None:
    """Decrement each counter by its quantity, on condition that many are available."""
    for (product_id, variant_id), quantity in quantities.items():
        writes.update(
            _counter(product_id, variant_id),
            [StockItem.available.add(-quantity)],
            StockItem.pk.exists() & (StockItem.available >= quantity),
            label=stock_label(product_id, variant_id),
        )


def add_returns(writes: WriteSet, quantities: Mapping[VariantKey, int]) -> None:
    """Increment each counter; a counter that no longer exists (variant deleted) fails."""
    for (product_id, variant_id), quantity in quantities.items():
        writes.update(
            _counter(product_id, variant_id),
            [StockItem.available.add(quantity)],
            StockItem.pk.exists(),
            label=stock_label(product_id, variant_id),
        )
