"""Why staff's promotion changes or a code's use were refused: codes for ``userErrors``."""

from __future__ import annotations

import enum


class PromotionErrorCode(enum.Enum):
    """A promotion or discount code change that cannot be made."""

    NOT_FOUND = "NOT_FOUND"
    INVALID_ID = "INVALID_ID"
    NAME_REQUIRED = "NAME_REQUIRED"
    INVALID_PERCENT = "INVALID_PERCENT"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    PERCENT_OR_AMOUNT = "PERCENT_OR_AMOUNT"
    CURRENCY_REQUIRED = "CURRENCY_REQUIRED"
    INVALID_DATES = "INVALID_DATES"
    INVALID_PRIORITY = "INVALID_PRIORITY"
    EMPTY_OFFER = "EMPTY_OFFER"
    TOO_LARGE = "TOO_LARGE"
    INVALID_CODE = "INVALID_CODE"
    CODE_TAKEN = "CODE_TAKEN"
    CODE_UNKNOWN = "CODE_UNKNOWN"
    CODE_USED_UP = "CODE_USED_UP"
    INVALID_LIMIT = "INVALID_LIMIT"
    CONCURRENT_UPDATE = "CONCURRENT_UPDATE"
