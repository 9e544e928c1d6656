"""Why a stock change is refused (the codes clients see in ``userErrors``)."""

from __future__ import annotations

import enum


class InventoryErrorCode(enum.Enum):
    """Reasons ``inventorySet`` / ``inventoryAdjust`` refuse their input."""

    INVALID_ID = "INVALID_ID"
    VARIANT_NOT_FOUND = "VARIANT_NOT_FOUND"
    STOCK_NOT_TRACKED = "STOCK_NOT_TRACKED"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    NEGATIVE_STOCK = "NEGATIVE_STOCK"
    REASON_REQUIRED = "REASON_REQUIRED"
    TOO_LONG = "TOO_LONG"
    CONCURRENT_UPDATE = "CONCURRENT_UPDATE"
