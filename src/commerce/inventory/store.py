"""Stock history in the single table.

The counters themselves (``PRODUCT#<id> / STOCK#<variant>``) are the catalog's: it creates
and deletes them with their variants, and its service adds the count changes inventory
asks for to inventory's unit of work (see ``docs/data-model.md``). Keys here:

- ``STOCKLOG#<product>#<variant> / <change id>``: one staff change. A partition of its own,
  not the product's, so reading a product never drags its growing history along; change
  ids sort by time, so one Query (newest first) pages through it.
"""

from __future__ import annotations

import base64
import binascii

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from commerce.db.table import TableItem
from commerce.db.writes import WriteSet
from commerce.ids import is_id
from commerce.inventory.model import StockChange, StockChangeKind, StockHistoryPage

# The label of a history entry's condition in a unit of work.
HISTORY_LABEL = "history"


def history_pk(product_id: str, variant_id: str) -> str:
    return f"STOCKLOG#{product_id}#{variant_id}"


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


def add_change(writes: WriteSet, change: StockChange) -> None:
    """Log ``change`` in ``writes``, the unit of work that moves the level it explains."""
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
        label=HISTORY_LABEL,
    )


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
