"""Why a loyalty request was refused, for programs."""

from __future__ import annotations

import enum


class LoyaltyErrorCode(enum.Enum):
    """The codes of loyalty's ``userErrors``."""

    INVALID_ID = "INVALID_ID"
    CUSTOMER_NOT_FOUND = "CUSTOMER_NOT_FOUND"
    INSUFFICIENT_POINTS = "INSUFFICIENT_POINTS"
    INVALID_POINTS = "INVALID_POINTS"
    REASON_REQUIRED = "REASON_REQUIRED"
    INVALID_SETTINGS = "INVALID_SETTINGS"
    CONCURRENT_UPDATE = "CONCURRENT_UPDATE"
    INVALID_IDEMPOTENCY_KEY = "INVALID_IDEMPOTENCY_KEY"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
