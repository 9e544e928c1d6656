"""Journey use cases: visitors and their consent, recording events, stitching, erasure.

Recording a batch in steady state is one read of the visitor's profile (consent, the
customer it is stitched to), one keys-only BatchGetItem (to tell duplicates) and one
BatchWriteItem of the new events, each under 1 KB: one write unit per event. The
profile is written only when something about it changes (first sight, consent,
stitching to a customer), and the per-visitor budget is a lease of the existing
limits mechanism, so most batches do not touch it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from commerce.db.writes import WriteSet
from commerce.ids import new_id
from commerce.journeys.channels import marketing_channel
from commerce.journeys.commands import RecordEvents, RequestFacts, SetConsent, StartVisitor
from commerce.journeys.devices import app_family
from commerce.journeys.dwell import Dwell, dwell
from commerce.journeys.errors import JourneyErrorCode as Code
from commerce.journeys.model import Event, EventDraft, Recorded, Visitor
from commerce.journeys.store import events as event_store
from commerce.journeys.store import visitors as visitor_store
from commerce.journeys.tokens import read_visitor, sign_visitor
from commerce.limits.model import Budget
from commerce.limits.service import LimitsService
from commerce.principals import ANONYMOUS
from commerce.problems import Problem, Rejected

log = logging.getLogger("commerce.journeys")


class VisitorsNotConfigured(RuntimeError):
    """No visitor key in a deployed stage: tokens cannot be issued safely."""


@dataclass(frozen=True, slots=True)
class JourneyPolicy:
    """The store's journey settings (``Settings``: ``COMMERCE_ANALYTICS_*``)."""

    signing_key: bytes
    require_consent: bool
    lookback: timedelta
    own_hosts: frozenset[str]
    visitor_budget: Budget


@dataclass(frozen=True, slots=True)
class Erased:
    """What an erasure deleted."""

    visitors: int
    events: int
    journeys: int


@dataclass(frozen=True, slots=True)
class VisitorJourney:
    """A visitor's or customer's stored events (oldest first) and their dwell times."""

    visitor_ids: tuple[str, ...]
    events: tuple[Event, ...]
    dwell: Dwell


class JourneysService:
    """Visitors, their events and the customers they turn out to be."""

    def __init__(
        self,
        policy: JourneyPolicy,
        *,
        erase_journeys: Callable[[str], int] = lambda customer_id: 0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._policy = policy
        self._clock = clock
        # One bucket per visitor, in the table's limits items: the mechanism of
        # docs/decisions/0004-limits.md, with its own budget.
        self._budgets = LimitsService({ANONYMOUS.kind: policy.visitor_budget})
        self._erase_journeys = erase_journeys

    @property
    def lookback(self) -> timedelta:
        return self._policy.lookback

    # -- visitors ------------------------------------------------------------------------

    def visitor_of(self, token: str) -> str | None:
        """The visitor id of a genuine token; None for a forged or garbled one."""
        return read_visitor(self._policy.signing_key, token)

    def start(self, command: StartVisitor) -> Recorded:
        """A new visitor, with its consent if the client asked already."""
        visitor = Visitor(id=new_id(), created_at=self._clock(), consent=command.consent)
        writes = WriteSet()
        visitor_store.put_visitor(writes, visitor)
        writes.commit()
        return Recorded(self._token(visitor.id), visitor, stored=0, duplicates=0)

    def set_consent(self, command: SetConsent) -> Recorded:
        """Give or withdraw analytics consent; withdrawing deletes what was recorded."""
        visitor_id = self._visitor_id(command.visitor_token) if command.visitor_token else None
        if visitor_id is None:
            return self.start(StartVisitor(command.analytics))
        current = visitor_store.get_visitor(visitor_id) or Visitor(visitor_id, self._clock())
        updated = replace(current, consent=command.analytics)
        writes = WriteSet()
        visitor_store.put_visitor(writes, updated)
        writes.commit()
        if not command.analytics:
            deleted = event_store.delete_all(visitor_id)
            log.info("consent withdrawn", extra={"events_deleted": deleted})
        return Recorded(self._token(visitor_id), updated, stored=0, duplicates=0)

    def identify(self, visitor_token: str, customer_id: str) -> Visitor:
        """Stitch the visitor to the signed-in customer: their journeys become one."""
        visitor_id = self._visitor_id(visitor_token)
        current = visitor_store.get_visitor(visitor_id) or Visitor(visitor_id, self._clock())
        return self._stitched(current, customer_id)

    # -- events --------------------------------------------------------------------------

    def record(self, command: RecordEvents, facts: RequestFacts) -> Recorded:
        """Store a batch whole, or refuse it storing nothing."""
        if command.visitor_token is not None:
            visitor_id = self._visitor_id(command.visitor_token)
            current = visitor_store.get_visitor(visitor_id)
        else:
            visitor_id, current = new_id(), None
        consent = current.consent if current is not None else None
        if consent is False or (self._policy.require_consent and consent is not True):
            raise Rejected(
                [
                    Problem(
                        Code.CONSENT_REQUIRED,
                        "This store records analytics only with the visitor's consent: "
                        "call visitorConsentSet first",
                        ("visitorToken",),
                    )
                ]
            )
        decision = self._budgets.charge(ANONYMOUS, f"VISITOR#{visitor_id}", len(command.events))
        if not decision.allowed:
            raise Rejected(
                [
                    Problem(
                        Code.THROTTLED,
                        f"Too many events from this visitor; retry in "
                        f"{max(1, round(decision.retry_after))} s",
                        ("events",),
                    )
                ]
            )
        app = app_family(facts.user_agent, facts.app)
        events = [self._event(visitor_id, draft, facts, app) for draft in command.events]
        unique = list({e.event_id: e for e in events}.values())
        seen = event_store.existing(visitor_id, [e.event_id for e in unique]) if current else set()
        fresh = [e for e in unique if e.event_id not in seen]
        visitor = current or Visitor(id=visitor_id, created_at=self._clock())
        if current is None:
            writes = WriteSet()
            visitor_store.put_visitor(writes, visitor)
            writes.commit()
        event_store.write(fresh, self._policy.lookback)
        if facts.customer_id is not None and visitor.customer_id != facts.customer_id:
            visitor = self._stitched(visitor, facts.customer_id)
        return Recorded(
            self._token(visitor_id),
            visitor,
            stored=len(fresh),
            duplicates=len(events) - len(fresh),
            event_ids=tuple(e.event_id for e in fresh),
        )

    def journey_of_visitors(self, visitor_ids: list[str]) -> VisitorJourney:
        """Every stored event of these visitors, oldest first, with their dwell times."""
        found = [e for v in visitor_ids for e in event_store.of_visitor(v)]
        found.sort(key=lambda e: (e.at, e.event_id))
        return VisitorJourney(tuple(visitor_ids), tuple(found), dwell(found))

    def journey_of_customer(self, customer_id: str) -> VisitorJourney:
        """The customer's journey: the events of every visitor stitched to them."""
        return self.journey_of_visitors(visitor_store.visitors_of(customer_id))

    def journey_of_token(self, visitor_token: str) -> VisitorJourney:
        """The journey of the visitor holding this token (its own dwell, for the shopper)."""
        return self.journey_of_visitors([self._visitor_id(visitor_token)])

    # -- erasure -------------------------------------------------------------------------

    def erase_customer(self, customer_id: str) -> Erased:
        """Delete every event, visitor and stored journey of the customer; say how many."""
        visitor_ids = visitor_store.visitors_of(customer_id)
        events = sum(event_store.delete_all(v) for v in visitor_ids)
        visitors = sum(1 for v in visitor_ids if visitor_store.delete_visitor(v))
        visitor_store.delete_links(customer_id, visitor_ids)
        journeys = self._erase_journeys(customer_id)
        log.info(
            "customer journeys erased",
            extra={"visitors": visitors, "events": events, "journeys": journeys},
        )
        return Erased(visitors=visitors, events=events, journeys=journeys)

    # -- helpers -------------------------------------------------------------------------

    def _stitched(self, visitor: Visitor, customer_id: str) -> Visitor:
        if visitor.customer_id == customer_id:
            return visitor
        now = self._clock()
        stitched = replace(visitor, customer_id=customer_id)
        writes = WriteSet()
        visitor_store.put_visitor(writes, stitched)
        visitor_store.link_customer(writes, customer_id, visitor.id, now)
        if visitor.customer_id is not None:
            # A shared device now used by someone else: it leaves the former journey.
            visitor_store.unlink_customer(writes, visitor.customer_id, visitor.id)
        writes.commit()
        return stitched

    def _event(
        self, visitor_id: str, draft: EventDraft, facts: RequestFacts, app: str | None
    ) -> Event:
        channel = (
            marketing_channel(draft.touch, facts.sales_channel, self._policy.own_hosts)
            if draft.touch is not None
            else None
        )
        return Event(
            visitor_id=visitor_id,
            event_id=draft.event_id,
            kind=draft.kind,
            at=draft.at,
            sales_channel=facts.sales_channel,
            app=app,
            product_id=draft.product_id,
            phase=draft.phase,
            query=draft.query,
            path=draft.path,
            quantity=draft.quantity,
            touch=draft.touch,
            marketing_channel=channel,
        )

    def _visitor_id(self, token: str) -> str:
        visitor_id = read_visitor(self._policy.signing_key, token)
        if visitor_id is None:
            raise Rejected(
                [
                    Problem(
                        Code.INVALID_VISITOR_TOKEN,
                        "The visitor token is not one this store issued",
                        ("visitorToken",),
                    )
                ]
            )
        return visitor_id

    def _token(self, visitor_id: str) -> str:
        if not self._policy.signing_key:
            raise VisitorsNotConfigured("COMMERCE_VISITOR_SIGNING_KEY is not set")
        return sign_visitor(self._policy.signing_key, visitor_id)
