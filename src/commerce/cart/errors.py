"""Why a cart change is refused, and why a line cannot be bought as it stands."""

from __future__ import annotations

import enum


class CartErrorCode(enum.Enum):
    """Reasons a cart mutation is refused (the codes clients see in ``userErrors``)."""

    CART_NOT_FOUND = "CART_NOT_FOUND"
    CART_EXPIRED = "CART_EXPIRED"
    INVALID_ID = "INVALID_ID"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    TOO_LARGE = "TOO_LARGE"
    TOO_MANY_LINES = "TOO_MANY_LINES"
    MERCHANDISE_NOT_FOUND = "MERCHANDISE_NOT_FOUND"
    LINE_NOT_FOUND = "LINE_NOT_FOUND"
    INVALID = "INVALID"
    BLANK = "BLANK"
    TOO_LONG = "TOO_LONG"
    CONCURRENT_UPDATE = "CONCURRENT_UPDATE"


class CartWarningCode(enum.Enum):
    """Why a line in a cart cannot be bought right now; the line stays in the cart."""

    MERCHANDISE_NOT_FOUND = "MERCHANDISE_NOT_FOUND"
    NOT_PRICED_IN_CURRENCY = "NOT_PRICED_IN_CURRENCY"
    OUT_OF_STOCK = "OUT_OF_STOCK"
