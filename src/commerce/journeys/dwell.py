"""Dwell time: how long a shopper looked at each product, per product and per visit.

A product view is reported as START, HEARTBEATs (a client sends one every 15 s while
the page is visible) and END. The time between two consecutive reports of the same
view counts, but never more than ``MAX_GAP``: a tab left in the background, or a phone
put away without an END, stops sending heartbeats, and that silence is not attention.
A new START (or another product's report) closes the view before it. Visits are split
where the shopper was silent for ``VISIT_TIMEOUT`` (the 30 minutes analytics tools use).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from commerce.journeys.model import Event, EventKind, ViewPhase

MAX_GAP = timedelta(seconds=60)
VISIT_TIMEOUT = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class VisitDwell:
    """One visit's attention: when it started and the seconds per product in it."""

    started_at: datetime
    seconds: int
    by_product: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Dwell:
    """Seconds per product over every visit, and each visit's own figures."""

    by_product: tuple[tuple[str, int], ...]
    visits: tuple[VisitDwell, ...]


def dwell(events: Iterable[Event]) -> Dwell:
    """Dwell of a visitor's events (any order; only product views count)."""
    ordered = sorted(events, key=lambda e: (e.at, e.event_id))
    visits: list[VisitDwell] = []
    totals: dict[str, float] = {}
    current: dict[str, float] = {}
    started: datetime | None = None
    last_seen: datetime | None = None
    open_view: Event | None = None
    for event in ordered:
        if last_seen is not None and event.at - last_seen >= VISIT_TIMEOUT:
            assert started is not None
            visits.append(_visit(started, current))
            current, open_view, started = {}, None, None
        if started is None:
            started = event.at
        last_seen = event.at
        if event.kind is not EventKind.PRODUCT_VIEW or event.product_id is None:
            continue
        if (
            open_view is not None
            and open_view.product_id == event.product_id
            and event.phase is not ViewPhase.START
        ):
            seconds = min(event.at - open_view.at, MAX_GAP).total_seconds()
            current[event.product_id] = current.get(event.product_id, 0.0) + seconds
            totals[event.product_id] = totals.get(event.product_id, 0.0) + seconds
        else:
            current.setdefault(event.product_id, 0.0)
            totals.setdefault(event.product_id, 0.0)
        open_view = None if event.phase is ViewPhase.END else event
    if started is not None:
        visits.append(_visit(started, current))
    return Dwell(by_product=_ranked(totals), visits=tuple(visits))


def _ranked(seconds: dict[str, float]) -> tuple[tuple[str, int], ...]:
    return tuple(
        sorted(((p, round(s)) for p, s in seconds.items()), key=lambda ps: (-ps[1], ps[0]))
    )


def _visit(started: datetime, seconds: dict[str, float]) -> VisitDwell:
    return VisitDwell(
        started_at=started, seconds=round(sum(seconds.values())), by_product=_ranked(seconds)
    )
