"""Why a staff change to API keys or partners is refused (codes in ``userErrors``)."""

from __future__ import annotations

import enum


class AccessErrorCode(enum.Enum):
    """Reasons an API key or partner mutation is refused."""

    BLANK = "BLANK"
    TOO_LONG = "TOO_LONG"
    INVALID = "INVALID"
    SCOPE_REQUIRED = "SCOPE_REQUIRED"
    # Partners act for themselves; an admin partner key would see every partner's data.
    SCOPE_NOT_ALLOWED = "SCOPE_NOT_ALLOWED"
    PARTNER_NOT_FOUND = "PARTNER_NOT_FOUND"
    EXPIRY_IN_PAST = "EXPIRY_IN_PAST"
    KEY_NOT_FOUND = "KEY_NOT_FOUND"
    # A partner's keys price as PARTNER_API, and only theirs: the channel says who sells.
    CHANNEL_NOT_ALLOWED = "CHANNEL_NOT_ALLOWED"
