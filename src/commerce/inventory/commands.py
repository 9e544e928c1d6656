"""What staff ask inventory to do: plain inputs to ``service.py``'s use cases."""

from __future__ import annotations

from dataclasses import dataclass

from commerce.inventory.model import VariantKey


@dataclass(frozen=True, slots=True)
class SetLevel:
    """A stock count: the level becomes exactly ``available``."""

    variant: VariantKey
    available: int
    reason: str


@dataclass(frozen=True, slots=True)
class AdjustLevel:
    """Units received (``delta`` > 0) or lost (< 0)."""

    variant: VariantKey
    delta: int
    reason: str
