"""Why the journeys context refuses an input."""

# ruff: noqa: S105 - error codes that mention tokens are not secrets.

from __future__ import annotations

import enum


class JourneyErrorCode(enum.Enum):
    """Codes of ``JourneyUserError`` and of the beacon's 4xx answers."""

    INVALID = "INVALID"
    INVALID_ID = "INVALID_ID"
    INVALID_VISITOR_TOKEN = "INVALID_VISITOR_TOKEN"
    UNKNOWN_EVENT_KIND = "UNKNOWN_EVENT_KIND"
    TOO_MANY_EVENTS = "TOO_MANY_EVENTS"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    FIELD_TOO_LONG = "FIELD_TOO_LONG"
    TIMESTAMP_IN_FUTURE = "TIMESTAMP_IN_FUTURE"
    TIMESTAMP_TOO_OLD = "TIMESTAMP_TOO_OLD"
    CONSENT_REQUIRED = "CONSENT_REQUIRED"
    THROTTLED = "THROTTLED"
    CUSTOMER_NOT_FOUND = "CUSTOMER_NOT_FOUND"
    INVALID_DATE_RANGE = "INVALID_DATE_RANGE"
    INVALID_AD_SPEND = "INVALID_AD_SPEND"
    NOT_FITTED = "NOT_FITTED"
    INVALID_CURSOR = "INVALID_CURSOR"
