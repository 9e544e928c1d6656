"""Attribution: how much of an order's value each marketing touch of its journey earned.

Pure domain logic (an import-linter contract forbids I/O frameworks here): the journeys
context stores touches and orders and calls these functions. Models and their sources:
``docs/decisions/0011-attribution-models.md``.
"""

from commerce.attribution.allocation import allocate
from commerce.attribution.credit import (
    DEFAULT_HALF_LIFE,
    credit,
    credit_all,
    credit_all_with_notes,
    credit_with_note,
    fit,
    refund_shares,
)
from commerce.attribution.journey import DEFAULT_LOOKBACK, DEFAULT_MAX_TOUCHES, journey
from commerce.attribution.model import (
    DIRECT,
    Credit,
    Model,
    Path,
    PathCounts,
    Touch,
    Weights,
    channel_path,
    normalised,
)

__all__ = [
    "DEFAULT_HALF_LIFE",
    "DEFAULT_LOOKBACK",
    "DEFAULT_MAX_TOUCHES",
    "DIRECT",
    "Credit",
    "Model",
    "Path",
    "PathCounts",
    "Touch",
    "Weights",
    "allocate",
    "channel_path",
    "credit",
    "credit_all",
    "credit_all_with_notes",
    "credit_with_note",
    "fit",
    "journey",
    "normalised",
    "refund_shares",
]
