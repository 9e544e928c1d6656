"""Why a customer account change is refused (the codes clients see in ``userErrors``)."""

# ruff: noqa: S105 - error codes that mention passwords and tokens are not secrets.

from __future__ import annotations

import enum


class CustomerErrorCode(enum.Enum):
    """Reasons a customer mutation is refused."""

    BLANK = "BLANK"
    INVALID = "INVALID"
    TOO_LONG = "TOO_LONG"
    TOO_SHORT = "TOO_SHORT"
    PASSWORD_TOO_COMMON = "PASSWORD_TOO_COMMON"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    # One code for an unknown email and a wrong password: telling them apart would let
    # anyone find out who has an account.
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    INVALID_REFRESH_TOKEN = "INVALID_REFRESH_TOKEN"
    REFRESH_TOKEN_REUSED = "REFRESH_TOKEN_REUSED"
    INVALID_RESET_TOKEN = "INVALID_RESET_TOKEN"
    ADDRESS_NOT_FOUND = "ADDRESS_NOT_FOUND"
    TOO_MANY_ADDRESSES = "TOO_MANY_ADDRESSES"
    CONCURRENT_UPDATE = "CONCURRENT_UPDATE"
    TOO_MANY_TAGS = "TOO_MANY_TAGS"
    CUSTOMER_NOT_FOUND = "CUSTOMER_NOT_FOUND"
    SEGMENT_NOT_FOUND = "SEGMENT_NOT_FOUND"
    SEGMENT_HANDLE_TAKEN = "SEGMENT_HANDLE_TAKEN"
    TOO_MANY_SEGMENTS = "TOO_MANY_SEGMENTS"
    INVALID_REFERRAL_CODE = "INVALID_REFERRAL_CODE"
