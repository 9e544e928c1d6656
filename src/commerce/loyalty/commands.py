"""The loyalty use cases' inputs, checked where they are built. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from commerce.loyalty.errors import LoyaltyErrorCode as Code
from commerce.loyalty.model import MAX_POINTS, MAX_REASON, LoyaltySettings, settings_problems
from commerce.money import Money
from commerce.problems import Problem


@dataclass(frozen=True, slots=True)
class AdjustPoints:
    """Staff add (positive) or take (negative) points, saying why."""

    customer_id: str
    points: int
    reason: str


def adjust_problems(points: int, reason: str) -> list[Problem]:
    """A non-zero number of points within bounds and a reason of at most MAX_REASON."""
    found: list[Problem] = []
    if points == 0 or abs(points) > MAX_POINTS:
        found.append(
            Problem(Code.INVALID_POINTS, f"Give 1 to {MAX_POINTS} points, or minus", ("points",))
        )
    if not reason.strip() or len(reason) > MAX_REASON:
        found.append(
            Problem(Code.REASON_REQUIRED, f"Say why, in 1 to {MAX_REASON} characters", ("reason",))
        )
    return found


def check_settings(settings: LoyaltySettings) -> list[Problem]:
    """The rules' problems as ``INVALID_SETTINGS`` user errors."""
    return [Problem(Code.INVALID_SETTINGS, text, ()) for text in settings_problems(settings)]


@dataclass(frozen=True, slots=True)
class PaidGoods:
    """What earning needs of a paid order: its goods net of every discount (no shipping,
    no tax), who bought, when it was paid."""

    order_id: str
    customer_id: str
    goods: Money
    paid_at: datetime


@dataclass(frozen=True, slots=True)
class OrderRefund:
    """An order's refunds so far: ``refunded`` of ``paid`` (cumulative, minor units)."""

    order_id: str
    customer_id: str
    goods: Money
    refunded: int
    paid: int
