"""Failed log-ins per account and per client address, within the current window.

``LOGINFAIL#ACCOUNT#<email> / LOGINFAIL`` and ``LOGINFAIL#CLIENT#IP#<address or /64>``:
``ttl`` is the window's end (reads also compare it, DynamoDB deletes late).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.attributes import NumberAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import UpdateError

from commerce.db.table import TableItem

FAILURES_SK = "LOGINFAIL"


def failures_pk(kind: str, key: str) -> str:
    return f"LOGINFAIL#{kind}#{key}"


class FailuresItem(TableItem, discriminator="LoginFailures"):
    """Failed log-ins of one account or address within the current window."""

    failures = NumberAttribute()
    window_ends = UTCDateTimeAttribute()


@dataclass(frozen=True, slots=True)
class FailureWindow:
    """Failed log-ins counted since a window began, and when it ends."""

    count: int
    ends: datetime


def failures(keys: list[tuple[str, str]], now: datetime) -> dict[tuple[str, str], FailureWindow]:
    """Current windows of failed log-ins for (kind, key) pairs, one BatchGetItem."""
    found: dict[tuple[str, str], FailureWindow] = {}
    by_pk = {failures_pk(kind, key): (kind, key) for kind, key in keys}
    for item in FailuresItem.batch_get([(pk, FAILURES_SK) for pk in by_pk]):
        if isinstance(item, FailuresItem) and item.window_ends > now:
            found[by_pk[str(item.pk)]] = FailureWindow(int(item.failures), item.window_ends)
    return found


def record_failure(kind: str, key: str, now: datetime, window_ends: datetime) -> None:
    """Count one failure in the current window, or start a new window with it."""
    item = FailuresItem(pk=failures_pk(kind, key), sk=FAILURES_SK)
    try:
        item.update(
            actions=[FailuresItem.failures.add(1)],
            condition=FailuresItem.window_ends > now,
        )
        return
    except UpdateError as exc:
        if not _failed_condition(exc):
            raise
    # No window, or an expired one DynamoDB has not deleted yet: start afresh. Two
    # requests racing here may both start one; the count is then one low, which is fine.
    FailuresItem(
        pk=failures_pk(kind, key),
        sk=FAILURES_SK,
        failures=1,
        window_ends=window_ends,
        ttl=window_ends,
    ).save()


def clear_failures(kind: str, key: str) -> None:
    """Forget failures after a successful log-in."""
    FailuresItem(pk=failures_pk(kind, key), sk=FAILURES_SK).delete()


def _failed_condition(exc: UpdateError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"
