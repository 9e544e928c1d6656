"""Stock levels and their history: plain values and the rules staff changes follow.

The level itself is the catalog's stock counter item (checkout decrements it in its
own transaction); every staff change also writes one history entry in the same
transaction, so the history never disagrees with the level it explains.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from commerce.inventory.errors import InventoryErrorCode as Code
from commerce.problems import Problem
from commerce.variant_refs import VariantRef

# A warehouse count above a million of one book is a typo.
MAX_LEVEL = 1_000_000
MAX_REASON_LENGTH = 500

# A variant's stock as the API names it: (product id, variant id).
VariantKey = tuple[str, str]


class StockChangeKind(enum.Enum):
    """How a level was changed."""

    SET = "SET"
    ADJUST = "ADJUST"


@dataclass(frozen=True, slots=True)
class StockLevel:
    """Units of one physical variant available for sale now."""

    product_id: str
    variant_id: str
    available: int


@dataclass(frozen=True, slots=True)
class StockChange:
    """One staff change of a level: who, when, by how much, to what, and why."""

    id: str
    product_id: str
    variant_id: str
    kind: StockChangeKind
    delta: int
    available: int
    reason: str
    actor: str
    at: datetime


@dataclass(frozen=True, slots=True)
class StockHistoryPage:
    """Newest changes first; ``next_cursor`` is None on the last page."""

    changes: tuple[StockChange, ...]
    next_cursor: str | None


def stock_label(variant: VariantKey) -> str:
    """The unit-of-work label of a variant's counter: a failed condition names the variant."""
    return f"stock:{VariantRef(*variant).local_id}"


def variant_of_label(label: str) -> VariantKey | None:
    """The variant a ``stock_label`` names, or None for other labels."""
    if not label.startswith("stock:"):
        return None
    return VariantRef.parse(label.removeprefix("stock:"))


def check_reason(reason: str, field: tuple[str, ...]) -> list[Problem]:
    """A change needs a reason staff can read later."""
    if not reason.strip():
        return [Problem(Code.REASON_REQUIRED, "Say why the stock changes", field)]
    if len(reason) > MAX_REASON_LENGTH:
        return [Problem(Code.TOO_LONG, f"At most {MAX_REASON_LENGTH} characters", field)]
    return []


def check_level(available: int, field: tuple[str, ...]) -> list[Problem]:
    """A level is 0 to ``MAX_LEVEL`` units."""
    if available < 0:
        return [Problem(Code.NEGATIVE_STOCK, "Stock can't be negative", field)]
    if available > MAX_LEVEL:
        return [Problem(Code.INVALID_QUANTITY, f"At most {MAX_LEVEL} units", field)]
    return []


def check_delta(delta: int, field: tuple[str, ...]) -> list[Problem]:
    """An adjustment changes the level by a non-zero amount within bounds."""
    if delta == 0 or abs(delta) > MAX_LEVEL:
        return [
            Problem(Code.INVALID_QUANTITY, f"Adjust by 1 to {MAX_LEVEL} units, up or down", field)
        ]
    return []


def adjustment_problems(level: int, delta: int, field: tuple[str, ...]) -> list[Problem]:
    """Why ``level + delta`` is not a valid level (below 0, above the maximum)."""
    result = level + delta
    if result < 0:
        return [
            Problem(
                Code.NEGATIVE_STOCK,
                f"Only {level} in stock: can't take away {-delta}",
                field,
            )
        ]
    return check_level(result, field)


def check_set(available: int, reason: str) -> list[Problem]:
    """What is wrong with a stock count, before reading anything."""
    return check_level(available, ("available",)) + check_reason(reason, ("reason",))


def check_adjustment(delta: int, reason: str) -> list[Problem]:
    """What is wrong with an adjustment, before reading the level it applies to."""
    return check_delta(delta, ("delta",)) + check_reason(reason, ("reason",))


class MovementKind(enum.Enum):
    """Why a variant's count moved: every change of a counter is one movement."""

    # Staff counted (set) or adjusted the level.
    STAFF_SET = "STAFF_SET"
    STAFF_ADJUST = "STAFF_ADJUST"
    # Checkout took the units of a new order.
    CHECKOUT = "CHECKOUT"
    # An order paid after its units were given back took them again.
    RETAKE = "RETAKE"
    # An unpaid order ended (cancelled, expired, its reservation's TTL): units back.
    RELEASE = "RELEASE"
    # The catalog made, imported or removed the counter (a variant's opening stock).
    CATALOG = "CATALOG"


@dataclass(frozen=True, slots=True)
class StockMovement:
    """One change of one counter, by ``delta`` units.

    ``level`` is the count the change left, once known: staff changes know it when
    they write (a compare-and-swap); a checkout's conditional decrement does not, and
    the events function stamps it from the counter's stream record (which carries the
    count after the change and the movement that made it).
    """

    id: str
    product_id: str
    variant_id: str
    kind: MovementKind
    delta: int
    at: datetime
    order_id: str | None = None
    level: int | None = None


def level_as_of(newest_first: Iterable[StockMovement]) -> int:
    """The count after the newest of ``newest_first``: the nearest stamped level plus the
    deltas after it, or the sum of every delta when none is stamped (stock starts at 0)."""
    pending = 0
    for movement in newest_first:
        if movement.level is not None:
            return movement.level + pending
        pending += movement.delta
    return pending
