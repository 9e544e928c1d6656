"""Webhook use cases: owners manage endpoints; events fan out to the outbox; deliveries
are sent, retried and logged; failing endpoints are disabled and their owners told.

API for other contexts (stable):

- ``services.webhooks.publish(event_type, event_id, data, partner_id)`` writes one
  delivery per enabled endpoint subscribed to ``event_type`` (every staff endpoint, and
  the endpoints of ``partner_id`` when the event is about that partner's data). Publishing
  the same ``event_id`` again writes nothing new.
- ``services.webhooks.publish_into(writes, ...)`` adds the same deliveries to the caller's
  own ``WriteSet``, so they are written exactly when the caller's change is (a commission
  entry and its ``commission.created``). A replay of the caller's change must fail on its
  own condition first: a delivery already in the outbox fails the ``webhook-delivery``
  label and with it the whole transaction.

Nothing is sent in the request: the table's stream hands each new delivery to the events
function (``deliver``), and the jobs function retries those that failed (``retry_due``).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from commerce.db.writes import ConditionsFailed, WriteSet
from commerce.ids import new_id
from commerce.notifications.model import Channel, Notification, TemplateName
from commerce.notifications.service import add_to_outbox
from commerce.orders.model import Order, OrderStatus
from commerce.problems import Problem, Rejected
from commerce.webhooks import store
from commerce.webhooks.commands import CreateEndpoint, UpdateEndpoint, field_problems
from commerce.webhooks.errors import WebhookErrorCode as Code
from commerce.webhooks.model import (
    MAX_ENDPOINTS_PER_OWNER,
    MAX_LOGGED_ATTEMPTS,
    PING,
    STAFF,
    Attempt,
    Caller,
    Delivery,
    DeliveryPage,
    DeliveryStatus,
    DisabledReason,
    Endpoint,
    Event,
    Owner,
    delivery_id,
    message_id,
    next_attempt_at,
)
from commerce.webhooks.order_events import order_data, order_event
from commerce.webhooks.sender import Sender
from commerce.webhooks.signing import SecretBox, SecretUnreadable, new_secret, signed_headers
from commerce.webhooks.urls import Resolver, url_problems

log = logging.getLogger("commerce.webhooks")

# A rotated-out secret still signs (beside the new one) this long, while receivers switch.
PREVIOUS_SECRET_GRACE = timedelta(hours=24)
# One retry run sends at most this many, within this much of the job's time.
RETRY_BATCH = 100
RETRY_BUDGET_SECONDS = 200.0


@dataclass(frozen=True, slots=True)
class CreatedEndpoint:
    """An endpoint and its signing secret: the only time the secret is shown."""

    endpoint: Endpoint
    secret: str


@dataclass(frozen=True, slots=True)
class RetryRun:
    """What one run of the retry job did."""

    due: int
    sent: int
    succeeded: int


def _not_found(at: str = "id") -> Rejected:
    return Rejected([Problem(Code.ENDPOINT_NOT_FOUND, "No such webhook endpoint", (at,))])


class WebhooksService:
    """Endpoints, fan-out and delivery."""

    def __init__(
        self,
        *,
        partner_email: Callable[[str], str | None],
        box: SecretBox | None,
        sender: Callable[[], Sender],
        deployed: bool,
        resolve: Resolver,
        disable_after_failures: int,
        send_timeout_seconds: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        signing_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._partner_email = partner_email
        self._box = box
        self._sender_factory = sender
        self._sender: Sender | None = None
        self._deployed = deployed
        self._resolve = resolve
        self._disable_after = disable_after_failures
        self._hold = timedelta(seconds=send_timeout_seconds * 3 + 30)
        self._clock = clock
        # The signature's timestamp is the moment of sending by the wall clock: receivers
        # refuse one more than five minutes off theirs, whatever time a job runs "for".
        self._signing_clock = signing_clock

    # -- endpoints -----------------------------------------------------------------------

    def create_endpoint(self, command: CreateEndpoint, caller: Caller) -> CreatedEndpoint:
        """A new endpoint for the caller, and its secret (shown this once)."""
        problems = field_problems(command.event_types, command.description, command.contact_email)
        problems += url_problems(command.url, deployed=self._deployed, resolve=self._resolve)
        owner = caller.owner
        if owner.is_staff and command.contact_email is None:
            problems.append(
                Problem(
                    Code.CONTACT_REQUIRED,
                    "Staff endpoints name whom to tell when they fail",
                    ("contactEmail",),
                )
            )
        if problems:
            raise Rejected(problems)
        box = self._signing_box()
        if len(store.owner_endpoints(owner)) >= MAX_ENDPOINTS_PER_OWNER:
            raise Rejected(
                [
                    Problem(
                        Code.TOO_MANY_ENDPOINTS,
                        f"At most {MAX_ENDPOINTS_PER_OWNER} endpoints per owner",
                        ("url",),
                    )
                ]
            )
        now = self._clock()
        endpoint = Endpoint(
            id=new_id(int(now.timestamp() * 1000)),
            owner=owner,
            url=command.url.strip(),
            event_types=command.event_types,
            description=command.description,
            contact_email=command.contact_email,
            created_at=now,
            updated_at=now,
        )
        secret = new_secret()
        store.insert_endpoint(endpoint, box.seal(secret))
        log.info("webhook endpoint created", extra={"endpoint_id": endpoint.id})
        return CreatedEndpoint(endpoint, secret)

    def update_endpoint(self, command: UpdateEndpoint, caller: Caller) -> Endpoint:
        """The endpoint with the changes asked for; enabling it clears its failure count."""
        problems = field_problems(command.event_types, command.description, command.contact_email)
        if command.url is not None:
            problems += url_problems(command.url, deployed=self._deployed, resolve=self._resolve)
        if problems:
            raise Rejected(problems)
        item = self._owned(command.endpoint_id, caller)
        current = store.endpoint_of(item)
        changed = dataclasses.replace(
            current,
            url=current.url if command.url is None else command.url.strip(),
            event_types=current.event_types if command.event_types is None else command.event_types,
            description=current.description if command.description is None else command.description,
            contact_email=current.contact_email
            if command.contact_email is None
            else command.contact_email,
            updated_at=max(self._clock(), current.updated_at + timedelta(microseconds=1)),
        )
        if command.enabled is True:
            changed = dataclasses.replace(changed, disabled_reason=None, consecutive_failures=0)
        elif command.enabled is False:
            changed = dataclasses.replace(changed, disabled_reason=DisabledReason.BY_OWNER)
        self._save(item, changed, item.sealed_secret, _previous(item))
        return changed

    def rotate_secret(self, endpoint_id: str, caller: Caller) -> CreatedEndpoint:
        """A new secret; the old one keeps signing beside it for a day."""
        box = self._signing_box()
        item = self._owned(endpoint_id, caller)
        now = self._clock()
        current = store.endpoint_of(item)
        changed = dataclasses.replace(
            current, updated_at=max(now, current.updated_at + timedelta(microseconds=1))
        )
        secret = new_secret()
        self._save(
            item, changed, box.seal(secret), (item.sealed_secret, now + PREVIOUS_SECRET_GRACE)
        )
        return CreatedEndpoint(changed, secret)

    def delete_endpoint(self, endpoint_id: str, caller: Caller) -> str:
        """Remove the endpoint; its deliveries stay in the log until they expire."""
        self._owned(endpoint_id, caller)
        if not store.delete_endpoint(endpoint_id):
            raise _not_found()
        return endpoint_id

    def endpoints(self, caller: Caller, partner_id: str | None = None) -> list[Endpoint]:
        """The caller's endpoints; staff see the staff's, or one partner's when named."""
        if caller.staff:
            return store.owner_endpoints(STAFF if partner_id is None else Owner(partner_id))
        return store.owner_endpoints(caller.owner)

    def deliveries(
        self, endpoint_id: str, caller: Caller, first: int, after: str | None
    ) -> DeliveryPage | None:
        """A page of the endpoint's delivery log, newest first; None when the caller has
        no such endpoint (unknown, or another owner's)."""
        endpoint = store.get_endpoint(endpoint_id)
        if endpoint is None or not caller.may_manage(endpoint.owner):
            return None
        key = None if after is None else store.decode_cursor(after)
        if after is not None and key is None:
            raise ValueError("after is not a cursor of this list")
        rows, more = store.endpoint_deliveries(endpoint_id, first, key)
        return DeliveryPage(
            deliveries=tuple(d for d, _ in rows),
            cursors=tuple(store.encode_cursor(k) for _, k in rows),
            has_next_page=more,
        )

    def replay(self, replayed_id: str, caller: Caller) -> Delivery:
        """Send a delivery's event again, as a new delivery with the same ``webhook-id``."""
        original = store.get_delivery(replayed_id)
        endpoint = None if original is None else store.get_endpoint(original.endpoint_id)
        if original is None or endpoint is None or not caller.may_manage(endpoint.owner):
            raise Rejected(
                [Problem(Code.DELIVERY_NOT_FOUND, "No such webhook delivery", ("deliveryId",))]
            )
        self._require_enabled(endpoint, "deliveryId")
        now = self._clock()
        replay = Delivery(
            id=new_id(int(now.timestamp() * 1000)),
            endpoint_id=original.endpoint_id,
            event_type=original.event_type,
            event_id=original.event_id,
            message_id=original.message_id,
            payload=original.payload,
            created_at=now,
            replay_of=original.id,
            partner_id=original.partner_id,
        )
        store.insert_delivery(replay)
        return replay

    def test_endpoint(self, endpoint_id: str, caller: Caller) -> Delivery:
        """A ``ping`` event for this endpoint alone, sent like any other."""
        item = self._owned(endpoint_id, caller)
        endpoint = store.endpoint_of(item)
        self._require_enabled(endpoint, "id")
        now = self._clock()
        event = Event(PING, f"ping:{new_id(int(now.timestamp() * 1000))}", {}, now)
        ping = self._delivery(endpoint, event, now)
        store.insert_delivery(ping)
        return ping

    def _signing_box(self) -> SecretBox:
        if self._box is None:
            raise Rejected(
                [
                    Problem(
                        Code.SIGNING_UNAVAILABLE,
                        "Webhooks are not set up in this stage (no signing key)",
                        ("url",),
                    )
                ]
            )
        return self._box

    def _owned(self, endpoint_id: str, caller: Caller) -> store.WebhookEndpointItem:
        item = store.get_endpoint_item(endpoint_id)
        if item is None or not caller.may_manage(Owner(item.partner_id)):
            raise _not_found()
        return item

    @staticmethod
    def _require_enabled(endpoint: Endpoint, at: str) -> None:
        if not endpoint.enabled:
            raise Rejected(
                [
                    Problem(
                        Code.ENDPOINT_DISABLED,
                        "The endpoint is disabled: enable it first (webhookEndpointUpdate)",
                        (at,),
                    )
                ]
            )

    @staticmethod
    def _save(
        item: store.WebhookEndpointItem,
        changed: Endpoint,
        sealed: str,
        previous: tuple[str, datetime] | None,
    ) -> None:
        if not store.save_endpoint(changed, sealed, previous, item.updated_at):
            # Changed at the same moment (a delivery disabling it): the caller reads again.
            raise Rejected(
                [Problem(Code.ENDPOINT_NOT_FOUND, "The endpoint changed meanwhile; retry", ("id",))]
            )

    # -- fan-out -------------------------------------------------------------------------

    def publish(
        self,
        event_type: str,
        event_id: str,
        data: Mapping[str, object],
        partner_id: str | None,
    ) -> None:
        """Write one delivery per endpoint that receives the event; idempotent by
        (endpoint, event id). Each is its own conditional put, so a retry after a failure
        half-way writes only what is missing."""
        now = self._clock()
        for delivery in self._fan_out(Event(event_type, event_id, data, now, partner_id), now):
            store.insert_delivery(delivery)

    def publish_into(
        self,
        writes: WriteSet,
        event_type: str,
        event_id: str,
        data: Mapping[str, object],
        partner_id: str | None,
    ) -> int:
        """Add the event's deliveries to the caller's ``writes``; how many were added."""
        now = self._clock()
        deliveries = self._fan_out(Event(event_type, event_id, data, now, partner_id), now)
        for delivery in deliveries:
            store.add_delivery(writes, delivery)
        return len(deliveries)

    def publish_order_change(self, order: Order, previous: OrderStatus | None) -> None:
        """``order.paid``/``refunded``/``cancelled``/``fulfilled`` for an order's change;
        the referring partner receives it too."""
        found = order_event(order, previous)
        if found is not None:
            event_type, event_id = found
            self.publish(event_type.value, event_id, order_data(order), order.affiliate_id)

    def _fan_out(self, event: Event, now: datetime) -> list[Delivery]:
        endpoints = store.owner_endpoints(STAFF)
        if event.partner_id is not None:
            endpoints += store.owner_endpoints(Owner(event.partner_id))
        return [
            self._delivery(e, event, now)
            for e in endpoints
            if e.receives(event.type, event.partner_id)
        ]

    @staticmethod
    def _delivery(endpoint: Endpoint, event: Event, now: datetime) -> Delivery:
        payload = json.dumps(
            {"type": event.type, "timestamp": event.occurred_at.isoformat(), "data": event.data},
            separators=(",", ":"),
            sort_keys=True,
        )
        return Delivery(
            id=delivery_id(endpoint.id, event.id),
            endpoint_id=endpoint.id,
            event_type=event.type,
            event_id=event.id,
            message_id=message_id(endpoint.id, event.id),
            payload=payload,
            created_at=now,
            partner_id=endpoint.owner.partner_id,
        )

    # -- delivery ------------------------------------------------------------------------

    def deliver(self, delivery_id_: str) -> DeliveryStatus | None:
        """Send a new delivery (the events function, on its INSERT); None when there was
        nothing to send (gone, done, or held by another sender)."""
        delivery = store.get_delivery(delivery_id_)
        if delivery is None or delivery.status is not DeliveryStatus.PENDING or delivery.attempts:
            return None
        return self._attempt(delivery, self._clock())

    def retry_due(self, now: datetime) -> RetryRun:
        """Try again every delivery whose retry is due at ``now`` (the jobs function)."""
        due = store.due_deliveries(now, RETRY_BATCH)
        started = time.monotonic()
        sent = succeeded = 0
        for found in due:
            if time.monotonic() - started > RETRY_BUDGET_SECONDS:
                break
            delivery = store.get_delivery(found)
            if (
                delivery is None
                or delivery.status is not DeliveryStatus.PENDING
                or (delivery.next_attempt_at is not None and delivery.next_attempt_at > now)
            ):
                continue
            outcome = self._attempt(delivery, now)
            if outcome is not None:
                sent += 1
                succeeded += outcome is DeliveryStatus.SUCCEEDED
        return RetryRun(due=len(due), sent=sent, succeeded=succeeded)

    def _attempt(self, delivery: Delivery, now: datetime) -> DeliveryStatus | None:
        item = store.get_endpoint_item(delivery.endpoint_id)
        if not store.claim(delivery, now, self._hold):
            return None
        if item is None or item.disabled_reason is not None:
            why = "the endpoint was deleted" if item is None else "the endpoint is disabled"
            return self._record(delivery, Attempt(now, None, 0, why), DeliveryStatus.FAILED)
        try:
            secrets = self._secrets(item, now)
        except SecretUnreadable:
            log.error("webhook secret unreadable", extra={"endpoint_id": item.endpoint_id})
            attempt = Attempt(now, None, 0, "the signing secret could not be read")
        else:
            headers = signed_headers(
                secrets, delivery.message_id, self._signing_clock(), delivery.payload
            )
            answer = self._get_sender().post(item.url, headers, delivery.payload.encode())
            attempt = Attempt(now, answer.status_code, answer.duration_ms, answer.error)
        if attempt.succeeded:
            store.reset_failures(item.endpoint_id)
            return self._record(delivery, attempt, DeliveryStatus.SUCCEEDED)
        failures = store.count_failure(item.endpoint_id)
        attempts = len(delivery.attempts) + 1
        retry_at = next_attempt_at(delivery.created_at, attempts, now)
        if retry_at is not None and failures < self._disable_after:
            return self._record(delivery, attempt, DeliveryStatus.PENDING, retry_at)
        self._record(delivery, attempt, DeliveryStatus.FAILED)
        reason = (
            f"{failures} deliveries in a row failed"
            if failures >= self._disable_after
            else "an event could not be delivered for three days"
        )
        self._disable(store.endpoint_of(item), reason, now)
        return DeliveryStatus.FAILED

    def _record(
        self,
        delivery: Delivery,
        attempt: Attempt,
        status: DeliveryStatus,
        retry_at: datetime | None = None,
    ) -> DeliveryStatus:
        updated = dataclasses.replace(
            delivery,
            status=status,
            attempts=(*delivery.attempts, attempt)[-MAX_LOGGED_ATTEMPTS:],
            next_attempt_at=retry_at,
        )
        store.record_attempt(updated)
        log.info(
            "webhook attempt",
            extra={
                "delivery_id": delivery.id,
                "endpoint_id": delivery.endpoint_id,
                "status_code": attempt.status_code,
                "outcome": status.value,
            },
        )
        return status

    def _secrets(self, item: store.WebhookEndpointItem, now: datetime) -> list[str]:
        if self._box is None:
            raise SecretUnreadable("no signing key in this stage")
        found = [self._box.open(item.sealed_secret)]
        until = item.previous_secret_until
        if item.previous_sealed_secret and until is not None and until > now:
            found.append(self._box.open(item.previous_sealed_secret))
        return found

    def _disable(self, endpoint: Endpoint, reason: str, now: datetime) -> None:
        """Disable a failing endpoint and tell its owner, in one transaction (once)."""
        writes = WriteSet()
        store.disable_for_failures(writes, endpoint.id, now)
        recipient = endpoint.contact_email
        if recipient is None and endpoint.owner.partner_id is not None:
            recipient = self._partner_email(endpoint.owner.partner_id)
        if recipient:
            notice = Notification.new(
                Channel.EMAIL,
                TemplateName.WEBHOOK_ENDPOINT_DISABLED,
                recipient,
                {"url": endpoint.url, "reason": reason},
                now,
            )
            add_to_outbox(writes, notice, label="notification")
        try:
            writes.commit()
        except ConditionsFailed:
            return  # disabled already (by its owner, or another failure just now)
        log.warning("webhook endpoint disabled", extra={"endpoint_id": endpoint.id})

    def _get_sender(self) -> Sender:
        if self._sender is None:
            self._sender = self._sender_factory()
        return self._sender


def _previous(item: store.WebhookEndpointItem) -> tuple[str, datetime] | None:
    if item.previous_sealed_secret and item.previous_secret_until is not None:
        return item.previous_sealed_secret, item.previous_secret_until
    return None
