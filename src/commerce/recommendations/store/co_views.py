"""Each product's co-view row: the products its viewers viewed too, with how many did.

Key (see ``docs/data-model.md``): ``RECS#PRODUCT#<product id> / CO_VIEWS``, beside the
product's co-purchase row, so a product page's related list reads one item and a
listing's lists one BatchGetItem. Rewritten whole under a version check when a view
adds pairs (two shoppers viewing at once make one retry rather than lose a count).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, VersionAttribute

from commerce.db.table import MAX_BATCH_GET_KEYS, TableItem
from commerce.db.writes import WriteSet
from commerce.recommendations.store.co_purchases import product_pk

ROW_SK = "CO_VIEWS"
UNCHANGED = "co-view row unchanged"


class CoViewItem(TableItem, discriminator="CoViews"):
    """A product's co-view row: ``{partner: shoppers who viewed both}``."""

    product_id = UnicodeAttribute()
    partners = JSONAttribute()
    version = VersionAttribute()


@dataclass(frozen=True, slots=True)
class CoViewRecord:
    """A stored row and the item it came from (whose version a rewrite checks)."""

    counts: Mapping[str, int]
    item: CoViewItem


def get_rows(product_ids: Sequence[str]) -> dict[str, CoViewRecord]:
    """Rows by product id through BatchGetItem (100 keys a call); never co-viewed
    products are absent."""
    keys = [(product_pk(pid), ROW_SK) for pid in dict.fromkeys(product_ids)]
    found: dict[str, CoViewRecord] = {}
    for start in range(0, len(keys), MAX_BATCH_GET_KEYS):
        for item in CoViewItem.batch_get(keys[start : start + MAX_BATCH_GET_KEYS]):
            raw = item.partners or {}
            found[item.product_id] = CoViewRecord({k: int(v) for k, v in raw.items()}, item)
    return found


def add_row_changes(
    writes: WriteSet, before: Mapping[str, CoViewRecord], after: Mapping[str, Mapping[str, int]]
) -> None:
    """A versioned rewrite of each stored row of ``after``, a conditional put of each new
    one; a concurrent change fails ``UNCHANGED``."""
    for product_id, counts in after.items():
        new = CoViewItem(
            pk=product_pk(product_id), sk=ROW_SK, product_id=product_id, partners=dict(counts)
        )
        old = before.get(product_id)
        if old is None:
            writes.put(new, CoViewItem.pk.does_not_exist(), label=UNCHANGED)
        else:
            new.version = old.item.version
            writes.put(new, label=UNCHANGED)
