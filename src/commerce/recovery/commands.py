"""The recovery use cases' inputs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from commerce.recovery.model import Platform, RecoveryChannel

MAX_DEVICE_TOKEN = 4096


@dataclass(frozen=True, slots=True)
class ChangeSettings:
    """Staff's change of the recovery settings: None leaves a setting as it is."""

    after_days: int | None = None
    percent: Decimal | None = None
    dwell_seconds: int | None = None
    channels: frozenset[RecoveryChannel] | None = None
    code_days: int | None = None
    quiet_start_hour: int | None = None
    quiet_end_hour: int | None = None
    default_time_zone: str | None = None


@dataclass(frozen=True, slots=True)
class RegisterDevice:
    """An app installation's push token and whether the shopper allowed push."""

    platform: Platform
    device_token: str
    push_allowed: bool


@dataclass(frozen=True, slots=True)
class SetPreferences:
    """A customer's preferred channel and time zone (None clears one)."""

    preferred_channel: RecoveryChannel | None
    time_zone: str | None
