"""Why the affiliates context refuses an input."""

from __future__ import annotations

import enum


class AffiliateErrorCode(enum.Enum):
    """Codes of ``AffiliateUserError``."""

    INVALID = "INVALID"
    INVALID_ID = "INVALID_ID"
    INVALID_RATE = "INVALID_RATE"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    PARTNER_NOT_FOUND = "PARTNER_NOT_FOUND"
    CUSTOMER_NOT_BOUND = "CUSTOMER_NOT_BOUND"
    REASON_REQUIRED = "REASON_REQUIRED"
    NOTHING_TO_PAY = "NOTHING_TO_PAY"
    PAYOUT_NOT_FOUND = "PAYOUT_NOT_FOUND"
    PAYOUT_ALREADY_PAID = "PAYOUT_ALREADY_PAID"
    # A payout still collecting entries: finish it with affiliatePayoutCreate first.
    PAYOUT_NOT_FINAL = "PAYOUT_NOT_FINAL"
    REFERENCE_REQUIRED = "REFERENCE_REQUIRED"
    TRANSFER_FAILED = "TRANSFER_FAILED"
    CONFLICT = "CONFLICT"
