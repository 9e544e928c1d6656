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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any, Protocol

from commerce.attribution import Model, PathCounts, Weights, fit
from commerce.db.writes import ConditionsFailed, WriteSet
from commerce.ids import new_id
from commerce.journeys.channels import marketing_channel
from commerce.journeys.commands import AdSpendRow as AdSpend
from commerce.journeys.commands import RecordEvents, RequestFacts, SetConsent, StartVisitor
from commerce.journeys.crediting import (
    CONVERSION_UNITS,
    NONE,
    Dimension,
    OrderCredit,
    PaidOrder,
    RollupDelta,
    credit_delta,
    credit_order,
    has_app_touch,
    merged,
    path_of,
    recredit,
    refund,
    touches_of,
)
from commerce.journeys.devices import app_family
from commerce.journeys.dwell import Dwell, dwell
from commerce.journeys.errors import JourneyErrorCode as Code
from commerce.journeys.model import Event, EventDraft, EventKind, Recorded, ViewPhase, Visitor
from commerce.journeys.store import adspend as adspend_store
from commerce.journeys.store import credits as credit_store
from commerce.journeys.store import events as event_store
from commerce.journeys.store import paths as path_store
from commerce.journeys.store import rollups as rollup_store
from commerce.journeys.store import visitors as visitor_store
from commerce.journeys.tokens import read_visitor, sign_visitor
from commerce.limits.model import Budget
from commerce.limits.service import LimitsService
from commerce.money import Currency, Money
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


class ProductViews(Protocol):
    """Where the products a visitor viewed go (the recommendations' recently viewed).

    A port, wired in ``composition.py``: recommendations already import the catalog and
    the cart, and journeys must not import recommendations (nor they journeys) without
    a package cycle, so the service is handed in and matched by shape.
    """

    def products_viewed(
        self,
        visitor_id: str,
        customer_id: str | None,
        product_ids: Sequence[str],
        at: datetime,
    ) -> None: ...

    def forget_visitors(self, visitor_ids: Sequence[str]) -> None: ...


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
        views: ProductViews | None = None,
        erasures: Sequence[Callable[[str], int]] = (),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._policy = policy
        self._views = views
        # What other contexts keep on a customer, forgotten with their journeys (ports
        # wired in composition.py: the customer's affinity, their segment facts).
        self._erasures = tuple(erasures)
        self._clock = clock
        # One bucket per visitor, in the table's limits items: the mechanism of
        # docs/decisions/0004-limits.md, with its own budget.
        self._budgets = LimitsService({ANONYMOUS.kind: policy.visitor_budget})

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
            path_store.delete_visitor_path(visitor_id)
            if self._views is not None:
                self._views.forget_visitors([visitor_id])
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
        # Views go to recommendations before the events are stored: a batch retried
        # after a failure here is stored whole then, and its views are not lost.
        self._report_views(visitor_id, facts.customer_id or visitor.customer_id, fresh)
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
        """Delete every event, visitor and stored journey of the customer, and what the
        erasure ports keep on them (affinity, segment facts); say how many journeys."""
        visitor_ids = visitor_store.visitors_of(customer_id)
        events = sum(event_store.delete_all(v) for v in visitor_ids)
        visitors = sum(1 for v in visitor_ids if visitor_store.delete_visitor(v))
        for visitor_id in visitor_ids:
            path_store.delete_visitor_path(visitor_id)
        if self._views is not None:
            self._views.forget_visitors(visitor_ids)
        visitor_store.delete_links(customer_id, visitor_ids)
        journeys = credit_store.delete_of_customer(customer_id)
        for erase in self._erasures:
            erase(customer_id)
        log.info(
            "customer journeys erased",
            extra={"visitors": visitors, "events": events, "journeys": journeys},
        )
        return Erased(visitors=visitors, events=events, journeys=journeys)

    # -- helpers -------------------------------------------------------------------------

    def _report_views(self, visitor_id: str, customer_id: str | None, fresh: list[Event]) -> None:
        """Hand the batch's new product views, newest first, to the views port.

        A view's start only: its heartbeats and end say how long, not what, and would
        rewrite the same list every few seconds.
        """
        if self._views is None:
            return
        newest_first = sorted(fresh, key=lambda e: e.at, reverse=True)
        viewed = [
            e.product_id
            for e in newest_first
            if e.kind is EventKind.PRODUCT_VIEW
            and e.phase is ViewPhase.START
            and e.product_id is not None
        ]
        if viewed:
            self._views.products_viewed(
                visitor_id, customer_id, list(dict.fromkeys(viewed)), self._clock()
            )

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


# -- attribution: credits when paid, adjustments when refunded, reports ------------------

MAX_COHORT_ORDERS = 10
_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One value of a report's dimension over its window."""

    value: str
    orders: int
    revenue: int
    conversions: Fraction
    spend: int | None = None


@dataclass(frozen=True, slots=True)
class CohortRow:
    """Referred customers at their n-th order."""

    order_number: int
    customers: int
    revenue: int
    with_app_touch: int
    # Affiliate commission on these orders, net of what refunds reversed.
    commission: int = 0

    @property
    def revenue_after_commission(self) -> int:
        """What these referrals earned the store once their partner was paid."""
        return self.revenue - self.commission


# customers, revenue, orders with an app touch, commission: one cohort row's cells.
_COHORT_CELLS = 4


def _cohort_cells(rows: dict[str, list[int]], number: int) -> list[int]:
    """The cells of order number ``number`` (rows stored before commission had three)."""
    row = rows.setdefault(str(number), [0] * _COHORT_CELLS)
    row.extend([0] * (_COHORT_CELLS - len(row)))
    return row


MAX_RECREDIT_PAGE = 500


@dataclass(frozen=True, slots=True)
class Recredit:
    """Credit again the orders paid from ``start`` (inclusive) to ``end`` (exclusive),
    ``limit`` of them after the cursor ``after``."""

    start: date
    end: date
    after: str | None = None
    limit: int = 100


@dataclass(frozen=True, slots=True)
class Recredited:
    """One page of a re-credit: orders read, orders credited again, where to go on."""

    examined: int
    recredited: int
    next_cursor: str | None
    weights_fitted_at: datetime


class AttributionService:
    """Credits paid orders to their journeys and keeps the report rollups."""

    def __init__(
        self,
        journeys: JourneysService,
        *,
        half_life: timedelta,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._journeys = journeys
        self._half_life = half_life
        self._clock = clock

    # -- the events function -------------------------------------------------------------

    def credit_paid_order(self, order: PaidOrder) -> OrderCredit | None:
        """Credit the order once (a replayed stream record changes nothing); the credit."""
        visitor_ids = (
            set(visitor_store.visitors_of(order.customer_id)) if order.customer_id else set()
        )
        if order.visitor_id:
            visitor_ids.add(order.visitor_id)
        ordered = sorted(visitor_ids)
        events = [e for v in ordered for e in event_store.of_visitor(v)]
        for _ in range(_ATTEMPTS):
            if credit_store.get(order.order_id) is not None:
                return None
            weights, fitted_at = path_store.weights()
            credit = credit_order(
                order,
                touches_of(events),
                lookback=self._journeys.lookback,
                half_life=self._half_life,
                weights=weights,
                weights_fitted_at=fitted_at,
            )
            writes = WriteSet()
            credit = self._with_cohort(writes, credit, order)
            credit_store.add_new(writes, credit)
            self._add_to_day(writes, credit, credit_delta(credit))
            path_store.add_count(writes, True, path_of(credit), 1)
            for visitor_id in ordered:
                open_path, rev = path_store.visitor_path(visitor_id)
                if open_path:
                    path_store.add_count(writes, False, open_path, -1)
                    path_store.put_visitor_path(writes, visitor_id, (), rev)
            try:
                writes.commit()
            except ConditionsFailed as failed:
                if "credited" in failed.labels:
                    return None
                continue  # another order changed the same rollups: read again
            return credit
        raise RuntimeError(f"order {order.order_id}: rollups kept changing; the record is retried")

    def refund_order(self, order_id: str, refunded_total: int) -> OrderCredit | None:
        """Take a refund (now ``refunded_total`` in all) from the credits and the reports,
        exactly once; None when there is nothing to take (not credited, or replayed)."""
        for _ in range(_ATTEMPTS):
            current = credit_store.get(order_id)
            if current is None:
                return None
            taken = refund(current, refunded_total)
            if taken is None:
                return None
            updated, delta = taken
            writes = WriteSet()
            credit_store.rewrite(writes, updated, label="refunded")
            self._add_to_day(writes, updated, delta)
            self._add_to_cohort(writes, updated, revenue=current.refunded - updated.refunded)
            try:
                writes.commit()
            except ConditionsFailed:
                continue
            return updated
        raise RuntimeError(f"order {order_id}: refund kept conflicting; the record is retried")

    @staticmethod
    def affiliate_click_of(
        keys: Mapping[str, Any], image: Mapping[str, Any]
    ) -> tuple[str, str, str, datetime] | None:
        """(visitor, event id, partner, when) of a touch stream record that came through a
        partner's tracking link; None for any other touch."""
        return event_store.affiliate_click_of(keys, image)

    def commission_settled(self, order_id: str, commission: Money) -> OrderCredit | None:
        """The order's affiliate commission, net of reversals, is now ``commission``: the
        cohort's commission cost moves by what changed since it was last joined, once (a
        replayed record finds nothing changed); None when there is nothing to move."""
        for _ in range(_ATTEMPTS):
            current = credit_store.get(order_id)
            if current is None or current.currency is not commission.currency:
                return None
            if current.commission == commission.amount:
                return None
            updated = replace(current, commission=commission.amount)
            writes = WriteSet()
            credit_store.rewrite(writes, updated, label="commission")
            self._add_to_cohort(writes, updated, commission=commission.amount - current.commission)
            try:
                writes.commit()
            except ConditionsFailed:
                continue
            return updated
        raise RuntimeError(f"order {order_id}: commission kept conflicting; the record is retried")

    def touch_recorded(self, visitor_id: str, channel: str) -> None:
        """A new touch moves the visitor's open journey to its next path count."""
        for _ in range(_ATTEMPTS):
            path, rev = path_store.visitor_path(visitor_id)
            longer = (*path, channel)
            if len(longer) > path_store.MAX_PATH:
                longer = (longer[0], *longer[-(path_store.MAX_PATH - 1) :])
            writes = WriteSet()
            if path:
                path_store.add_count(writes, False, path, -1)
            path_store.add_count(writes, False, longer, 1)
            path_store.put_visitor_path(writes, visitor_id, longer, rev)
            try:
                writes.commit()
            except ConditionsFailed:
                continue
            return

    # -- the jobs function ---------------------------------------------------------------

    def fit_weights(self) -> datetime:
        """Fit Markov and Shapley weights on every path count; orders credited from now
        on use them (each records when they were fitted)."""
        counts = path_store.counts()
        fitted = fit(counts)
        now = self._clock()
        path_store.put_weights(fitted, now, sum(counts.conversions.values()))
        return now

    def recredit(self, command: Recredit) -> Recredited:
        """Credit one page of the orders paid in the range again under the weights fitted
        last, each in one transaction with its day rollup (the rollup moves by the
        difference): an order already credited under them is left alone, so running a
        page twice, or again after a crash, changes nothing more. Refunds stay netted."""
        weights, fitted_at = path_store.weights()
        if weights is None or fitted_at is None:
            raise Rejected(
                [
                    Problem(
                        Code.NOT_FITTED,
                        "No weights were fitted yet: orders are credited without them",
                        (),
                    )
                ]
            )
        page, cursor = credit_store.paid_between(
            command.start, command.end, command.after, command.limit
        )
        done = sum(1 for c in page if self._recredit_one(c.order_id, weights, fitted_at))
        return Recredited(
            examined=len(page), recredited=done, next_cursor=cursor, weights_fitted_at=fitted_at
        )

    def _recredit_one(self, order_id: str, weights: Weights, fitted_at: datetime) -> bool:
        for _ in range(_ATTEMPTS):
            current = credit_store.get(order_id)
            if current is None:
                return False  # erased meanwhile
            taken = recredit(
                current, half_life=self._half_life, weights=weights, weights_fitted_at=fitted_at
            )
            if taken is None:
                return False
            updated, delta = taken
            writes = WriteSet()
            credit_store.rewrite(writes, updated, label="recredited")
            self._add_to_day(writes, updated, delta)
            try:
                writes.commit()
            except ConditionsFailed:
                continue
            return True
        raise RuntimeError(f"order {order_id}: re-credit kept conflicting; run the page again")

    # -- reads ---------------------------------------------------------------------------

    def path_counts(self) -> PathCounts:
        """The converting and open journeys by channel path, as the fit reads them."""
        return path_store.counts()

    def credit_of(self, order_id: str) -> OrderCredit | None:
        """The order's credited journey, net of refunds."""
        return credit_store.get(order_id)

    def report(
        self, model: Model, dimension: Dimension, start: date, end: date, currency: Currency
    ) -> list[ReportRow]:
        """Orders, revenue net of refunds and conversions per value, from the day rollups
        (one Query); spend joined for channels and campaigns."""
        totals: dict[str, list[int]] = {}
        for rollup in rollup_store.days(start.isoformat(), end.isoformat(), currency.value):
            for value, cell in rollup.get(model.value, {}).get(dimension.value, {}).items():
                current = totals.setdefault(value, [0, 0, 0])
                for i, amount in enumerate(cell):
                    current[i] += amount
        spend: dict[str, int] = {}
        if dimension in (Dimension.CHANNEL, Dimension.CAMPAIGN):
            for row in adspend_store.between(start, end, currency):
                key = row.channel if dimension is Dimension.CHANNEL else row.campaign
                spend[key] = spend.get(key, 0) + row.amount
        values = sorted(set(totals) | set(spend), key=lambda v: (-totals.get(v, [0, 0])[1], v))
        return [
            ReportRow(
                value=v,
                orders=totals.get(v, [0, 0, 0])[0],
                revenue=totals.get(v, [0, 0, 0])[1],
                conversions=Fraction(totals.get(v, [0, 0, 0])[2], CONVERSION_UNITS),
                spend=spend.get(v)
                if spend or dimension in (Dimension.CHANNEL, Dimension.CAMPAIGN)
                else None,
            )
            for v in values
        ]

    def cohort(self, affiliate_id: str | None, orders: int, currency: Currency) -> list[CohortRow]:
        """Customers whose first order came through ``affiliate_id`` (None: through no
        affiliate), at each of their first ``orders`` orders."""
        rows, _ = rollup_store.cohort(affiliate_id or NONE, currency.value)
        return [
            CohortRow(n, *_cohort_cells(rows, n))
            for n in range(1, min(orders, MAX_COHORT_ORDERS) + 1)
        ]

    def ad_spend_total(self, start: date, end: date, currency: Currency) -> int | None:
        """Ad spend imported for days ``start`` (inclusive) to ``end`` (exclusive), all
        channels; None when none was imported (margin reports show no ROAS then)."""
        rows = adspend_store.between(start, end, currency)
        return sum(row.amount for row in rows) if rows else None

    def import_ad_spend(self, rows: list[AdSpend]) -> int:
        """Store spend rows (a re-import replaces a day's figure); how many."""
        return adspend_store.put(rows)

    def erase_customer_journeys(self, customer_id: str) -> int:
        """Delete the customer's credited order journeys; report totals stay (no ids)."""
        return credit_store.delete_of_customer(customer_id)

    # -- helpers -------------------------------------------------------------------------

    def _add_to_day(self, writes: WriteSet, credit: OrderCredit, delta: RollupDelta) -> None:
        day_key = credit.paid_at.date().isoformat()
        current, rev = rollup_store.day(day_key, credit.currency.value)
        rollup_store.put_day(writes, day_key, credit.currency.value, merged(current, delta), rev)

    def _with_cohort(self, writes: WriteSet, credit: OrderCredit, order: PaidOrder) -> OrderCredit:
        if order.customer_id is None:
            return credit
        count, cohort, rev = rollup_store.customer_stats(order.customer_id)
        if cohort is None:
            first_affiliate = order.affiliate_id or next(
                (t.affiliate for t in credit.touches if t.affiliate != NONE), None
            )
            cohort = first_affiliate or NONE
        number = count + 1
        rollup_store.put_customer_stats(writes, order.customer_id, number, cohort, rev)
        credit = replace(credit, order_number=number, cohort=cohort)
        self._add_to_cohort(
            writes,
            credit,
            customers=1,
            revenue=credit.value,
            app_touches=1 if has_app_touch(credit) else 0,
        )
        return credit

    def _add_to_cohort(
        self,
        writes: WriteSet,
        credit: OrderCredit,
        *,
        customers: int = 0,
        revenue: int = 0,
        app_touches: int = 0,
        commission: int = 0,
    ) -> None:
        """Add to the cells of the credit's cohort at its order number (if it has one)."""
        if credit.cohort is None or not 0 < credit.order_number <= MAX_COHORT_ORDERS:
            return
        rows, rev = rollup_store.cohort(credit.cohort, credit.currency.value)
        row = _cohort_cells(rows, credit.order_number)
        for i, amount in enumerate((customers, revenue, app_touches, commission)):
            row[i] += amount
        rollup_store.put_cohort(writes, credit.cohort, credit.currency.value, rows, rev)
