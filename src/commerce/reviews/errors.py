"""Why the reviews context refuses an input."""

# ruff: noqa: S105 - error codes that mention tokens are not secrets.

from __future__ import annotations

import enum


class ReviewErrorCode(enum.Enum):
    """Codes of ``ReviewUserError`` (reviews, votes, moderation, replies, order feedback)."""

    INVALID_ID = "INVALID_ID"
    INVALID_RATING = "INVALID_RATING"
    BLANK = "BLANK"
    TOO_LONG = "TOO_LONG"
    # The order is unknown or is someone else's: the same answer, so ids reveal nothing.
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
    # Not paid, cancelled, expired or fully refunded.
    ORDER_NOT_ELIGIBLE = "ORDER_NOT_ELIGIBLE"
    PRODUCT_NOT_PURCHASED = "PRODUCT_NOT_PURCHASED"
    ALREADY_REVIEWED = "ALREADY_REVIEWED"
    # Unknown, not the caller's own (edits), or not shown (votes): the same answer.
    REVIEW_NOT_FOUND = "REVIEW_NOT_FOUND"
    REASON_REQUIRED = "REASON_REQUIRED"
    POLICY_REQUIRED = "POLICY_REQUIRED"
    ALREADY_IN_STATE = "ALREADY_IN_STATE"
    ALREADY_VOTED = "ALREADY_VOTED"
    OWN_REVIEW = "OWN_REVIEW"
    VOTER_REQUIRED = "VOTER_REQUIRED"
    INVALID_VISITOR_TOKEN = "INVALID_VISITOR_TOKEN"
    NOTHING_TO_CHANGE = "NOTHING_TO_CHANGE"
    FEEDBACK_ALREADY_SUBMITTED = "FEEDBACK_ALREADY_SUBMITTED"
    CONCURRENT_UPDATE = "CONCURRENT_UPDATE"
