"""Recovery use cases: the sweep's decision per idle cart, held-back texts, opt-outs,
devices, staff's settings and results, and recovered orders from the events function.

A cart is written to at most once: its ``RECOVERY#<cart>`` record is put, only if
absent, in the same transaction as the outbox message (and the check that the cart is
still as the sweep read it). The personal code is made just before that transaction
(the promotions service writes it on its own); when the transaction is refused, the
code's promotion is deleted again, so no code exists that no message carries.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from commerce.cart.model import Cart, PricedCart, cart_digest
from commerce.cart.service import CartService
from commerce.customers.commands import UpdateProfile
from commerce.customers.marketing import CustomerMarketingService
from commerce.customers.model import ConsentChannel, Customer
from commerce.customers.service import CustomersService
from commerce.db.writes import ConditionsFailed, WriteSet
from commerce.journeys.service import JourneysService
from commerce.notifications.model import Channel, Notification, TemplateName
from commerce.notifications.service import add_to_outbox
from commerce.orders.model import Order
from commerce.pricing.model import DiscountCode
from commerce.problems import Problem, Rejected
from commerce.promotions.service import PromotionsService
from commerce.recovery import rules, store
from commerce.recovery.commands import (
    MAX_DEVICE_TOKEN,
    ChangeSettings,
    RegisterDevice,
    SetPreferences,
)
from commerce.recovery.errors import RecoveryErrorCode as Code
from commerce.recovery.model import (
    Device,
    OptedOut,
    Preferences,
    RecoveryChannel,
    RecoveryResults,
    RecoverySettings,
    is_time_zone,
    settings_problems,
)
from commerce.recovery.optout import (
    OptOutLinkExpired,
    OptOutLinkInvalid,
    OptOutRequest,
    address_digest,
    read_link,
    sign_link,
)
from commerce.recovery.push import PushEndpoints, PushUnavailable
from commerce.variant_refs import VariantRef

log = logging.getLogger("commerce.recovery")

_NOTIFY_CHANNEL = {
    RecoveryChannel.EMAIL: Channel.EMAIL,
    RecoveryChannel.SMS: Channel.SMS,
    RecoveryChannel.PUSH: Channel.PUSH,
}
_CONSENT = {
    RecoveryChannel.EMAIL: ConsentChannel.EMAIL,
    RecoveryChannel.SMS: ConsentChannel.SMS,
    RecoveryChannel.PUSH: ConsentChannel.PUSH,
}
# An opt-out link works this long: past it, the message's own footer is long out of date.
OPT_OUT_LINK_DAYS = 365


def reminder_id(cart: Cart) -> str:
    """The outbox id of a cart's recovery message (one per cart, so one per change)."""
    return f"cart-{cart.id}-{int(cart.updated_at.timestamp() * 1000)}"


def recipient_digest(kind: str, value: str) -> str:
    """The stored name of a recovered shopper (a customer id or an email), never the value."""
    return hashlib.sha256(f"recovered:{kind}:{value.strip().lower()}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class _Offer:
    percent: Decimal
    expires_at: datetime


class OptOutNotConfigured(RuntimeError):
    """No opt-out key in a deployed stage: a message without a working opt-out link may
    not be sent (the run fails, and alarms, instead)."""


class Decision:
    """What the sweep did with one cart (for its counts and logs)."""

    SENT = "sent"
    SCHEDULED = "scheduled"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class RecoveryLinks:
    """Where messages point: the storefront's cart page and this API's opt-out page."""

    storefront_url: str
    public_url: str


class RecoveryService:
    """Abandoned-cart recovery over the cart, journeys, customers and promotions."""

    def __init__(
        self,
        carts: CartService,
        journeys: JourneysService,
        customers: CustomersService,
        marketing: CustomerMarketingService,
        promotions: PromotionsService,
        *,
        opt_out_key: bytes,
        push: PushEndpoints,
        links: RecoveryLinks,
        defaults: RecoverySettings | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._carts = carts
        self._journeys = journeys
        self._customers = customers
        self._marketing = marketing
        self._promotions = promotions
        self._key = opt_out_key
        self._push = push
        self._links = links
        self._defaults = defaults or RecoverySettings()
        self._clock = clock

    # -- settings and results ------------------------------------------------------------

    def settings(self) -> RecoverySettings:
        """Staff's settings, or the defaults before staff ever saved any."""
        return store.get_settings() or self._defaults

    def change_settings(self, command: ChangeSettings) -> RecoverySettings:
        """Save a change; ``Rejected`` (nothing saved) when any value is out of range."""
        current = self.settings()
        changes: dict[str, Any] = {k: v for k, v in _fields(command).items() if v is not None}
        updated = replace(current, **changes, updated_at=self._clock())
        problems = settings_problems(updated)
        if problems:
            raise Rejected(problems)
        store.put_settings(updated)
        return updated

    def results(self) -> RecoveryResults:
        """Messages per channel, codes issued and used, recovered orders and revenue."""
        return store.results()

    # -- the sweep -----------------------------------------------------------------------

    def recover(self, cart: Cart, now: datetime) -> str:
        """Write to the shopper of one idle cart, hold a text back, or do nothing."""
        settings = self.settings()
        if cart.is_expired(now) or not cart.lines:
            return Decision.SKIPPED
        if store.cart_recovery(cart.id) is not None:
            return Decision.SKIPPED
        return self._send(cart, now, settings, scheduled=False)

    def send_due(self, now: datetime) -> int:
        """Send the texts quiet hours held back whose time has come; how many went."""
        sent = 0
        settings = self.settings()
        for cart_id in store.due_carts(now):
            cart = self._live_cart(cart_id, now)
            outcome = Decision.SKIPPED
            if cart is not None:
                outcome = self._send(cart, now, settings, scheduled=True)
            if outcome == Decision.SENT:
                sent += 1
            elif outcome == Decision.SKIPPED:
                store.cancel_scheduled(cart_id, now)
        return sent

    def _live_cart(self, cart_id: str, now: datetime) -> Cart | None:
        try:
            priced = self._carts.cart(cart_id)
        except Rejected:  # expired
            return None
        if priced is None or priced.cart.is_expired(now):
            return None
        return priced.cart

    def _send(
        self, cart: Cart, now: datetime, settings: RecoverySettings, *, scheduled: bool
    ) -> str:
        if not self._key:
            raise OptOutNotConfigured("COMMERCE_RECOVERY_SIGNING_KEY is not set")
        customer = self._customers.customer(cart.owner_id) if cart.owner_id else None
        if customer is not None and self._ordered_since(customer.id, cart.updated_at):
            return Decision.SKIPPED
        prefs = self._preferences_of(customer) if customer is not None else Preferences()
        contacts = self._reachable(cart, customer)
        opted = store.opted_out([address_digest(c.channel, c.opt_out_address) for c in contacts])
        contacts = [
            c for c in contacts if address_digest(c.channel, c.opt_out_address) not in opted
        ]
        contact = rules.choose_contact(contacts, settings.channels, prefs.preferred_channel)
        if contact is None:
            return Decision.SKIPPED
        if contact.channel is RecoveryChannel.SMS and not scheduled:
            zone = prefs.time_zone or settings.default_time_zone
            due = rules.next_allowed(now, zone, settings.quiet_start_hour, settings.quiet_end_hour)
            if due > now:
                writes = WriteSet()
                self._carts.add_unchanged_check(writes, cart, label="cart unchanged")
                store.add_scheduled(writes, cart.id, contact.channel, now, due)
                return Decision.SCHEDULED if self._commit(writes, None) else Decision.SKIPPED
        priced = self._carts.pricer.price(cart, self._carts.pricer.products())
        offered = self._lingered_lines(cart, customer, settings)
        expires = now + timedelta(days=settings.code_days)
        code: DiscountCode | None = None
        if offered:
            # A customer's code is theirs; a guest's is bound to this one cart (its token's
            # digest), so nobody else, and no other cart, can redeem it.
            code = self._promotions.issue_personal_offer(
                customer.id if customer is not None else None,
                sorted({ref.product_id for ref in offered}),
                settings.percent,
                expires,
                variants=sorted(offered),
                cart_digest=None if customer is not None else cart_digest(cart.id),
            )
        notification = Notification(
            id=reminder_id(cart),
            channel=_NOTIFY_CHANNEL[contact.channel],
            template=TemplateName.RECOVERY_OFFER if code else TemplateName.ABANDONED_CART,
            recipient=contact.recipient,
            data=self._message_data(
                priced, contact, code, offered, _Offer(settings.percent, expires), now
            ),
            created_at=now,
        )
        writes = WriteSet()
        if not scheduled:
            self._carts.add_unchanged_check(writes, cart, label="cart unchanged")
        store.add_sent(
            writes,
            cart.id,
            channel=contact.channel,
            now=now,
            code=code.code if code else None,
            notification_id=notification.id,
            was_scheduled=scheduled,
        )
        add_to_outbox(writes, notification, label="not reminded yet")
        store.count_message(writes, contact.channel, code is not None)
        if code is not None:
            store.add_code(writes, code.code, cart.id, now)
        store.add_recovered_cart(writes, cart_digest(cart.id), cart.id, now)
        for digest in self._recipient_digests(customer.id if customer else None, cart):
            store.add_recipient(writes, digest, cart.id, now, expires)
        return Decision.SENT if self._commit(writes, code) else Decision.SKIPPED

    def _commit(self, writes: WriteSet, code: DiscountCode | None) -> bool:
        try:
            writes.commit()
        except ConditionsFailed as failed:
            # Changed since (it is in a newer bucket now), or recovered by an earlier run.
            log.info("no recovery message", extra={"reason": ",".join(failed.labels)})
            if code is not None:
                self._promotions.delete_promotion(code.promotion_id)
            return False
        return True

    def _ordered_since(self, customer_id: str, since: datetime) -> bool:
        facts = self._marketing.marketing(customer_id)
        last = facts.history.last_paid_at if facts is not None else None
        return last is not None and last >= since

    def _reachable(self, cart: Cart, customer: Customer | None) -> list[rules.Contact]:
        """Every channel the shopper consented to and can be reached by."""
        buyer = cart.buyer_identity
        found: list[rules.Contact] = []

        def granted(channel: RecoveryChannel) -> bool | None:
            if customer is None:
                return None
            consent = customer.consent(_CONSENT[channel])
            return None if consent is None else consent.granted

        email_consent = granted(RecoveryChannel.EMAIL)
        if customer is not None and email_consent:
            found.append(rules.Contact(RecoveryChannel.EMAIL, customer.email, customer.email))
        elif buyer.email and buyer.accepts_email_marketing and email_consent is not False:
            found.append(rules.Contact(RecoveryChannel.EMAIL, buyer.email, buyer.email))
        sms_consent = granted(RecoveryChannel.SMS)
        if customer is not None and customer.phone and sms_consent:
            found.append(rules.Contact(RecoveryChannel.SMS, customer.phone, customer.phone))
        elif buyer.phone and buyer.accepts_sms_marketing and sms_consent is not False:
            found.append(rules.Contact(RecoveryChannel.SMS, buyer.phone, buyer.phone))
        if customer is not None and granted(RecoveryChannel.PUSH) is not False:
            devices = [d for d in store.devices_of(customer.id) if d.push_allowed]
            if devices:
                newest = max(devices, key=lambda d: d.registered_at)
                found.append(rules.Contact(RecoveryChannel.PUSH, newest.endpoint_arn, customer.id))
        return found

    def _lingered_lines(
        self, cart: Cart, customer: Customer | None, settings: RecoverySettings
    ) -> list[VariantRef]:
        """The cart's variants whose page the shopper viewed for at least T before adding:
        a customer's dwell from every visitor stitched to them, a guest's from the visitor
        the cart carries (none: no dwell, so no offer)."""
        if customer is not None:
            events = self._journeys.journey_of_customer(customer.id).events
        elif cart.visitor_id is not None:
            events = self._journeys.journey_of_visitors([cart.visitor_id]).events
        else:
            return []
        seconds = rules.dwell_before_adding(events, [ln.product_id for ln in cart.lines])
        lingered = rules.lingered(seconds, settings.dwell_seconds)
        return [
            VariantRef(ln.product_id, ln.variant_id)
            for ln in cart.lines
            if ln.product_id in lingered
        ]

    def _recipient_digests(self, customer_id: str | None, cart: Cart) -> list[str]:
        digests = []
        if customer_id is not None:
            digests.append(recipient_digest("customer", customer_id))
        if cart.buyer_identity.email:
            digests.append(recipient_digest("email", cart.buyer_identity.email))
        return digests

    def _message_data(  # noqa: PLR0917 - each is one part of the message
        self,
        priced: PricedCart,
        contact: rules.Contact,
        code: DiscountCode | None,
        offered: list[VariantRef],
        offer: _Offer,
        now: datetime,
    ) -> dict[str, str]:
        expires = offer.expires_at
        cart = priced.cart
        items = []
        titles = []
        chosen = set(offered)
        for line in priced.lines:
            title = line.product.title if line.product is not None else "An item no longer sold"
            price = (
                f"{line.total.to_decimal()} {line.total.currency.value}"
                if line.total is not None
                else f"not sold in {cart.currency.value}"
            )
            items.append(f"- {line.line.quantity} x {title}: {price}")
            if (line.line.product_id, line.line.variant_id) in chosen:
                titles.append(title)
        link = sign_link(
            self._key,
            contact.channel,
            contact.opt_out_address,
            now + timedelta(days=OPT_OUT_LINK_DAYS),
        )
        base = self._links.public_url or self._links.storefront_url
        data = {
            "item_count": str(sum(line.quantity for line in cart.lines)),
            "items": "\n".join(items),
            "cart_url": f"{self._links.storefront_url}/cart/{cart.id}",
            "opt_out_url": f"{base}/recovery/opt-out?token={link}",
        }
        if code is not None:
            data |= {
                "code": code.code,
                "percent": _percent(offer.percent),
                "offer_items": ", ".join(titles),
                "expires_at": expires.strftime("%Y-%m-%d %H:%M UTC"),
                "expires_on": expires.strftime("%Y-%m-%d"),
            }
        return data

    # -- opt-out -------------------------------------------------------------------------

    def opt_out(self, token: str) -> OptedOut:
        """Stop the channel a genuine link names; ``Rejected`` (nothing stored) otherwise."""
        now = self._clock()
        request = self.opt_out_request(token, now)
        store.put_opt_out(request.address_digest, request.channel, now)
        return OptedOut(request.channel, now)

    def opt_out_request(self, token: str, now: datetime | None = None) -> OptOutRequest:
        """What a genuine, current link asks (nothing is stored); ``Rejected`` otherwise."""
        now = now or self._clock()
        try:
            return read_link(self._key, token, now)
        except OptOutLinkExpired:
            raise Rejected(
                [
                    Problem(
                        Code.OPT_OUT_LINK_EXPIRED,
                        "This opt-out link has expired; use the link of a newer message",
                        ("token",),
                    )
                ]
            ) from None
        except OptOutLinkInvalid:
            raise Rejected(
                [
                    Problem(
                        Code.INVALID_OPT_OUT_LINK, "Not an opt-out link of this store", ("token",)
                    )
                ]
            ) from None

    # -- devices and preferences ---------------------------------------------------------

    def devices(self, customer_id: str) -> list[Device]:
        """The customer's registered app installations, newest first."""
        return sorted(store.devices_of(customer_id), key=lambda d: d.registered_at, reverse=True)

    def register_device(self, customer_id: str, command: RegisterDevice) -> Device:
        """Register (or update the permission of) an app installation of the customer."""
        token = command.device_token.strip()
        if not token or len(token) > MAX_DEVICE_TOKEN or not token.isprintable():
            raise Rejected(
                [
                    Problem(
                        Code.INVALID_DEVICE_TOKEN,
                        f"A device token is 1 to {MAX_DEVICE_TOKEN} printable characters",
                        ("deviceToken",),
                    )
                ]
            )
        device_id = hashlib.sha256(f"{command.platform.value}:{token}".encode()).hexdigest()[:32]
        existing = next((d for d in store.devices_of(customer_id) if d.id == device_id), None)
        if existing is not None:
            updated = replace(existing, push_allowed=command.push_allowed)
            store.put_device(updated)
            return updated
        try:
            endpoint = self._push.create(command.platform, token)
        except PushUnavailable as exc:
            raise Rejected([Problem(Code.PUSH_NOT_CONFIGURED, str(exc), ("platform",))]) from None
        device = Device(
            id=device_id,
            customer_id=customer_id,
            platform=command.platform,
            endpoint_arn=endpoint,
            push_allowed=command.push_allowed,
            registered_at=self._clock(),
        )
        store.put_device(device)
        return device

    def unregister_device(self, customer_id: str, device_id: str) -> Device:
        """Forget one of the customer's devices and its SNS endpoint."""
        device = next((d for d in store.devices_of(customer_id) if d.id == device_id), None)
        if device is None:
            raise Rejected(
                [Problem(Code.DEVICE_NOT_FOUND, "No such device of yours", ("deviceId",))]
            )
        self._push.delete(device.endpoint_arn)
        store.delete_device(customer_id, device_id)
        return device

    def preferences(self, customer_id: str) -> Preferences:
        """The customer's preferred channel and time zone (profile first, see below)."""
        customer = self._customers.customer(customer_id)
        return self._preferences_of(customer) if customer is not None else Preferences()

    def _preferences_of(self, customer: Customer) -> Preferences:
        """The profile's preferred channel and time zone; a field the profile leaves
        unsaid comes from recovery's own older record (``RECOVERYPREFS``), read only then."""
        channel = (
            None
            if customer.preferred_channel is None
            else RecoveryChannel(customer.preferred_channel.value)
        )
        zone = customer.time_zone
        if channel is None or zone is None:
            older = store.preferences(customer.id)
            channel = channel or older.preferred_channel
            zone = zone or older.time_zone
        return Preferences(channel, zone)

    def set_preferences(self, customer_id: str, command: SetPreferences) -> Preferences:
        """Save the customer's preferred channel and time zone on their profile (the
        customers context keeps them now), replacing the older record's values."""
        if command.time_zone is not None and not is_time_zone(command.time_zone):
            raise Rejected(
                [Problem(Code.INVALID_TIME_ZONE, "Not an IANA time zone name", ("timeZone",))]
            )
        prefs = Preferences(command.preferred_channel, command.time_zone)
        self._customers.update_profile(
            customer_id,
            UpdateProfile(
                preferred_channel=(
                    None
                    if command.preferred_channel is None
                    else _CONSENT[command.preferred_channel]
                ),
                clear_preferred_channel=command.preferred_channel is None,
                time_zone=command.time_zone or "",
            ),
        )
        store.put_preferences(customer_id, prefs)
        return prefs

    # -- the events function -------------------------------------------------------------

    def order_paid(self, order: Order, paid_at: datetime) -> bool:
        """Count a paid order as recovered when it used a recovery code or was placed from
        a cart that got a recovery message; once per order. Whether counted now.

        An order placed before orders recorded their cart falls back on the older rule:
        its buyer got a recovery message whose code was still valid when it was paid."""
        digests = []
        if order.cart_digest is None:
            if order.customer_id:
                digests.append(recipient_digest("customer", order.customer_id))
            if order.email:
                digests.append(recipient_digest("email", order.email))
        codes, recipients, from_cart = store.recovery_facts(
            list(order.discount_codes), digests, order.cart_digest
        )
        cart_id = next(iter(codes.values()), None) or from_cart
        if cart_id is None:
            cart_id = next(
                (cart for cart, sent, until in recipients if sent <= paid_at <= until), None
            )
        if cart_id is None:
            return False
        amount = order.paid_amount or order.total
        writes = WriteSet()
        store.count_recovered_order(
            writes, order.id, cart_id, (amount.currency.value, amount.amount), code_used=bool(codes)
        )
        try:
            writes.commit()
        except ConditionsFailed as failed:
            if "counted" in failed.labels:
                return False
            raise
        return True


def _fields(command: ChangeSettings) -> dict[str, object]:
    return {name: getattr(command, name) for name in command.__dataclass_fields__}


def _percent(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text
