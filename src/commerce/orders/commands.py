"""What staff ask of an order: plain inputs to ``service.py``'s staff use cases."""

from __future__ import annotations

from dataclasses import dataclass

from commerce.money import Money
from commerce.orders.model import Tracking


@dataclass(frozen=True, slots=True)
class CancelOrder:
    """Cancel an unpaid order, for ``reason`` (kept in its history)."""

    order_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class FulfillOrder:
    """Mark a paid order shipped, followed by ``tracking``."""

    order_id: str
    tracking: Tracking


@dataclass(frozen=True, slots=True)
class RefundOrder:
    """Refund ``amount`` of a paid order (None: everything still refundable)."""

    order_id: str
    amount: Money | None
    reason: str
