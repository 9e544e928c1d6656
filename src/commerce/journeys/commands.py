"""The use cases' inputs, built alike from the GraphQL input and from the beacon's JSON.

Both doors hand ``event_draft`` the same plain fields (``RawEvent``), so an event the
mutation refuses the beacon refuses too, with the same code and the same field path.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from commerce.journeys.errors import JourneyErrorCode as Code
from commerce.journeys.model import (
    MAX_CLICK_ID,
    ClickIdKind,
    EventDraft,
    EventKind,
    TouchContext,
    ViewPhase,
    check_batch_size,
    check_event,
    referrer_host,
)
from commerce.journeys.tokens import MAX_TOKEN
from commerce.money import Currency, Money, parse_currency
from commerce.principals import Channel
from commerce.problems import Problem

# A global id names a Product or a Partner; decoding it is the GraphQL kernel's job.
DecodeId = Callable[[str], str | None]
_MAX_TEXT = 2048


@dataclass(frozen=True, slots=True)
class RawTouch:
    """The touch context as a client sends it."""

    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None
    gclid: str | None = None
    fbclid: str | None = None
    msclkid: str | None = None
    ttclid: str | None = None
    referrer: str | None = None
    affiliate_id: str | None = None


@dataclass(frozen=True, slots=True)
class RawEvent:
    """One event as a client sends it: names as the schema spells them."""

    event_id: str
    kind: str
    occurred_at: datetime | None
    product_id: str | None = None
    phase: str | None = None
    query: str | None = None
    path: str | None = None
    quantity: int | None = None
    touch: RawTouch | None = None


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the request itself says about the caller, whichever door it came through."""

    sales_channel: Channel
    customer_id: str | None = None
    user_agent: str | None = None
    app: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class RecordEvents:
    """A batch of one visitor's events; no token: a new visitor (its token is returned)."""

    visitor_token: str | None
    events: tuple[EventDraft, ...]


@dataclass(frozen=True, slots=True)
class StartVisitor:
    """A new visitor, with the consent the shopper gave already (None: not asked yet)."""

    consent: bool | None = None


@dataclass(frozen=True, slots=True)
class SetConsent:
    """The visitor's analytics consent, given or withdrawn."""

    visitor_token: str | None
    analytics: bool


@dataclass(frozen=True, slots=True)
class JourneyWindow:
    """A date range of reports: ``start`` inclusive, ``end`` exclusive (UTC days)."""

    start: datetime
    end: datetime


def _touch(
    raw: RawTouch, at: tuple[str, ...], problems: list[Problem], decode_partner: DecodeId
) -> TouchContext:
    click: tuple[ClickIdKind, str] | None = None
    for kind in ClickIdKind:
        value = getattr(raw, kind.value)
        if value:
            if len(value) > MAX_CLICK_ID:
                problems.append(
                    Problem(
                        Code.FIELD_TOO_LONG, f"At most {MAX_CLICK_ID} characters", (*at, kind.value)
                    )
                )
            elif click is None:
                click = (kind, value)
    affiliate = None
    if raw.affiliate_id:
        affiliate = decode_partner(raw.affiliate_id)
        if affiliate is None:
            problems.append(
                Problem(Code.INVALID_ID, "Not a valid Partner ID", (*at, "affiliateId"))
            )
    host = referrer_host(raw.referrer[:_MAX_TEXT]) if raw.referrer else None
    return TouchContext(
        utm_source=_clean(raw.utm_source),
        utm_medium=_clean(raw.utm_medium),
        utm_campaign=_clean(raw.utm_campaign),
        utm_term=_clean(raw.utm_term),
        utm_content=_clean(raw.utm_content),
        click_id_kind=click[0] if click else None,
        click_id=click[1] if click else None,
        referrer_host=host,
        affiliate_id=affiliate,
    )


def _clean(value: str | None) -> str | None:
    stripped = value.strip() if value is not None else None
    return stripped or None


def event_draft(
    raw: RawEvent,
    at: tuple[str, ...],
    now: datetime,
    decode_product: DecodeId,
    decode_partner: DecodeId,
) -> tuple[EventDraft | None, list[Problem]]:
    """The event, or None with every problem found (paths under ``at``)."""
    problems: list[Problem] = []
    try:
        kind = EventKind(raw.kind)
    except ValueError:
        names = ", ".join(k.value for k in EventKind)
        return None, [Problem(Code.UNKNOWN_EVENT_KIND, f"kind is one of {names}", (*at, "kind"))]
    phase = None
    if raw.phase is not None:
        try:
            phase = ViewPhase(raw.phase)
        except ValueError:
            problems.append(
                Problem(Code.INVALID, "phase is START, HEARTBEAT or END", (*at, "phase"))
            )
    product = None
    if raw.product_id is not None:
        product = decode_product(raw.product_id)
        if product is None:
            problems.append(Problem(Code.INVALID_ID, "Not a valid Product ID", (*at, "productId")))
    touch = (
        _touch(raw.touch, (*at, "touch"), problems, decode_partner)
        if raw.touch is not None
        else None
    )
    # Without a time the event happened as it arrived (a live storefront's own hits).
    when = raw.occurred_at or now
    occurred = when if when.tzinfo else when.replace(tzinfo=UTC)
    draft = EventDraft(
        event_id=raw.event_id,
        kind=kind,
        at=occurred.astimezone(UTC),
        product_id=product,
        phase=phase,
        query=_clean(raw.query),
        path=_clean(raw.path),
        quantity=raw.quantity,
        touch=touch,
    )
    problems += check_event(draft, now, at)
    return (None if problems else draft), problems


def record_events(
    visitor_token: str | None,
    raws: list[RawEvent],
    now: datetime,
    decode_product: DecodeId,
    decode_partner: DecodeId,
) -> tuple[RecordEvents | None, list[Problem]]:
    """The batch, or None with every problem of it; a batch is stored whole or not at all."""
    problems = check_batch_size(len(raws))
    if visitor_token is not None and len(visitor_token) > MAX_TOKEN:
        problems.append(
            Problem(Code.INVALID_VISITOR_TOKEN, "Not a visitor token", ("visitorToken",))
        )
    if problems:
        return None, problems
    drafts: list[EventDraft] = []
    for index, raw in enumerate(raws):
        draft, found = event_draft(raw, ("events", str(index)), now, decode_product, decode_partner)
        problems += found
        if draft is not None:
            drafts.append(draft)
    if problems:
        return None, problems
    return RecordEvents(visitor_token, tuple(drafts)), []


# -- the beacon's JSON ----------------------------------------------------------------------


class BeaconShapeError(ValueError):
    """The body is not the documented JSON shape; ``problem`` says where."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.message)


_EVENT_FIELDS = {
    "eventId",
    "kind",
    "occurredAt",
    "productId",
    "phase",
    "query",
    "path",
    "quantity",
    "touch",
}
_TOUCH_FIELDS = {
    "utmSource": "utm_source",
    "utmMedium": "utm_medium",
    "utmCampaign": "utm_campaign",
    "utmTerm": "utm_term",
    "utmContent": "utm_content",
    "gclid": "gclid",
    "fbclid": "fbclid",
    "msclkid": "msclkid",
    "ttclid": "ttclid",
    "referrer": "referrer",
    "affiliateId": "affiliate_id",
}


def _text(
    obj: Mapping[str, Any], name: str, at: tuple[str, ...], required: bool = False
) -> str | None:
    value = obj.get(name)
    if value is None:
        if required:
            raise BeaconShapeError(Problem(Code.INVALID, f"{name} is required", (*at, name)))
        return None
    if not isinstance(value, str):
        raise BeaconShapeError(Problem(Code.INVALID, f"{name} is a string", (*at, name)))
    if len(value) > _MAX_TEXT:
        raise BeaconShapeError(Problem(Code.FIELD_TOO_LONG, "Field too long", (*at, name)))
    return value


def _timestamp(obj: Mapping[str, Any], at: tuple[str, ...]) -> datetime | None:
    raw = _text(obj, "occurredAt", at)
    if raw is None:
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BeaconShapeError(
            Problem(Code.INVALID, "occurredAt is an ISO 8601 date-time", (*at, "occurredAt"))
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def beacon_payload(body: Any) -> tuple[str | None, list[RawEvent]]:
    """(visitor token, raw events) of a beacon body; ``BeaconShapeError`` if malformed.

    The same names as the mutation's input: ``{"visitorToken": ..., "events": [...]}``.
    """
    if not isinstance(body, dict):
        raise BeaconShapeError(Problem(Code.INVALID, "The body is a JSON object"))
    token = _text(body, "visitorToken", ())
    events = body.get("events")
    if not isinstance(events, list):
        raise BeaconShapeError(Problem(Code.INVALID, "events is a list", ("events",)))
    problems = check_batch_size(len(events))
    if problems:
        raise BeaconShapeError(problems[0])
    raws = []
    for index, event in enumerate(events):
        at = ("events", str(index))
        if not isinstance(event, dict):
            raise BeaconShapeError(Problem(Code.INVALID, "An event is a JSON object", at))
        unknown = sorted(set(event) - _EVENT_FIELDS)
        if unknown:
            raise BeaconShapeError(Problem(Code.INVALID, f"Unknown field {unknown[0][:40]!r}", at))
        quantity = event.get("quantity")
        if quantity is not None and (isinstance(quantity, bool) or not isinstance(quantity, int)):
            raise BeaconShapeError(
                Problem(Code.INVALID, "quantity is an integer", (*at, "quantity"))
            )
        touch = event.get("touch")
        raw_touch = None
        if touch is not None:
            if not isinstance(touch, dict) or set(touch) - set(_TOUCH_FIELDS):
                raise BeaconShapeError(
                    Problem(Code.INVALID, "touch holds the documented fields only", (*at, "touch"))
                )
            raw_touch = RawTouch(
                **{name: _text(touch, key, (*at, "touch")) for key, name in _TOUCH_FIELDS.items()}
            )
        event_id = _text(event, "eventId", at, required=True)
        kind = _text(event, "kind", at, required=True)
        assert event_id is not None
        assert kind is not None
        raws.append(
            RawEvent(
                event_id=event_id,
                kind=kind,
                occurred_at=_timestamp(event, at),
                product_id=_text(event, "productId", at),
                phase=_text(event, "phase", at),
                query=_text(event, "query", at),
                path=_text(event, "path", at),
                quantity=quantity,
                touch=raw_touch,
            )
        )
    return token, raws


# -- ad spend ---------------------------------------------------------------------------

MAX_SPEND_ROWS = 5_000
AD_SPEND_COLUMNS = ("date", "channel", "campaign", "currency", "amount")


@dataclass(frozen=True, slots=True)
class AdSpendRow:
    """Spend on one campaign of one channel on one day, in minor units."""

    day: date
    channel: str
    campaign: str
    amount: int
    currency: Currency


def ad_spend_row(
    day: date, channel: str, campaign: str, amount: Money, at: tuple[str, ...]
) -> tuple[AdSpendRow | None, list[Problem]]:
    """One row, or the problems with it (the mutation's and the CSV's one rule)."""
    problems = []
    if amount.amount < 0:
        problems.append(Problem(Code.INVALID_AD_SPEND, "Spend is not negative", (*at, "amount")))
    for name, text in (("channel", channel), ("campaign", campaign)):
        if not 1 <= len(text.strip()) <= 80 or "#" in text:
            problems.append(Problem(Code.INVALID_AD_SPEND, "1 to 80 characters, no #", (*at, name)))
    if problems:
        return None, problems
    return AdSpendRow(day, channel.strip(), campaign.strip(), amount.amount, amount.currency), []


def ad_spend_csv(text: str) -> tuple[list[AdSpendRow], list[Problem]]:
    """Rows of a CSV with the header ``date,channel,campaign,currency,amount`` (amounts in
    major units, e.g. ``12.50``); every problem, by line, when any row is wrong."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header) != AD_SPEND_COLUMNS:
        return [], [Problem(Code.INVALID_AD_SPEND, f"The header is {','.join(AD_SPEND_COLUMNS)}")]
    rows: list[AdSpendRow] = []
    problems: list[Problem] = []
    for line, cells in enumerate(reader, start=2):
        if not cells:
            continue
        at = (f"line {line}",)
        if len(cells) != len(AD_SPEND_COLUMNS):
            problems.append(Problem(Code.INVALID_AD_SPEND, "Five columns", at))
            continue
        raw_day, channel, campaign, raw_currency, raw_amount = (c.strip() for c in cells)
        try:
            day = date.fromisoformat(raw_day)
            money = Money.from_decimal(Decimal(raw_amount), parse_currency(raw_currency))
        except (ValueError, ArithmeticError) as exc:
            problems.append(Problem(Code.INVALID_AD_SPEND, str(exc)[:200], at))
            continue
        row, found = ad_spend_row(day, channel, campaign, money, at)
        problems += found
        if row is not None:
            rows.append(row)
    if len(rows) > MAX_SPEND_ROWS:
        problems.append(Problem(Code.INVALID_AD_SPEND, f"At most {MAX_SPEND_ROWS} rows a file"))
    return (rows if not problems else []), problems
