"""Why a shipping change is refused: the codes clients see in ``userErrors``."""

from __future__ import annotations

import enum


class ShippingErrorCode(enum.Enum):
    """Reasons a shipping zone or rate mutation is refused."""

    NOT_FOUND = "NOT_FOUND"
    INVALID_ID = "INVALID_ID"
    BLANK = "BLANK"
    TOO_LONG = "TOO_LONG"
    INVALID = "INVALID"
    INVALID_COUNTRY = "INVALID_COUNTRY"
    ZONE_COUNTRY_TAKEN = "ZONE_COUNTRY_TAKEN"
    DUPLICATE = "DUPLICATE"
    NEGATIVE = "NEGATIVE"
    TOO_LARGE = "TOO_LARGE"
    TOO_MANY = "TOO_MANY"
    OVERLAPPING_WEIGHT_BANDS = "OVERLAPPING_WEIGHT_BANDS"
    CONCURRENT_UPDATE = "CONCURRENT_UPDATE"
