"""Recovery's inputs, each turned into a command with every problem recorded."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from commerce.graphql.inputs import InputErrors
from commerce.recovery.api.types import PushPlatformType, RecoveryChannelType
from commerce.recovery.commands import ChangeSettings, RegisterDevice, SetPreferences
from commerce.recovery.errors import RecoveryErrorCode as Code


@strawberry.input(description="Recovery settings to change; a field left out stays as it is.")
class RecoverySettingsUpdateInput:
    after_days: int | None = strawberry.field(default=None, description="1 to 60 days.")
    percent: Decimal | None = strawberry.field(
        default=None, description="More than 0, at most 100, two decimals at most."
    )
    dwell_seconds: int | None = strawberry.field(default=None, description="1 to 3600 seconds.")
    channels: list[RecoveryChannelType] | None = strawberry.field(
        default=None, description="The channels recovery may use (none: recovery is off)."
    )
    code_days: int | None = strawberry.field(default=None, description="1 to 90 days.")
    quiet_start_hour: int | None = strawberry.field(default=None, description="0 to 23.")
    quiet_end_hour: int | None = strawberry.field(default=None, description="0 to 23.")
    default_time_zone: str | None = strawberry.field(
        default=None, description="An IANA time zone name, e.g. Europe/Berlin."
    )

    def to_command(self, errors: InputErrors) -> ChangeSettings:
        del errors  # ranges are the settings' own rules, checked by the use case
        return ChangeSettings(
            after_days=self.after_days,
            percent=self.percent,
            dwell_seconds=self.dwell_seconds,
            channels=None if self.channels is None else frozenset(self.channels),
            code_days=self.code_days,
            quiet_start_hour=self.quiet_start_hour,
            quiet_end_hour=self.quiet_end_hour,
            default_time_zone=self.default_time_zone,
        )


@strawberry.input(description="An app installation's push token and permission.")
class PushDeviceRegisterInput:
    platform: PushPlatformType = strawberry.field(description="APNS or FCM.")
    device_token: str = strawberry.field(
        description="The token the platform gave the app (APNs device token, FCM token)."
    )
    push_allowed: bool = strawberry.field(
        description="Whether the shopper allowed push messages (the system prompt's answer)."
    )

    def to_command(self, errors: InputErrors) -> RegisterDevice:
        del errors  # the token's shape is the use case's rule
        return RegisterDevice(self.platform, self.device_token, self.push_allowed)


@strawberry.input(description="Which device to forget.")
class PushDeviceUnregisterInput:
    device_id: strawberry.ID = strawberry.field(description="PushDevice.id.")


@strawberry.input(description="How the customer would like to be reached.")
class MessagingPreferencesSetInput:
    preferred_channel: RecoveryChannelType | None = strawberry.field(
        default=None, description="Null: the store's order (email, text, push)."
    )
    time_zone: str | None = strawberry.field(
        default=None, description="An IANA time zone name; null: the store's default."
    )

    def to_command(self, errors: InputErrors) -> SetPreferences:
        if self.time_zone is not None and not self.time_zone.strip():
            errors.add(Code.INVALID_TIME_ZONE, "Leave the time zone out, or name one", "timeZone")
        return SetPreferences(self.preferred_channel, self.time_zone)


@strawberry.input(description="The token of an opt-out link (its token parameter).")
class RecoveryOptOutInput:
    token: str = strawberry.field(description="The link's token, as the message gave it.")
