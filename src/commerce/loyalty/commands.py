"""The loyalty use cases' inputs, checked where they are built. Pure."""

from __future__ import annotations

import hashlib
import string
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
    # The client's key for this change (None: every request is a change of its own).
    idempotency_key: str | None = None

    def adjustment_id(self, fresh: str) -> str:
        """The id the change is recorded under: the key's SHA-256 when one was sent (so a
        retry finds the first change and the key itself is never stored), else ``fresh``."""
        if self.idempotency_key is None:
            return fresh
        return "key-" + hashlib.sha256(self.idempotency_key.encode()).hexdigest()


MAX_KEY_LENGTH = 255
_KEY_ALPHABET = frozenset(string.ascii_letters + string.digits + "-_.:")


def adjust_problems(points: int, reason: str, idempotency_key: str | None = None) -> list[Problem]:
    """A non-zero number of points within bounds, a reason of at most MAX_REASON, and an
    idempotency key (when sent) of 1 to 255 letters, digits or ``-_.:`` (a UUID fits)."""
    found: list[Problem] = []
    if idempotency_key is not None and (
        not 0 < len(idempotency_key) <= MAX_KEY_LENGTH or not set(idempotency_key) <= _KEY_ALPHABET
    ):
        found.append(
            Problem(
                Code.INVALID_IDEMPOTENCY_KEY,
                f"Give 1 to {MAX_KEY_LENGTH} letters, digits or -_.: (a UUID works)",
                ("idempotencyKey",),
            )
        )
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
