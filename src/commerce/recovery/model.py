"""Recovery as the marketers set it up: settings, channels, devices and results.

Pure: frozen dataclasses and checks, no storage, no GraphQL.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import available_timezones

from commerce.problems import Problem
from commerce.recovery.errors import RecoveryErrorCode as Code


class RecoveryChannel(enum.Enum):
    """How a recovery message reaches the shopper."""

    EMAIL = "EMAIL"
    SMS = "SMS"
    PUSH = "PUSH"


class Platform(enum.Enum):
    """A mobile app's push service: Apple's (APNs) or Google's (FCM)."""

    APNS = "APNS"
    FCM = "FCM"


# The order in which channels are tried when the shopper states no preference: email
# costs nothing per message and carries the whole cart; a text or a push is shorter.
CHANNEL_ORDER = (RecoveryChannel.EMAIL, RecoveryChannel.SMS, RecoveryChannel.PUSH)

MAX_AFTER_DAYS = 60
MAX_DWELL_SECONDS = 3600
MAX_CODE_DAYS = 90


@dataclass(frozen=True, slots=True)
class RecoverySettings:
    """What staff set: when to write, how much off, what counts as lingering, how."""

    after_days: int = 3
    percent: Decimal = Decimal(50)
    dwell_seconds: int = 120
    channels: frozenset[RecoveryChannel] = frozenset(RecoveryChannel)
    code_days: int = 7
    # Texts wait while the shopper's local clock is in [quiet_start, quiet_end) hours
    # (wrapping midnight when start > end); equal hours mean no quiet time.
    quiet_start_hour: int = 21
    quiet_end_hour: int = 9
    # For shoppers who told the store no time zone of their own.
    default_time_zone: str = "UTC"
    updated_at: datetime | None = None


def settings_problems(settings: RecoverySettings) -> list[Problem]:
    """Every reason these settings cannot be saved (field paths of the input)."""
    problems: list[Problem] = []

    def bad(name: str, message: str, code: Code = Code.INVALID_SETTING) -> None:
        problems.append(Problem(code, message, (name,)))

    if not 1 <= settings.after_days <= MAX_AFTER_DAYS:
        bad("afterDays", f"Write between 1 and {MAX_AFTER_DAYS} days after the last change")
    if not Decimal(0) < settings.percent <= Decimal(100):
        bad("percent", "The offer is more than 0 and at most 100 percent off")
    elif settings.percent.as_tuple().exponent < -2:  # type: ignore[operator]
        bad("percent", "The offer's percent has at most two decimals")
    if not 1 <= settings.dwell_seconds <= MAX_DWELL_SECONDS:
        bad("dwellSeconds", f"Lingering is between 1 and {MAX_DWELL_SECONDS} seconds")
    if not 1 <= settings.code_days <= MAX_CODE_DAYS:
        bad("codeDays", f"A code is valid between 1 and {MAX_CODE_DAYS} days")
    for name, hour in (
        ("quietStartHour", settings.quiet_start_hour),
        ("quietEndHour", settings.quiet_end_hour),
    ):
        if not 0 <= hour <= 23:
            bad(name, "An hour of the day is between 0 and 23")
    if not is_time_zone(settings.default_time_zone):
        bad("defaultTimeZone", "Not an IANA time zone name", Code.INVALID_TIME_ZONE)
    return problems


def is_time_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone (``Europe/Berlin``)."""
    return name in _time_zones()


_ZONES: set[str] = set()


def _time_zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


@dataclass(frozen=True, slots=True)
class Device:
    """A mobile app installation that may receive push messages."""

    id: str
    customer_id: str
    platform: Platform
    endpoint_arn: str
    push_allowed: bool
    registered_at: datetime


@dataclass(frozen=True, slots=True)
class Preferences:
    """How a customer would like to be reached, and their local time."""

    preferred_channel: RecoveryChannel | None = None
    time_zone: str | None = None


@dataclass(frozen=True, slots=True)
class Revenue:
    """Recovered revenue in one currency, minor units."""

    currency: str
    amount: int


@dataclass(frozen=True, slots=True)
class RecoveryResults:
    """What recovery achieved, as staff read it."""

    messages: dict[RecoveryChannel, int] = field(default_factory=dict)
    codes_issued: int = 0
    codes_used: int = 0
    recovered_orders: int = 0
    revenue: tuple[Revenue, ...] = ()
    scheduled: int = 0


@dataclass(frozen=True, slots=True)
class OptedOut:
    """The channel an opt-out link stopped (the recipient is never shown back)."""

    channel: RecoveryChannel
    at: datetime
