"""Why a catalog change is refused: the codes clients see in ``userErrors``."""

from __future__ import annotations

import enum


class CatalogErrorCode(enum.Enum):
    """Reasons a catalog mutation is refused."""

    NOT_FOUND = "NOT_FOUND"
    INVALID_ID = "INVALID_ID"
    BLANK = "BLANK"
    TOO_LONG = "TOO_LONG"
    INVALID = "INVALID"
    INVALID_HANDLE = "INVALID_HANDLE"
    HANDLE_TAKEN = "HANDLE_TAKEN"
    SKU_TAKEN = "SKU_TAKEN"
    DUPLICATE = "DUPLICATE"
    NEGATIVE = "NEGATIVE"
    TOO_LARGE = "TOO_LARGE"
    TOO_MANY = "TOO_MANY"
    DIGITAL_HAS_NO_STOCK = "DIGITAL_HAS_NO_STOCK"
    LAST_VARIANT = "LAST_VARIANT"
    CONCURRENT_UPDATE = "CONCURRENT_UPDATE"
