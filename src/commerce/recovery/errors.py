"""Why the recovery context refuses an input."""

# ruff: noqa: S105 - error codes that mention tokens are not secrets.

from __future__ import annotations

import enum


class RecoveryErrorCode(enum.Enum):
    """Codes of ``RecoveryUserError``."""

    INVALID = "INVALID"
    INVALID_ID = "INVALID_ID"
    INVALID_SETTING = "INVALID_SETTING"
    INVALID_TIME_ZONE = "INVALID_TIME_ZONE"
    INVALID_DEVICE_TOKEN = "INVALID_DEVICE_TOKEN"
    DEVICE_NOT_FOUND = "DEVICE_NOT_FOUND"
    PUSH_NOT_CONFIGURED = "PUSH_NOT_CONFIGURED"
    INVALID_OPT_OUT_LINK = "INVALID_OPT_OUT_LINK"
    OPT_OUT_LINK_EXPIRED = "OPT_OUT_LINK_EXPIRED"
