"""Why a tax change is refused: the codes clients see in ``userErrors``."""

from __future__ import annotations

import enum


class TaxErrorCode(enum.Enum):
    """Reasons a tax rate mutation is refused."""

    NOT_FOUND = "NOT_FOUND"
    INVALID_COUNTRY = "INVALID_COUNTRY"
    INVALID_REGION = "INVALID_REGION"
    NEGATIVE = "NEGATIVE"
    TOO_LARGE = "TOO_LARGE"
    TOO_PRECISE = "TOO_PRECISE"
