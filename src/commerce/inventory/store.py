"""Stock history in the single table.

The counters themselves (``PRODUCT#<id> / STOCK#<variant>``) are the catalog's: it creates
and deletes them with their variants, and its service adds the count changes inventory
asks for to inventory's unit of work (see ``docs/data-model.md``). Keys here:

- ``STOCKLOG#<product>#<variant> / <change id>``: one staff change. A partition of its own,
  not the product's, so reading a product never drags its growing history along; change
  ids sort by time, so one Query (newest first) pages through it.
- ``STOCKMOVE#<product>#<variant> / <epoch ms, 13 digits>#<token>``: one movement of the
  counter (staff, checkout, release, catalog), with the level it left once known. Stock
  as of a moment is one Query, newest first, from that moment down to the nearest
  stamped level.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import UpdateError

from commerce.db.table import TableItem
from commerce.db.writes import WriteSet
from commerce.ids import is_id
from commerce.inventory.model import (
    MovementKind,
    StockChange,
    StockChangeKind,
    StockHistoryPage,
    StockMovement,
    level_as_of,
)

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


# -- the movement ledger -------------------------------------------------------------------

MOVEMENT_LABEL = "movement"
# How many movements one Query page reads while looking for a stamped level.
_MOVEMENT_PAGE = 50


def movement_pk(product_id: str, variant_id: str) -> str:
    return f"STOCKMOVE#{product_id}#{variant_id}"


def movement_id(at: datetime, token: str) -> str:
    """A sort key that orders movements by time (epoch milliseconds), then by token."""
    return f"{int(at.timestamp() * 1000):013d}#{token}"


def _until(at: datetime) -> str:
    # '~' sorts after every token character, so the bound includes the whole millisecond.
    return f"{int(at.timestamp() * 1000):013d}#~"


class StockMovementItem(TableItem, discriminator="StockMovement"):
    """One change of a variant's counter; ``level`` once the count it left is known."""

    product_id = UnicodeAttribute()
    variant_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    delta = NumberAttribute()
    at = UTCDateTimeAttribute()
    order_id = UnicodeAttribute(null=True)
    level = NumberAttribute(null=True)


def add_movement(writes: WriteSet, movement: StockMovement) -> None:
    """Log ``movement`` in ``writes``, the unit of work that moves the counter."""
    writes.put(_movement_item(movement), StockMovementItem.pk.does_not_exist(), MOVEMENT_LABEL)


def put_movement(movement: StockMovement) -> None:
    """Write one movement alone (the same one again changes nothing: its key is its id)."""
    _movement_item(movement).save()


def _movement_item(movement: StockMovement) -> StockMovementItem:
    return StockMovementItem(
        pk=movement_pk(movement.product_id, movement.variant_id),
        sk=movement.id,
        product_id=movement.product_id,
        variant_id=movement.variant_id,
        kind=movement.kind.value,
        delta=movement.delta,
        at=movement.at,
        order_id=movement.order_id,
        level=movement.level,
    )


def stamp_level(product_id: str, variant_id: str, movement: str, level: int) -> bool:
    """Record the count ``movement`` left; False when no such movement exists."""
    item = StockMovementItem(pk=movement_pk(product_id, variant_id), sk=movement)
    try:
        item.update([StockMovementItem.level.set(level)], condition=StockMovementItem.pk.exists())
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def level_at(product_id: str, variant_id: str, at: datetime) -> int:
    """The count after every movement up to ``at``: one Query, newest first, that stops
    at the nearest stamped level (pages of 50 only while none is stamped)."""
    items = StockMovementItem.query(
        movement_pk(product_id, variant_id),
        StockMovementItem.sk <= _until(at),
        scan_index_forward=False,
        page_size=_MOVEMENT_PAGE,
        consistent_read=True,
    )
    return level_as_of(_movement(item) for item in items)


def movements(product_id: str, variant_id: str) -> list[StockMovement]:
    """Every movement of a variant, oldest first (tests and audits; not a request path)."""
    return [
        _movement(item)
        for item in StockMovementItem.query(
            movement_pk(product_id, variant_id), consistent_read=True
        )
    ]


def _movement(item: StockMovementItem) -> StockMovement:
    return StockMovement(
        id=item.sk,
        product_id=item.product_id,
        variant_id=item.variant_id,
        kind=MovementKind(item.kind),
        delta=int(item.delta),
        at=item.at.astimezone(UTC),
        order_id=item.order_id,
        level=None if item.level is None else int(item.level),
    )
