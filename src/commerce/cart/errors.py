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
    DELIVERY_OPTION_NOT_AVAILABLE = "DELIVERY_OPTION_NOT_AVAILABLE"
    # cartBundleAdd: no such live promotion; not a bundle of named items; a named item
    # that cannot be sold now (gone, or not priced in the cart's currency).
    PROMOTION_NOT_FOUND = "PROMOTION_NOT_FOUND"
    NOT_A_BUNDLE = "NOT_A_BUNDLE"
    BUNDLE_NOT_AVAILABLE = "BUNDLE_NOT_AVAILABLE"
    AFFILIATE_NOT_FOUND = "AFFILIATE_NOT_FOUND"
    # cartLoyaltyPointsApply: a guest's cart, or more points than the balance.
    CUSTOMER_CART_REQUIRED = "CUSTOMER_CART_REQUIRED"
    INSUFFICIENT_POINTS = "INSUFFICIENT_POINTS"
    INVALID_POINTS = "INVALID_POINTS"


class CartWarningCode(enum.Enum):
    """Why a line in a cart cannot be bought right now; the line stays in the cart."""

    MERCHANDISE_NOT_FOUND = "MERCHANDISE_NOT_FOUND"
    NOT_PRICED_IN_CURRENCY = "NOT_PRICED_IN_CURRENCY"
    OUT_OF_STOCK = "OUT_OF_STOCK"


class CheckoutIssueCode(enum.Enum):
    """What a cart still lacks before it can be checked out (the cart keeps its lines)."""

    CART_EMPTY = "CART_EMPTY"
    SHIPPING_ADDRESS_REQUIRED = "SHIPPING_ADDRESS_REQUIRED"
    SHIPPING_NOT_AVAILABLE = "SHIPPING_NOT_AVAILABLE"
    DELIVERY_OPTION_REQUIRED = "DELIVERY_OPTION_REQUIRED"
    DELIVERY_OPTION_UNAVAILABLE = "DELIVERY_OPTION_UNAVAILABLE"
