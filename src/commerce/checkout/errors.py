"""Why a checkout is refused (the codes clients see in ``userErrors``)."""

from __future__ import annotations

import enum


class CheckoutErrorCode(enum.Enum):
    """Reasons ``checkoutComplete`` did not place an order (or could not take payment yet)."""

    INVALID_ID = "INVALID_ID"
    INVALID_IDEMPOTENCY_KEY = "INVALID_IDEMPOTENCY_KEY"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    CART_NOT_FOUND = "CART_NOT_FOUND"
    CART_EXPIRED = "CART_EXPIRED"
    CART_CHANGED = "CART_CHANGED"
    # The cart reports something else it lacks (``message`` says what).
    CART_NOT_READY = "CART_NOT_READY"
    CART_EMPTY = "CART_EMPTY"
    EMAIL_REQUIRED = "EMAIL_REQUIRED"
    SHIPPING_ADDRESS_REQUIRED = "SHIPPING_ADDRESS_REQUIRED"
    SHIPPING_NOT_AVAILABLE = "SHIPPING_NOT_AVAILABLE"
    DELIVERY_OPTION_REQUIRED = "DELIVERY_OPTION_REQUIRED"
    DELIVERY_OPTION_UNAVAILABLE = "DELIVERY_OPTION_UNAVAILABLE"
    MERCHANDISE_NOT_FOUND = "MERCHANDISE_NOT_FOUND"
    NOT_PRICED_IN_CURRENCY = "NOT_PRICED_IN_CURRENCY"
    OUT_OF_STOCK = "OUT_OF_STOCK"
    # A discount code on the cart can no longer be used (remove it to pay full price).
    DISCOUNT_CODE_USED_UP = "DISCOUNT_CODE_USED_UP"
    DISCOUNT_CODE_EXPIRED = "DISCOUNT_CODE_EXPIRED"
    PAYMENT_UNAVAILABLE = "PAYMENT_UNAVAILABLE"
    # The cart spends more loyalty points than the customer has left.
    INSUFFICIENT_POINTS = "INSUFFICIENT_POINTS"
    CONCURRENT_UPDATE = "CONCURRENT_UPDATE"
