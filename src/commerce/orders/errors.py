"""Why an order change is refused (the codes clients see in ``userErrors``)."""

from __future__ import annotations

import enum


class OrderErrorCode(enum.Enum):
    """Reasons a staff order mutation refuses its input."""

    INVALID_ID = "INVALID_ID"
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
    NOT_CANCELLABLE = "NOT_CANCELLABLE"
    NOT_FULFILLABLE = "NOT_FULFILLABLE"
    NOT_REFUNDABLE = "NOT_REFUNDABLE"
    REFUND_EXCEEDS_REMAINING = "REFUND_EXCEEDS_REMAINING"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    REASON_REQUIRED = "REASON_REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID_TRACKING = "INVALID_TRACKING"
    PAYMENT_UNAVAILABLE = "PAYMENT_UNAVAILABLE"
    CONCURRENT_UPDATE = "CONCURRENT_UPDATE"
