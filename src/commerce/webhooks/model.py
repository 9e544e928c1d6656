"""Endpoints, deliveries and the retry schedule: plain values, no I/O.

A delivery is one event for one endpoint. It is written to the outbox once per
(endpoint, event id), sent by the events function, and retried on a fixed, growing
schedule for up to three days; each try is an ``Attempt`` in its log.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta


class EventType(enum.StrEnum):
    """What an endpoint may subscribe to; the value is the payload's ``type``."""

    ORDER_PAID = "order.paid"
    ORDER_REFUNDED = "order.refunded"
    ORDER_CANCELLED = "order.cancelled"
    ORDER_FULFILLED = "order.fulfilled"
    COMMISSION_CREATED = "commission.created"
    COMMISSION_REVERSED = "commission.reversed"
    PAYOUT_PAID = "payout.paid"


# Sent by ``webhookEndpointTest`` to the one endpoint tested; nobody subscribes to it.
PING = "ping"

# Fan-out reads every endpoint of the staff and of one partner, and a caller's
# transaction must hold one delivery per endpoint: a bound keeps both small.
MAX_ENDPOINTS_PER_OWNER = 20
MAX_DESCRIPTION_LENGTH = 200

# How long after the event a delivery is still tried, and the wait after each failed
# attempt (the last wait repeats). The jobs schedule runs every minute, so the first
# retry goes out within a minute rather than after exactly five seconds.
DELIVERY_WINDOW = timedelta(days=3)
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
)
# A delivery's log keeps its latest attempts; older ones are dropped (replays add more).
MAX_LOGGED_ATTEMPTS = 20


@dataclass(frozen=True, slots=True)
class Owner:
    """Who an endpoint belongs to: the store's staff (no partner) or one partner."""

    partner_id: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.partner_id is None


STAFF = Owner()


@dataclass(frozen=True, slots=True)
class Caller:
    """Who manages endpoints in a request: staff (any endpoint) or a partner (its own)."""

    staff: bool
    partner_id: str | None = None

    def may_manage(self, owner: Owner) -> bool:
        return self.staff or (owner.partner_id is not None and owner.partner_id == self.partner_id)

    @property
    def owner(self) -> Owner:
        """The owner of the endpoints this caller creates."""
        return STAFF if self.staff else Owner(self.partner_id)


class DisabledReason(enum.StrEnum):
    """Why an endpoint receives nothing."""

    BY_OWNER = "BY_OWNER"
    FAILING = "FAILING"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where an owner wants events of some types POSTed."""

    id: str
    owner: Owner
    url: str
    event_types: frozenset[EventType]
    description: str
    contact_email: str | None
    created_at: datetime
    updated_at: datetime
    disabled_reason: DisabledReason | None = None
    consecutive_failures: int = 0

    @property
    def enabled(self) -> bool:
        return self.disabled_reason is None

    def receives(self, event_type: str, partner_id: str | None) -> bool:
        """Whether an event of ``event_type`` about ``partner_id``'s data goes here.

        Staff endpoints get every event of their types; a partner's only those about its
        own data, never another partner's or the store's alone.
        """
        if not self.enabled or event_type not in self.event_types:
            return False
        return self.owner.is_staff or (
            partner_id is not None and partner_id == self.owner.partner_id
        )


class DeliveryStatus(enum.StrEnum):
    """Where a delivery is: still being tried, received, or given up."""

    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class Attempt:
    """One POST: the answer's status code (None when there was none) and how long it took."""

    at: datetime
    status_code: int | None
    duration_ms: int
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event for one endpoint, with its attempts."""

    id: str
    endpoint_id: str
    event_type: str
    event_id: str
    # The ``webhook-id`` header: the same for every attempt and replay of one event to one
    # endpoint, so that receivers can drop what they already processed.
    message_id: str
    payload: str
    created_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: tuple[Attempt, ...] = ()
    next_attempt_at: datetime | None = None
    replay_of: str | None = None
    partner_id: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """An event as published: its type, its id (one delivery per endpoint), its data."""

    type: str
    id: str
    data: Mapping[str, object]
    occurred_at: datetime
    partner_id: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryPage:
    """A page of an endpoint's deliveries, newest first."""

    deliveries: tuple[Delivery, ...]
    cursors: tuple[str, ...] = field(default=())
    has_next_page: bool = False


def delivery_id(endpoint_id: str, event_id: str) -> str:
    """The id of an event's first delivery to an endpoint: the same however often the
    event is published, so the outbox holds it once."""
    return hashlib.sha256(f"{endpoint_id}\x00{event_id}".encode()).hexdigest()[:32]


def message_id(endpoint_id: str, event_id: str) -> str:
    return f"msg_{delivery_id(endpoint_id, event_id)}"


def next_attempt_at(created_at: datetime, attempts_made: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts_made`` attempts, the last failed at ``now``;
    None once that would fall past the delivery window (the delivery has failed)."""
    if attempts_made < 1:
        return now
    delay = RETRY_DELAYS[min(attempts_made, len(RETRY_DELAYS)) - 1]
    at = now + delay
    return at if at <= created_at + DELIVERY_WINDOW else None
