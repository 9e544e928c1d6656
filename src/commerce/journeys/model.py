"""Storefront events, their touch context, and the limits every event must respect.

Pure: frozen dataclasses and checks, no I/O. The GraphQL mutation and the beacon both
build ``EventDraft``s and run ``check_event``, so the two doors refuse the same things
with the same codes.

An event holds no personal data beyond ids: the referrer is reduced to its host (a
referrer URL's path and query can carry an e-mail address or a reset token), the user
agent to its family ("Chrome", "Mobile Safari", the app's name), and a search query is
cut to ``MAX_QUERY`` characters.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from commerce.journeys.errors import JourneyErrorCode as Code
from commerce.principals import Channel
from commerce.problems import Problem

# One batch: what a page flushes on unload, or an app in a background flush.
MAX_EVENTS_PER_BATCH = 50
# The beacon's body limit (navigator.sendBeacon caps at 64 KiB in most browsers).
MAX_BEACON_BYTES = 32 * 1024
# Clocks drift; a phone offline for a day flushes late. Older or later is refused.
MAX_FUTURE_SKEW = timedelta(minutes=5)
MAX_EVENT_AGE = timedelta(days=3)
# Field limits keep every stored event under 1 KB, one write unit (docs/journeys-guide.md).
MAX_ID = 64
MAX_PRODUCT_ID = 32
MAX_UTM = 50
MAX_CLICK_ID = 120
MAX_HOST = 80
MAX_QUERY = 60
MAX_USER_AGENT = 512
MAX_PATH = 64

_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class EventKind(enum.Enum):
    """What the shopper did."""

    PAGE_VIEW = "PAGE_VIEW"
    PRODUCT_VIEW = "PRODUCT_VIEW"
    ADD_TO_CART = "ADD_TO_CART"
    SEARCH = "SEARCH"
    CHECKOUT_STARTED = "CHECKOUT_STARTED"


class ViewPhase(enum.Enum):
    """A product view is reported as it starts, while it lasts, and when it ends."""

    START = "START"
    HEARTBEAT = "HEARTBEAT"
    END = "END"


class ClickIdKind(enum.Enum):
    """The ad platforms' click ids a landing URL may carry."""

    GCLID = "gclid"
    FBCLID = "fbclid"
    MSCLKID = "msclkid"
    TTCLID = "ttclid"


@dataclass(frozen=True, slots=True)
class TouchContext:
    """Where a visit came from, as the landing hit reports it.

    A client sends it on the first hit of each visit (the landing page, an app opened
    from a link); an event carrying it is a *touch* of the journey, and a touch with no
    campaign, click id, referrer or affiliate is a direct visit.
    """

    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None
    click_id_kind: ClickIdKind | None = None
    click_id: str | None = None
    referrer_host: str | None = None
    affiliate_id: str | None = None


@dataclass(frozen=True, slots=True)
class EventDraft:
    """One event as a client sent it, before the checks."""

    event_id: str
    kind: EventKind
    at: datetime
    product_id: str | None = None
    phase: ViewPhase | None = None
    query: str | None = None
    path: str | None = None
    quantity: int | None = None
    touch: TouchContext | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One stored event of a visitor, with what the request told about the device."""

    visitor_id: str
    event_id: str
    kind: EventKind
    at: datetime
    sales_channel: Channel
    app: str | None = None
    product_id: str | None = None
    phase: ViewPhase | None = None
    query: str | None = None
    path: str | None = None
    quantity: int | None = None
    touch: TouchContext | None = None
    marketing_channel: str | None = None


@dataclass(frozen=True, slots=True)
class Visitor:
    """A first-party visitor: the browser or app install that holds one visitor token."""

    id: str
    created_at: datetime
    consent: bool | None = None
    customer_id: str | None = None


@dataclass(frozen=True, slots=True)
class Recorded:
    """What one batch did: events stored now, ones already stored (duplicates)."""

    visitor_token: str
    visitor: Visitor
    stored: int
    duplicates: int
    event_ids: tuple[str, ...] = field(default=())


def valid_client_id(value: str) -> bool:
    """A client event id or a product id: short, printable, no separators of our keys."""
    return bool(_ID_PATTERN.match(value))


def referrer_host(referrer: str) -> str | None:
    """The host of a referrer URL, lower-cased; None when it has none."""
    try:
        host = urlsplit(referrer.strip()).hostname
    except ValueError:
        return None
    return host.lower()[:MAX_HOST] if host else None


def check_event(draft: EventDraft, now: datetime, at: tuple[str, ...]) -> list[Problem]:
    """Every problem of one event, at ``at`` (its path in the input)."""
    problems: list[Problem] = []
    if not valid_client_id(draft.event_id):
        problems.append(
            Problem(Code.INVALID, "eventId is 1 to 64 of A-Z a-z 0-9 _ . : -", (*at, "eventId"))
        )
    if draft.at > now + MAX_FUTURE_SKEW:
        problems.append(
            Problem(
                Code.TIMESTAMP_IN_FUTURE,
                "occurredAt is more than 5 minutes ahead of the server's clock",
                (*at, "occurredAt"),
            )
        )
    elif draft.at < now - MAX_EVENT_AGE:
        problems.append(
            Problem(
                Code.TIMESTAMP_TOO_OLD, "occurredAt is more than 3 days old", (*at, "occurredAt")
            )
        )
    if draft.kind is EventKind.PRODUCT_VIEW:
        if draft.product_id is None:
            problems.append(
                Problem(Code.INVALID, "A product view names its productId", (*at, "productId"))
            )
        if draft.phase is None:
            problems.append(Problem(Code.INVALID, "A product view says its phase", (*at, "phase")))
    if draft.kind is EventKind.ADD_TO_CART and draft.product_id is None:
        problems.append(
            Problem(Code.INVALID, "An add to cart names its productId", (*at, "productId"))
        )
    if draft.product_id is not None and (
        len(draft.product_id) > MAX_PRODUCT_ID or not valid_client_id(draft.product_id)
    ):
        problems.append(Problem(Code.INVALID_ID, "Not a valid product id", (*at, "productId")))
    if draft.quantity is not None and not 1 <= draft.quantity <= 999:
        problems.append(Problem(Code.INVALID, "quantity is 1 to 999", (*at, "quantity")))
    problems += _lengths(draft, at)
    return problems


def _lengths(draft: EventDraft, at: tuple[str, ...]) -> list[Problem]:
    limits: list[tuple[str | None, int, tuple[str, ...]]] = [
        (draft.query, MAX_QUERY, ("query",)),
        (draft.path, MAX_PATH, ("path",)),
    ]
    touch = draft.touch
    if touch is not None:
        limits += [
            (touch.utm_source, MAX_UTM, ("touch", "utmSource")),
            (touch.utm_medium, MAX_UTM, ("touch", "utmMedium")),
            (touch.utm_campaign, MAX_UTM, ("touch", "utmCampaign")),
            (touch.utm_term, MAX_UTM, ("touch", "utmTerm")),
            (touch.utm_content, MAX_UTM, ("touch", "utmContent")),
            (touch.click_id, MAX_CLICK_ID, ("touch", "clickId")),
            (touch.affiliate_id, MAX_ID, ("touch", "affiliateId")),
        ]
    return [
        Problem(Code.FIELD_TOO_LONG, f"At most {limit} characters", (*at, *path))
        for value, limit, path in limits
        if value is not None and len(value) > limit
    ]


def check_batch_size(count: int) -> list[Problem]:
    """A batch holds 1 to ``MAX_EVENTS_PER_BATCH`` events."""
    if count == 0:
        return [Problem(Code.INVALID, "Send at least one event", ("events",))]
    if count > MAX_EVENTS_PER_BATCH:
        return [
            Problem(
                Code.TOO_MANY_EVENTS,
                f"At most {MAX_EVENTS_PER_BATCH} events per batch, not {count}",
                ("events",),
            )
        ]
    return []
