"""Stock use cases: staff set and adjust levels; checkout and orders move units.

A staff change reads the level, then writes the new level with a compare-and-swap and
its history entry in one transaction. A checkout that takes a unit in between makes the
swap fail; the change is then re-applied to the fresh level (an adjustment of -2 stays
-2 of whatever is there now), a few times before ``CONCURRENT_UPDATE``.

Checkout and order state changes put their stock movements into the caller's
``WriteSet`` (a unit of work), so the movement commits or fails with the order.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from commerce.catalog.service import CatalogService
from commerce.db.writes import ConditionsFailed, WriteSet
from commerce.ids import new_id
from commerce.inventory import store
from commerce.inventory.commands import AdjustLevel, SetLevel
from commerce.inventory.errors import InventoryErrorCode as Code
from commerce.inventory.model import (
    MovementKind,
    StockChange,
    StockChangeKind,
    StockHistoryPage,
    StockLevel,
    StockMovement,
    VariantKey,
    adjustment_problems,
    check_adjustment,
    check_set,
    stock_label,
    variant_of_label,
)
from commerce.problems import Problem, Rejected

MAX_ATTEMPTS = 10
# The movement of an order paid after its units were given back (orders take them again).
RETAKE = MovementKind.RETAKE
LEVEL_LABEL = "level"
_PAUSE_SECONDS = 0.005


def _utcnow() -> datetime:
    return datetime.now(UTC)


class InventoryService:
    """Stock levels of physical variants, over the catalog's stock counters."""

    def __init__(
        self,
        catalog: CatalogService,
        *,
        clock: Callable[[], datetime] = _utcnow,
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        self._catalog = catalog
        self._clock = clock
        self._pause = pause

    # -- staff ---------------------------------------------------------------------------

    def level(self, product_id: str, variant_id: str) -> StockLevel:
        """The level now; ``Rejected`` for unknown or digital variants."""
        self._require_stocked(product_id, variant_id)
        available = self._catalog.stock_level(product_id, variant_id)
        return StockLevel(product_id, variant_id, available or 0)

    def set_level(self, command: SetLevel, actor: str) -> StockLevel:
        """Make the level ``available`` (a stock count), with the reason logged."""
        problems = check_set(command.available, command.reason)
        if problems:
            raise Rejected(problems)
        return self._change(
            command.variant,
            kind=StockChangeKind.SET,
            new_level=lambda _: command.available,
            reason=command.reason,
            actor=actor,
        )

    def adjust(self, command: AdjustLevel, actor: str) -> StockLevel:
        """Add (or with a negative ``delta`` remove) units, with the reason logged."""
        delta = command.delta
        problems = check_adjustment(delta, command.reason)
        if problems:
            raise Rejected(problems)

        def new_level(current: int) -> int:
            refused = adjustment_problems(current, delta, ("delta",))
            if refused:
                raise Rejected(refused)
            return current + delta

        return self._change(
            command.variant,
            kind=StockChangeKind.ADJUST,
            new_level=new_level,
            reason=command.reason,
            actor=actor,
        )

    def history(
        self, product_id: str, variant_id: str, first: int, after: str | None
    ) -> StockHistoryPage:
        """Staff changes of a level, newest first, a page at a time."""
        self._require_stocked(product_id, variant_id)
        return store.history(product_id, variant_id, first, after)

    # -- checkout and orders -------------------------------------------------------------

    def take(
        self,
        writes: WriteSet,
        quantities: Mapping[VariantKey, int],
        *,
        order_id: str | None = None,
        kind: MovementKind = MovementKind.CHECKOUT,
    ) -> None:
        """Add conditional decrements to ``writes``, each with its ledger movement; a short
        variant fails its stock label."""
        for variant, quantity in quantities.items():
            movement = self._movement(
                writes, variant, kind=kind, delta=-quantity, order_id=order_id
            )
            self._catalog.take_stock(
                writes, variant, quantity, stock_label(variant), movement=movement
            )

    def put_back(
        self, writes: WriteSet, quantities: Mapping[VariantKey, int], *, order_id: str | None = None
    ) -> None:
        """Add increments to ``writes`` for variants whose counters still exist, each with
        its ledger movement."""
        existing = self._catalog.stock(list(quantities))
        for variant, quantity in quantities.items():
            if variant[1] in existing:
                movement = self._movement(
                    writes, variant, kind=MovementKind.RELEASE, delta=quantity, order_id=order_id
                )
                self._catalog.return_stock(
                    writes, variant, quantity, stock_label(variant), movement=movement
                )

    # -- the movement ledger (stock as of any moment) ------------------------------------

    def level_as_of(self, product_id: str, variant_id: str, at: datetime) -> int:
        """The count after every movement up to ``at`` (0 before the first): one Query."""
        return store.level_at(product_id, variant_id, at)

    def movements(self, product_id: str, variant_id: str) -> list[StockMovement]:
        """Every movement of a variant, oldest first."""
        return store.movements(product_id, variant_id)

    def counter_changed(
        self,
        variant: VariantKey,
        *,
        before: int | None,
        after: int | None,
        movement: str | None,
        at: datetime,
        token: str,
    ) -> None:
        """The events function saw a counter change (``None``: no counter before or after).

        A change inventory made names its movement: the count it left is stamped there.
        Any other (the catalog made, imported or removed the counter) becomes a CATALOG
        movement keyed by the stream record, so a redelivered record writes the same one.
        """
        product_id, variant_id = variant
        level = after or 0
        if movement is not None and store.stamp_level(product_id, variant_id, movement, level):
            return
        delta = level - (before or 0)
        if delta == 0:
            return
        store.put_movement(
            StockMovement(
                id=store.movement_id(at, token),
                product_id=product_id,
                variant_id=variant_id,
                kind=MovementKind.CATALOG,
                delta=delta,
                at=at,
                level=level,
            )
        )

    def _movement(
        self,
        writes: WriteSet,
        variant: VariantKey,
        *,
        kind: MovementKind,
        delta: int,
        order_id: str | None,
        level: int | None = None,
    ) -> str:
        now = self._clock()
        movement = StockMovement(
            id=store.movement_id(now, secrets.token_hex(5)),
            product_id=variant[0],
            variant_id=variant[1],
            kind=kind,
            delta=delta,
            at=now,
            order_id=order_id,
            level=level,
        )
        store.add_movement(writes, movement)
        return movement.id

    @staticmethod
    def short_variant(label: str) -> VariantKey | None:
        """The variant whose stock condition a failed ``WriteSet`` label names, if any."""
        return variant_of_label(label)

    # -- helpers -------------------------------------------------------------------------

    def _require_stocked(self, product_id: str, variant_id: str) -> None:
        view = self._catalog.product(product_id, include_unpublished=True)
        variant = None if view is None else view.product.variant(variant_id)
        if variant is None:
            raise Rejected([Problem(Code.VARIANT_NOT_FOUND, "Variant not found", ("variantId",))])
        if not variant.tracks_stock:
            raise Rejected(
                [
                    Problem(
                        Code.STOCK_NOT_TRACKED,
                        "Digital variants have no stock limit",
                        ("variantId",),
                    )
                ]
            )

    def _change(
        self,
        variant: VariantKey,
        *,
        kind: StockChangeKind,
        new_level: Callable[[int], int],
        reason: str,
        actor: str,
    ) -> StockLevel:
        product_id, variant_id = variant
        self._require_stocked(product_id, variant_id)
        for attempt in range(MAX_ATTEMPTS):
            previous = self._catalog.stock_level(product_id, variant_id)
            current = previous or 0
            available = new_level(current)
            now = self._clock()
            change = StockChange(
                id=new_id(int(now.timestamp() * 1000)),
                product_id=product_id,
                variant_id=variant_id,
                kind=kind,
                delta=available - current,
                available=available,
                reason=reason.strip(),
                actor=actor,
                at=now,
            )
            # The new level and its history entry commit together or not at all; a checkout
            # that took a unit since the read fails the swap, and the change is re-applied.
            writes = WriteSet()
            movement = self._movement(
                writes,
                variant,
                kind=MovementKind.STAFF_SET
                if kind is StockChangeKind.SET
                else MovementKind.STAFF_ADJUST,
                delta=available - current,
                order_id=None,
                level=available,
            )
            self._catalog.swap_stock(
                writes, variant, previous, available, LEVEL_LABEL, movement=movement
            )
            store.add_change(writes, change)
            try:
                writes.commit()
            except ConditionsFailed:
                self._pause(_PAUSE_SECONDS * (attempt + 1) * (1 + secrets.randbelow(100) / 100))
                continue
            return StockLevel(product_id, variant_id, available)
        raise Rejected(
            [Problem(Code.CONCURRENT_UPDATE, "The stock is changing fast; read it and retry")]
        )


def encode_cursor(change_id: str) -> str:
    """An opaque history cursor."""
    return store.encode_cursor(change_id)


def decode_cursor(cursor: str) -> str | None:
    """The change id inside a history cursor; None when malformed."""
    return store.decode_cursor(cursor)
