"""Each product's co-purchase row: its basket count and its strongest partners.

Key (see ``docs/data-model.md``): ``RECS#PRODUCT#<product id> / CO_PURCHASES``, one item
per product, so a product page reads one item and a listing of 50 products one
BatchGetItem. The row is rewritten whole by the training job and, between runs, by the
stream consumer under a version check (two paid orders with a product in common retry
rather than lose a count).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from commerce.db.table import MAX_BATCH_GET_KEYS, TableItem
from commerce.db.writes import WriteSet
from commerce.recommendations.model import ItemCounts, Pair

ROW_SK = "CO_PURCHASES"


def product_pk(product_id: str) -> str:
    return f"RECS#PRODUCT#{product_id}"


class CoPurchaseItem(TableItem, discriminator="CoPurchases"):
    """A product's co-occurrence row: pairs as ``{partner: [together, partner's count]}``."""

    product_id = UnicodeAttribute()
    occurrences = NumberAttribute()
    pairs = JSONAttribute()
    version = VersionAttribute()


@dataclass(frozen=True, slots=True)
class RowRecord:
    """A stored row and the item it came from (whose version a rewrite checks)."""

    counts: ItemCounts
    item: CoPurchaseItem


def _counts(item: CoPurchaseItem) -> ItemCounts:
    raw: dict[str, Any] = item.pairs or {}
    return ItemCounts(
        occurrences=int(item.occurrences),
        pairs={pid: Pair(int(v[0]), int(v[1])) for pid, v in raw.items()},
    )


def _item(product_id: str, counts: ItemCounts) -> CoPurchaseItem:
    return CoPurchaseItem(
        pk=product_pk(product_id),
        sk=ROW_SK,
        product_id=product_id,
        occurrences=counts.occurrences,
        pairs={pid: [p.together, p.partner_occurrences] for pid, p in counts.pairs.items()},
    )


def get_rows(product_ids: Sequence[str]) -> dict[str, RowRecord]:
    """Rows by product id through BatchGetItem (100 keys a call); products never bought
    are absent."""
    keys = [(product_pk(pid), ROW_SK) for pid in dict.fromkeys(product_ids)]
    found: dict[str, RowRecord] = {}
    for start in range(0, len(keys), MAX_BATCH_GET_KEYS):
        for item in CoPurchaseItem.batch_get(keys[start : start + MAX_BATCH_GET_KEYS]):
            found[item.product_id] = RowRecord(_counts(item), item)
    return found


def add_row_changes(
    writes: WriteSet, before: Mapping[str, RowRecord], after: Mapping[str, ItemCounts]
) -> None:
    """Add each row of ``after`` to ``writes``: a versioned rewrite of a stored row, or a
    new row that must not exist yet (a concurrent first write makes the caller retry)."""
    for product_id, counts in after.items():
        new = _item(product_id, counts)
        old = before.get(product_id)
        if old is None:
            writes.put(new, CoPurchaseItem.pk.does_not_exist(), label="row unchanged")
        else:
            new.version = old.item.version
            writes.put(new, label="row unchanged")


def replace_rows(rows: Iterable[tuple[str, ItemCounts]]) -> int:
    """Write rows whole (the training job), 25 a request; the number written."""
    written = 0
    with CoPurchaseItem.batch_write() as batch:
        for product_id, counts in rows:
            batch.save(_item(product_id, counts))
            written += 1
    return written
