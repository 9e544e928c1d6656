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
from commerce.db.writes import WriteSet
from commerce.ids import new_id
from commerce.inventory import store
from commerce.inventory.errors import InventoryErrorCode as Code
from commerce.inventory.model import (
    StockChange,
    StockChangeKind,
    StockHistoryPage,
    StockLevel,
    adjustment_problems,
    check_delta,
    check_level,
    check_reason,
)
from commerce.problems import Problem, Rejected

VariantKey = store.VariantKey
MAX_ATTEMPTS = 10
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
        available = store.get_level(product_id, variant_id)
        return StockLevel(product_id, variant_id, available or 0)

    def set_level(
        self, product_id: str, variant_id: str, available: int, reason: str, actor: str
    ) -> StockLevel:
        """Make the level ``available`` (a stock count), with the reason logged."""
        problems = check_level(available, ("available",)) + check_reason(reason, ("reason",))
        if problems:
            raise Rejected(problems)
        return self._change(
            product_id,
            variant_id,
            kind=StockChangeKind.SET,
            new_level=lambda _: available,
            reason=reason,
            actor=actor,
        )

    def adjust(
        self, product_id: str, variant_id: str, delta: int, reason: str, actor: str
    ) -> StockLevel:
        """Add (or with a negative ``delta`` remove) units, with the reason logged."""
        problems = check_delta(delta, ("delta",)) + check_reason(reason, ("reason",))
        if problems:
            raise Rejected(problems)

        def new_level(current: int) -> int:
            refused = adjustment_problems(current, delta, ("delta",))
            if refused:
                raise Rejected(refused)
            return current + delta

        return self._change(
            product_id,
            variant_id,
            kind=StockChangeKind.ADJUST,
            new_level=new_level,
            reason=reason,
            actor=actor,
        )

    def history(
        self, product_id: str, variant_id: str, first: int, after: str | None
    ) -> StockHistoryPage:
        """Staff changes of a level, newest first, a page at a time."""
        self._require_stocked(product_id, variant_id)
        return store.history(product_id, variant_id, first, after)

    # -- checkout and orders -------------------------------------------------------------

    def take(self, writes: WriteSet, quantities: Mapping[VariantKey, int]) -> None:
        """Add conditional decrements to ``writes``; a short variant fails its stock label."""
        store.add_takes(writes, quantities)

    def put_back(self, writes: WriteSet, quantities: Mapping[VariantKey, int]) -> None:
        """Add increments to ``writes`` for variants whose counters still exist."""
        existing = self._catalog.stock(list(quantities))
        kept = {key: qty for key, qty in quantities.items() if key[1] in existing}
        store.add_returns(writes, kept)

    @staticmethod
    def short_variant(label: str) -> VariantKey | None:
        """The variant whose stock condition a failed ``WriteSet`` label names, if any."""
        return store.variant_of_label(label)

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
        product_id: str,
        variant_id: str,
        *,
        kind: StockChangeKind,
        new_level: Callable[[int], int],
        reason: str,
        actor: str,
    ) -> StockLevel:
        self._require_stocked(product_id, variant_id)
        for attempt in range(MAX_ATTEMPTS):
            previous = store.get_level(product_id, variant_id)
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
            try:
                store.record_change(change, previous)
            except store.LevelChanged:
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
