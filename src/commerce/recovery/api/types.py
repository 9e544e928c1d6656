"""Recovery's types as clients see them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from commerce.graphql.money import Money
from commerce.graphql.user_errors import UserError
from commerce.money import Money as DomainMoney
from commerce.money import parse_currency
from commerce.recovery.errors import RecoveryErrorCode
from commerce.recovery.model import (
    CHANNEL_ORDER,
    Device,
    OptedOut,
    Platform,
    Preferences,
    RecoveryChannel,
    RecoveryResults,
    RecoverySettings,
)

RecoveryErrorCodeType = strawberry.enum(
    RecoveryErrorCode, name="RecoveryErrorCode", description="Why a recovery input was refused."
)
RecoveryChannelType = strawberry.enum(
    RecoveryChannel,
    name="RecoveryChannel",
    description="How a recovery message reaches the shopper: email, text message or push.",
)
PushPlatformType = strawberry.enum(
    Platform, name="PushPlatform", description="Apple Push Notification service or Firebase."
)


@strawberry.type(description="Why a recovery input was refused.")
class RecoveryUserError(UserError):
    code: RecoveryErrorCodeType = strawberry.field(description="What is wrong, for programs.")


@strawberry.type(name="RecoverySettings", description="How abandoned carts are followed up.")
class RecoverySettingsType:
    after_days: int = strawberry.field(
        description="Days after a cart's last change before its shopper gets a message."
    )
    percent: Decimal = strawberry.field(
        description="Percent off the personal code gives on the lingered-over items."
    )
    dwell_seconds: int = strawberry.field(
        description=(
            "Seconds a shopper must have viewed a product's page before adding it for the "
            "item to be in the offer."
        )
    )
    channels: list[RecoveryChannelType] = strawberry.field(
        description="The channels recovery may use."
    )
    code_days: int = strawberry.field(description="Days the personal code stays valid.")
    quiet_start_hour: int = strawberry.field(
        description="Local hour (0-23) from which texts wait for the morning."
    )
    quiet_end_hour: int = strawberry.field(description="Local hour (0-23) texts may go again.")
    default_time_zone: str = strawberry.field(
        description="The time zone of shoppers who gave none (IANA name)."
    )
    updated_at: datetime | None = strawberry.field(
        description="When staff last saved them; null: the defaults."
    )

    @classmethod
    def from_domain(cls, s: RecoverySettings) -> RecoverySettingsType:
        return cls(
            after_days=s.after_days,
            percent=s.percent,
            dwell_seconds=s.dwell_seconds,
            channels=[c for c in CHANNEL_ORDER if c in s.channels],
            code_days=s.code_days,
            quiet_start_hour=s.quiet_start_hour,
            quiet_end_hour=s.quiet_end_hour,
            default_time_zone=s.default_time_zone,
            updated_at=s.updated_at,
        )


@strawberry.type(description="Messages sent through one channel.")
class RecoveryChannelCount:
    channel: RecoveryChannelType = strawberry.field(description="The channel.")
    messages: int = strawberry.field(description="Recovery messages sent through it.")


@strawberry.type(description="What abandoned-cart recovery achieved since it started.")
class RecoveryResultsType:
    messages: list[RecoveryChannelCount] = strawberry.field(
        description="Messages sent, per channel."
    )
    codes_issued: int = strawberry.field(description="Personal codes sent.")
    codes_used: int = strawberry.field(description="Paid orders that used a personal code.")
    recovered_orders: int = strawberry.field(
        description=(
            "Paid orders that a recovery message brought back: placed from the cart it "
            "was sent for, or using its code. (Orders placed before orders recorded "
            "their cart: their buyer paid while the message's code was valid.)"
        )
    )
    revenue: list[Money] = strawberry.field(description="What those orders paid, per currency.")
    scheduled_texts: int = strawberry.field(
        description="Texts waiting for the end of the shopper's quiet hours."
    )

    @classmethod
    def from_domain(cls, r: RecoveryResults) -> RecoveryResultsType:
        return cls(
            messages=[
                RecoveryChannelCount(channel=c, messages=r.messages.get(c, 0))
                for c in RecoveryChannel
            ],
            codes_issued=r.codes_issued,
            codes_used=r.codes_used,
            recovered_orders=r.recovered_orders,
            revenue=[
                Money.from_domain(DomainMoney(x.amount, parse_currency(x.currency)))
                for x in r.revenue
            ],
            scheduled_texts=r.scheduled,
        )


@strawberry.type(description="An app installation registered for push messages.")
class PushDevice:
    id: strawberry.ID = strawberry.field(description="The device's id (to unregister it).")
    platform: PushPlatformType = strawberry.field(description="APNS or FCM.")
    push_allowed: bool = strawberry.field(
        description="Whether the shopper allowed push messages on this device."
    )
    registered_at: datetime = strawberry.field(description="When it was registered.")

    @classmethod
    def from_domain(cls, d: Device) -> PushDevice:
        return cls(
            id=strawberry.ID(d.id),
            platform=d.platform,
            push_allowed=d.push_allowed,
            registered_at=d.registered_at,
        )


@strawberry.type(description="How the customer would like to be reached by the store.")
class MessagingPreferences:
    preferred_channel: RecoveryChannelType | None = strawberry.field(
        description="The channel to use when several are allowed; null: the store's order."
    )
    time_zone: str | None = strawberry.field(
        description="The customer's IANA time zone: texts keep to its daytime."
    )

    @classmethod
    def from_domain(cls, p: Preferences) -> MessagingPreferences:
        return cls(preferred_channel=p.preferred_channel, time_zone=p.time_zone)


@strawberry.type(description="The saved recovery settings, or why not.")
class RecoverySettingsUpdatePayload:
    settings: RecoverySettingsType | None = strawberry.field(description="The settings now.")
    user_errors: list[RecoveryUserError] = strawberry.field(description="Why nothing was saved.")


@strawberry.type(description="The registered device, or why not.")
class PushDevicePayload:
    device: PushDevice | None = strawberry.field(description="The device.")
    user_errors: list[RecoveryUserError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="The saved preferences, or why not.")
class MessagingPreferencesPayload:
    preferences: MessagingPreferences | None = strawberry.field(description="The preferences.")
    user_errors: list[RecoveryUserError] = strawberry.field(description="Why nothing was saved.")


@strawberry.type(description="The channel an opt-out link stopped, or why not.")
class RecoveryOptOutPayload:
    channel: RecoveryChannelType | None = strawberry.field(
        description="The channel that sends nothing more to this address."
    )
    opted_out_at: datetime | None = strawberry.field(description="When.")
    user_errors: list[RecoveryUserError] = strawberry.field(
        description="Why nothing was changed (a forged or expired link)."
    )

    @classmethod
    def of(cls, done: OptedOut | None, errors: list[RecoveryUserError]) -> RecoveryOptOutPayload:
        return cls(
            channel=done.channel if done else None,
            opted_out_at=done.at if done else None,
            user_errors=errors,
        )
