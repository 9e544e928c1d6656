"""Recovery's items in the single table.

Keys (see ``docs/data-model.md``):

- ``RECOVERY / SETTINGS``: staff's settings (absent: the defaults).
- ``RECOVERY / RESULTS``: counters (messages per channel, codes issued and used,
  recovered orders), each changed with ADD in the transaction of what it counts.
- ``RECOVERY / REVENUE#<currency>``: recovered orders and revenue in one currency.
- ``RECOVERY#<cart token> / CART``: the cart's one recovery (put only if absent, so a
  cart is written to at most once); a text held back by quiet hours is SCHEDULED and
  sits in GSI1 under ``RECOVERYDUE / <due time>#<cart>`` until a sweep sends it.
- ``RECOVERYCODE#<code> / CODE``: a code recovery issued (the events function counts
  its use once).
- ``RECOVERYCART#<sha256 of the cart token> / CART``: the cart got a message: an order
  placed from it (orders keep that digest) is recovered.
- ``RECOVERYTO#<digest> / RECIPIENT``: the last recovery message to a customer or an
  email digest: an order they pay within the code's validity is recovered.
- ``RECOVERED#<order id> / ORDER``: the order was counted (put only if absent).
- ``OPTOUT#<digest> / OPTOUT``: an address (channel + digest) that opted out.
- ``DEVICES#<customer id> / DEVICE#<device id>``: a registered app installation.
- ``RECOVERYPREFS#<customer id> / PREFS``: preferred channel and time zone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.expressions.update import Action

from commerce.db.table import TableItem
from commerce.db.writes import WriteSet
from commerce.recovery.model import (
    Device,
    Platform,
    Preferences,
    RecoveryChannel,
    RecoveryResults,
    RecoverySettings,
    Revenue,
)

RECOVERY_PK = "RECOVERY"
SETTINGS_SK = "SETTINGS"
RESULTS_SK = "RESULTS"
DUE_PARTITION = "RECOVERYDUE"
# A cart's record outlives any cart (carts expire within weeks): a recovered cart's
# token is never written to again.
RECORD_DAYS = 180

SENT = "SENT"
SCHEDULED = "SCHEDULED"
CANCELLED = "CANCELLED"


class RecoverySettingsItem(TableItem, discriminator="RecoverySettings"):
    body = UnicodeAttribute()


class RecoveryResultsItem(TableItem, discriminator="RecoveryResults"):
    messages_email = NumberAttribute(null=True)
    messages_sms = NumberAttribute(null=True)
    messages_push = NumberAttribute(null=True)
    codes_issued = NumberAttribute(null=True)
    codes_used = NumberAttribute(null=True)
    recovered_orders = NumberAttribute(null=True)


class RecoveryRevenueItem(TableItem, discriminator="RecoveryRevenue"):
    currency = UnicodeAttribute()
    orders = NumberAttribute(null=True)
    amount = NumberAttribute(null=True)


class CartRecoveryItem(TableItem, discriminator="CartRecovery"):
    cart_id = UnicodeAttribute()
    state = UnicodeAttribute()
    channel = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    due_at = UTCDateTimeAttribute(null=True)
    code = UnicodeAttribute(null=True)
    notification_id = UnicodeAttribute(null=True)


class RecoveryCodeItem(TableItem, discriminator="RecoveryCode"):
    cart_id = UnicodeAttribute()


class RecoveredCartItem(TableItem, discriminator="RecoveredCart"):
    cart_id = UnicodeAttribute()
    sent_at = UTCDateTimeAttribute()


class RecoveryRecipientItem(TableItem, discriminator="RecoveryRecipient"):
    cart_id = UnicodeAttribute()
    sent_at = UTCDateTimeAttribute()
    valid_until = UTCDateTimeAttribute()


class RecoveredOrderItem(TableItem, discriminator="RecoveredOrder"):
    cart_id = UnicodeAttribute()


class OptOutItem(TableItem, discriminator="RecoveryOptOut"):
    channel = UnicodeAttribute()
    at = UTCDateTimeAttribute()


class DeviceItem(TableItem, discriminator="PushDevice"):
    device_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    platform = UnicodeAttribute()
    endpoint_arn = UnicodeAttribute()
    push_allowed = BooleanAttribute()
    registered_at = UTCDateTimeAttribute()


class PreferencesItem(TableItem, discriminator="RecoveryPreferences"):
    preferred_channel = UnicodeAttribute(null=True)
    time_zone = UnicodeAttribute(null=True)


# -- settings -----------------------------------------------------------------------------


def get_settings() -> RecoverySettings | None:
    try:
        item = RecoverySettingsItem.get(RECOVERY_PK, SETTINGS_SK, consistent_read=True)
    except RecoverySettingsItem.DoesNotExist:
        return None
    raw: dict[str, Any] = json.loads(item.body)
    return RecoverySettings(
        after_days=int(raw["after_days"]),
        percent=Decimal(raw["percent"]),
        dwell_seconds=int(raw["dwell_seconds"]),
        channels=frozenset(RecoveryChannel(c) for c in raw["channels"]),
        code_days=int(raw["code_days"]),
        quiet_start_hour=int(raw["quiet_start_hour"]),
        quiet_end_hour=int(raw["quiet_end_hour"]),
        default_time_zone=str(raw["default_time_zone"]),
        updated_at=datetime.fromisoformat(raw["updated_at"]) if raw.get("updated_at") else None,
    )


def put_settings(settings: RecoverySettings) -> None:
    body = {
        "after_days": settings.after_days,
        "percent": str(settings.percent),
        "dwell_seconds": settings.dwell_seconds,
        "channels": sorted(c.value for c in settings.channels),
        "code_days": settings.code_days,
        "quiet_start_hour": settings.quiet_start_hour,
        "quiet_end_hour": settings.quiet_end_hour,
        "default_time_zone": settings.default_time_zone,
        "updated_at": settings.updated_at.isoformat() if settings.updated_at else None,
    }
    RecoverySettingsItem(pk=RECOVERY_PK, sk=SETTINGS_SK, body=json.dumps(body)).save()


# -- results ------------------------------------------------------------------------------

_MESSAGE_COUNTERS = {
    RecoveryChannel.EMAIL: RecoveryResultsItem.messages_email,
    RecoveryChannel.SMS: RecoveryResultsItem.messages_sms,
    RecoveryChannel.PUSH: RecoveryResultsItem.messages_push,
}


def _results_key() -> RecoveryResultsItem:
    return RecoveryResultsItem(pk=RECOVERY_PK, sk=RESULTS_SK)


def count_message(writes: WriteSet, channel: RecoveryChannel, with_code: bool) -> None:
    actions: list[Action] = [
        _MESSAGE_COUNTERS[channel].add(1),
        RecoveryResultsItem.entity.set(RecoveryResultsItem),
    ]
    if with_code:
        actions.append(RecoveryResultsItem.codes_issued.add(1))
    writes.update(_results_key(), actions)


def count_recovered_order(
    writes: WriteSet, order_id: str, cart_id: str, paid: tuple[str, int], *, code_used: bool
) -> None:
    """Count the order once: the marker's put fails ``"counted"`` on a replay."""
    writes.put(
        RecoveredOrderItem(pk=f"RECOVERED#{order_id}", sk="ORDER", cart_id=cart_id),
        RecoveredOrderItem.pk.does_not_exist(),
        label="counted",
    )
    currency, amount = paid
    actions: list[Action] = [
        RecoveryResultsItem.recovered_orders.add(1),
        RecoveryResultsItem.entity.set(RecoveryResultsItem),
    ]
    if code_used:
        actions.append(RecoveryResultsItem.codes_used.add(1))
    writes.update(_results_key(), actions)
    writes.update(
        RecoveryRevenueItem(pk=RECOVERY_PK, sk=f"REVENUE#{currency}"),
        [
            RecoveryRevenueItem.currency.set(currency),
            RecoveryRevenueItem.orders.add(1),
            RecoveryRevenueItem.amount.add(amount),
            RecoveryRevenueItem.entity.set(RecoveryRevenueItem),
        ],
    )


def results() -> RecoveryResults:
    """Every counter: one Query of the ``RECOVERY`` partition (settings, results, revenue)."""
    counts: RecoveryResultsItem | None = None
    revenue: list[Revenue] = []
    for item in TableItem.query(RECOVERY_PK, consistent_read=True):
        if isinstance(item, RecoveryResultsItem):
            counts = item
        elif isinstance(item, RecoveryRevenueItem):
            revenue.append(Revenue(item.currency, int(item.amount or 0)))
    scheduled = sum(1 for _ in TableItem.gsi1.query(DUE_PARTITION))
    if counts is None:
        return RecoveryResults(revenue=tuple(revenue), scheduled=scheduled)
    return RecoveryResults(
        messages={c: int(getattr(counts, a.attr_name) or 0) for c, a in _MESSAGE_COUNTERS.items()},
        codes_issued=int(counts.codes_issued or 0),
        codes_used=int(counts.codes_used or 0),
        recovered_orders=int(counts.recovered_orders or 0),
        revenue=tuple(sorted(revenue, key=lambda r: r.currency)),
        scheduled=scheduled,
    )


# -- a cart's recovery --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CartRecovery:
    cart_id: str
    state: str
    channel: RecoveryChannel
    at: datetime
    due_at: datetime | None
    code: str | None


def _record_from(item: CartRecoveryItem) -> CartRecovery:
    return CartRecovery(
        item.cart_id, item.state, RecoveryChannel(item.channel), item.at, item.due_at, item.code
    )


def cart_recovery(cart_id: str) -> CartRecovery | None:
    try:
        item = CartRecoveryItem.get(f"RECOVERY#{cart_id}", "CART", consistent_read=True)
    except CartRecoveryItem.DoesNotExist:
        return None
    return _record_from(item)


def add_sent(
    writes: WriteSet,
    cart_id: str,
    *,
    channel: RecoveryChannel,
    now: datetime,
    code: str | None,
    notification_id: str,
    was_scheduled: bool,
) -> None:
    """The cart's recovery as sent: new (fails ``"recovered"`` if the cart has one) or
    the scheduled one moved to SENT (fails ``"recovered"`` unless still scheduled)."""
    item = CartRecoveryItem(
        pk=f"RECOVERY#{cart_id}",
        sk="CART",
        cart_id=cart_id,
        state=SENT,
        channel=channel.value,
        at=now,
        code=code,
        notification_id=notification_id,
        ttl=now + timedelta(days=RECORD_DAYS),
    )
    condition = (
        CartRecoveryItem.state == SCHEDULED
        if was_scheduled
        else CartRecoveryItem.pk.does_not_exist()
    )
    writes.put(item, condition, label="recovered")


def add_scheduled(
    writes: WriteSet, cart_id: str, channel: RecoveryChannel, now: datetime, due: datetime
) -> None:
    """A text held back until ``due``; fails ``"recovered"`` if the cart has a recovery."""
    item = CartRecoveryItem(
        pk=f"RECOVERY#{cart_id}",
        sk="CART",
        cart_id=cart_id,
        state=SCHEDULED,
        channel=channel.value,
        at=now,
        due_at=due,
        gsi1pk=DUE_PARTITION,
        gsi1sk=f"{due.isoformat()}#{cart_id}",
        ttl=now + timedelta(days=RECORD_DAYS),
    )
    writes.put(item, CartRecoveryItem.pk.does_not_exist(), label="recovered")


def cancel_scheduled(cart_id: str, now: datetime) -> None:
    """A scheduled text that must not go any more (the cart was ordered or is gone)."""
    item = CartRecoveryItem(
        pk=f"RECOVERY#{cart_id}",
        sk="CART",
        cart_id=cart_id,
        state=CANCELLED,
        channel=RecoveryChannel.SMS.value,
        at=now,
        ttl=now + timedelta(days=RECORD_DAYS),
    )
    writes = WriteSet()
    writes.put(item, CartRecoveryItem.state == SCHEDULED, label="scheduled")
    writes.commit()


def due_carts(now: datetime) -> list[str]:
    """Carts whose held-back text may go at ``now`` (GSI1, oldest first)."""
    return [
        item.cart_id
        for item in TableItem.gsi1.query(DUE_PARTITION, TableItem.gsi1sk <= f"{now.isoformat()}#~")
        if isinstance(item, CartRecoveryItem)
    ]


def add_code(writes: WriteSet, code: str, cart_id: str, now: datetime) -> None:
    writes.put(
        RecoveryCodeItem(
            pk=f"RECOVERYCODE#{code}",
            sk="CODE",
            cart_id=cart_id,
            ttl=now + timedelta(days=RECORD_DAYS),
        )
    )


def add_recovered_cart(writes: WriteSet, digest: str, cart_id: str, now: datetime) -> None:
    """The cart (by its token's digest, as orders keep it) got a recovery message."""
    writes.put(
        RecoveredCartItem(
            pk=f"RECOVERYCART#{digest}",
            sk="CART",
            cart_id=cart_id,
            sent_at=now,
            ttl=now + timedelta(days=RECORD_DAYS),
        )
    )


def add_recipient(
    writes: WriteSet, digest: str, cart_id: str, now: datetime, valid_until: datetime
) -> None:
    writes.put(
        RecoveryRecipientItem(
            pk=f"RECOVERYTO#{digest}",
            sk="RECIPIENT",
            cart_id=cart_id,
            sent_at=now,
            valid_until=valid_until,
            ttl=valid_until + timedelta(days=1),
        )
    )


def recovery_facts(
    codes: list[str], digests: list[str], cart_digest: str | None = None
) -> tuple[dict[str, str], list[tuple[str, datetime, datetime]], str | None]:
    """(recovery code -> cart, [(cart, sent at, valid until)] of the recipients, the
    recovered cart the order was placed from): one BatchGetItem."""
    keys = [(f"RECOVERYCODE#{c}", "CODE") for c in dict.fromkeys(codes)]
    keys += [(f"RECOVERYTO#{d}", "RECIPIENT") for d in dict.fromkeys(digests)]
    if cart_digest is not None:
        keys.append((f"RECOVERYCART#{cart_digest}", "CART"))
    found_codes: dict[str, str] = {}
    recipients: list[tuple[str, datetime, datetime]] = []
    from_cart: str | None = None
    if not keys:
        return found_codes, recipients, from_cart
    for item in TableItem.batch_get(keys, consistent_read=True):
        if isinstance(item, RecoveryCodeItem):
            found_codes[item.pk.removeprefix("RECOVERYCODE#")] = item.cart_id
        elif isinstance(item, RecoveryRecipientItem):
            recipients.append((item.cart_id, item.sent_at, item.valid_until))
        elif isinstance(item, RecoveredCartItem):
            from_cart = item.cart_id
    return found_codes, recipients, from_cart


# -- opt-outs -----------------------------------------------------------------------------


def opted_out(digests: list[str]) -> set[str]:
    """Which of these address digests opted out (one BatchGetItem)."""
    if not digests:
        return set()
    keys = [(f"OPTOUT#{d}", "OPTOUT") for d in dict.fromkeys(digests)]
    return {
        item.pk.removeprefix("OPTOUT#")
        for item in TableItem.batch_get(keys, consistent_read=True)
        if isinstance(item, OptOutItem)
    }


def put_opt_out(digest: str, channel: RecoveryChannel, now: datetime) -> None:
    OptOutItem(pk=f"OPTOUT#{digest}", sk="OPTOUT", channel=channel.value, at=now).save()


# -- devices and preferences --------------------------------------------------------------


def _device_from(item: DeviceItem) -> Device:
    return Device(
        id=item.device_id,
        customer_id=item.customer_id,
        platform=Platform(item.platform),
        endpoint_arn=item.endpoint_arn,
        push_allowed=bool(item.push_allowed),
        registered_at=item.registered_at,
    )


def devices_of(customer_id: str) -> list[Device]:
    return [
        _device_from(item)
        for item in TableItem.query(
            f"DEVICES#{customer_id}", TableItem.sk.startswith("DEVICE#"), consistent_read=True
        )
        if isinstance(item, DeviceItem)
    ]


def put_device(device: Device) -> None:
    DeviceItem(
        pk=f"DEVICES#{device.customer_id}",
        sk=f"DEVICE#{device.id}",
        device_id=device.id,
        customer_id=device.customer_id,
        platform=device.platform.value,
        endpoint_arn=device.endpoint_arn,
        push_allowed=device.push_allowed,
        registered_at=device.registered_at,
    ).save()


def delete_device(customer_id: str, device_id: str) -> None:
    DeviceItem(pk=f"DEVICES#{customer_id}", sk=f"DEVICE#{device_id}").delete()


def preferences(customer_id: str) -> Preferences:
    try:
        item = PreferencesItem.get(f"RECOVERYPREFS#{customer_id}", "PREFS", consistent_read=True)
    except PreferencesItem.DoesNotExist:
        return Preferences()
    channel = RecoveryChannel(item.preferred_channel) if item.preferred_channel else None
    return Preferences(channel, item.time_zone)


def put_preferences(customer_id: str, prefs: Preferences) -> None:
    PreferencesItem(
        pk=f"RECOVERYPREFS#{customer_id}",
        sk="PREFS",
        preferred_channel=prefs.preferred_channel.value if prefs.preferred_channel else None,
        time_zone=prefs.time_zone,
    ).save()
