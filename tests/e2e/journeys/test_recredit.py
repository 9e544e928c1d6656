"""Credited orders credited again after the weights were fitted anew: the reports end equal
to crediting every order afresh under the new weights, whatever is replayed or resumed."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from journey_helpers import call
from starlette.testclient import TestClient

from commerce.attribution import Model, fit
from commerce.composition import Services
from commerce.journeys.commands import RecordEvents, RequestFacts
from commerce.journeys.crediting import (
    CONVERSION_UNITS,
    Dimension,
    PaidOrder,
    credit_delta,
    credit_order,
    merged,
    refund,
    touches_of,
)
from commerce.journeys.model import EventDraft, EventKind, TouchContext
from commerce.journeys.service import Recredit
from commerce.money import Currency
from commerce.principals import Channel

RECREDIT = """
mutation ($input: AttributionRecreditInput!) {
  attributionRecredit(input: $input) {
    examined recredited nextCursor weightsFittedAt userErrors { field code message }
  }
}
"""
REPORT = """
query ($start: Date!, $end: Date!) {
  attributionReport(model: MARKOV, dimension: CHANNEL, start: $start, end: $end, currency: USD) {
    value orders conversions revenue { amount }
  }
}
"""
FACTS = RequestFacts(sales_channel=Channel.WEB, user_agent="Mozilla/5.0 Chrome/131.0")
TOUCHES = (
    TouchContext(utm_source="google", utm_medium="cpc", utm_campaign="spring"),
    TouchContext(utm_source="newsletter", utm_medium="email"),
    TouchContext(referrer_host="www.instagram.com"),
    TouchContext(),
)
Totals = dict[tuple[str, str, str], tuple[int, int, int]]


class Orders:
    """Orders of one day range: what was paid and refunded, to credit them afresh."""

    def __init__(self, services: Services, first_day: date) -> None:
        self.services = services
        self.first_day = first_day
        self.paid: dict[str, PaidOrder] = {}
        self.refunded: dict[str, int] = {}
        self.events: dict[str, list[Any]] = {}

    @property
    def end(self) -> date:
        return self.first_day + timedelta(days=3)

    def place(self, rnd: random.Random) -> str:
        """A visitor with a journey of 1 to 4 touches, and its paid order."""
        day = datetime.combine(self.first_day, datetime.min.time(), UTC)
        at = day + timedelta(hours=rnd.randrange(60))
        drafts = tuple(
            EventDraft(
                event_id=f"t{i}",
                kind=EventKind.PAGE_VIEW,
                at=at + timedelta(minutes=i),
                path="/",
                touch=TOUCHES[rnd.randrange(len(TOUCHES))],
            )
            for i in range(rnd.randint(1, 4))
        )
        recorded = self.services.journeys.record(RecordEvents(None, drafts), FACTS)
        visitor = self.services.journeys.visitor_of(recorded.visitor_token)
        assert visitor is not None
        order = PaidOrder(
            order_id=f"re-{uuid.uuid4().hex[:12]}",
            value=rnd.randint(100, 9000),
            currency=Currency.USD,
            paid_at=at + timedelta(hours=1),
            customer_id=None,
            visitor_id=visitor,
            affiliate_id=None,
            payment_method="visa",
        )
        self.paid[order.order_id] = order
        self.events[order.order_id] = self.services.journeys.journey_of_visitors([visitor]).events
        self.services.attribution.credit_paid_order(order)
        return order.order_id

    def refund(self, order_id: str, total: int) -> None:
        total = min(total, self.paid[order_id].value)
        self.refunded[order_id] = max(total, self.refunded.get(order_id, 0))
        self.services.attribution.refund_order(order_id, total)

    def report(self) -> Totals:
        """Every model's and dimension's figures over the range, as staff read them."""
        found: Totals = {}
        for model in Model:
            for dimension in Dimension:
                for row in self.services.attribution.report(
                    model, dimension, self.first_day, self.end, Currency.USD
                ):
                    units = row.conversions * CONVERSION_UNITS
                    assert units.denominator == 1
                    found[model.value, dimension.value, row.value] = (
                        row.orders,
                        row.revenue,
                        int(units),
                    )
        return found

    def afresh(self) -> Totals:
        """Every order credited anew under the weights of the last fit, then refunded."""
        weights = fit(self.services.attribution.path_counts())
        lookback = self.services.journeys.lookback
        total: dict[str, Any] = {}
        for order_id, order in self.paid.items():
            credit = credit_order(
                order,
                touches_of(self.events[order_id]),
                lookback=lookback,
                half_life=timedelta(days=7),
                weights=weights,
                weights_fitted_at=None,
            )
            total = merged(total, credit_delta(credit))
            if self.refunded.get(order_id):
                taken = refund(credit, self.refunded[order_id])
                assert taken is not None
                total = merged(total, taken[1])
        return {
            (model, dimension, value): tuple(cell)  # type: ignore[misc]
            for model, dimensions in total.items()
            for dimension, values in dimensions.items()
            for value, cell in values.items()
            if any(cell)
        }


def recredit_all(client: TestClient, key: str, orders: Orders, page: int) -> tuple[int, int]:
    """Page through the range with the mutation; (examined, recredited) in all."""
    after, examined, recredited = None, 0, 0
    while True:
        sent = {
            "start": orders.first_day.isoformat(),
            "end": orders.end.isoformat(),
            "after": after,
            "first": page,
        }
        body = call(client, RECREDIT, {"input": sent}, api_key=key)
        result = body["data"]["attributionRecredit"]
        assert result["userErrors"] == [], result
        examined += result["examined"]
        recredited += result["recredited"]
        after = result["nextCursor"]
        if after is None:
            return examined, recredited


def nonzero(totals: Totals) -> Totals:
    return {k: v for k, v in totals.items() if any(v)}


@pytest.fixture(scope="module")
def half_life_of_a_week(journey_services: Services) -> None:
    """The brute-force credit uses the store's half-life of the time-decay model."""
    assert journey_services.settings.attribution_half_life_days == 7


def test_orders_credited_again_after_a_new_fit_report_as_if_credited_afresh(
    journey_client: TestClient,
    journey_services: Services,
    staff_key: str,
    half_life_of_a_week: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rnd = random.Random(3)
    orders = Orders(journey_services, (datetime.now(UTC) - timedelta(days=40)).date())
    attribution = journey_services.attribution
    for _ in range(4):
        orders.place(rnd)
    attribution.fit_weights()
    placed = [orders.place(rnd) for _ in range(5)]
    orders.refund(placed[0], 250)
    orders.refund(placed[2], 10**6)
    attribution.fit_weights()
    before = nonzero(orders.report())
    assert before != orders.afresh()  # the new fit moves the data-driven credits

    # A crash after two orders of the first page: they are done, the rest is not.
    from commerce.db import writes as db_writes

    real_commit = db_writes.WriteSet.commit
    commits = {"n": 0}

    def failing_commit(self: db_writes.WriteSet) -> None:
        commits["n"] += 1
        if commits["n"] == 3:
            raise RuntimeError("the function was stopped")
        real_commit(self)

    monkeypatch.setattr(db_writes.WriteSet, "commit", failing_commit)
    end = orders.end
    with pytest.raises(RuntimeError, match="stopped"):
        attribution.recredit(Recredit(orders.first_day, end, None, 9))
    monkeypatch.setattr(db_writes.WriteSet, "commit", real_commit)

    # Resumed from the start in pages of 2: the two done are left alone.
    examined, recredited = recredit_all(journey_client, staff_key, orders, page=2)
    assert (examined, recredited) == (9, 7)
    assert nonzero(orders.report()) == orders.afresh()
    # Run again: nothing moves.
    assert recredit_all(journey_client, staff_key, orders, page=4) == (9, 0)
    assert nonzero(orders.report()) == orders.afresh()
    # A refund after the re-credit comes off the new credits.
    orders.refund(placed[1], 99)
    assert nonzero(orders.report()) == orders.afresh()
    seen = call(
        journey_client,
        REPORT,
        {"start": orders.first_day.isoformat(), "end": end.isoformat()},
        api_key=staff_key,
    )["data"]["attributionReport"]
    afresh = orders.afresh()
    assert {r["value"]: r["orders"] for r in seen} == {
        value: cell[0]
        for (model, dimension, value), cell in afresh.items()
        if model == "MARKOV" and dimension == "CHANNEL"
    }
    assert sum(Fraction(r["revenue"]["amount"]) for r in seen) * 100 == sum(
        o.value - orders.refunded.get(i, 0) for i, o in orders.paid.items()
    )


@settings(
    max_examples=4,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.sampled_from(["order", "refund", "fit", "recredit", "replay"]), min_size=3, max_size=9
    ),
    seed=st.integers(0, 1000),
)
@pytest.mark.usefixtures("half_life_of_a_week")
def test_any_sequence_of_orders_refunds_fits_and_recredits_ends_as_credited_afresh(
    journey_client: TestClient,
    journey_services: Services,
    staff_key: str,
    steps: list[str],
    seed: int,
) -> None:
    rnd = random.Random(seed)
    journey_services.attribution.fit_weights()
    # Each example its own days (the weights are the store's: shared, as in a store).
    offset = 60 + 4 * (seed % 60)
    orders = Orders(journey_services, (datetime.now(UTC) - timedelta(days=offset)).date())
    while journey_services.attribution.report(
        Model.LINEAR, Dimension.CHANNEL, orders.first_day, orders.end, Currency.USD
    ):
        offset += 4  # a day range an earlier example already used
        orders = Orders(journey_services, (datetime.now(UTC) - timedelta(days=offset)).date())
    orders.place(rnd)
    for step in steps:
        if step == "order":
            orders.place(rnd)
        elif step == "refund":
            order_id = rnd.choice(sorted(orders.paid))
            orders.refund(order_id, orders.refunded.get(order_id, 0) + rnd.randint(1, 3000))
        elif step == "fit":
            journey_services.attribution.fit_weights()
        else:
            recredit_all(journey_client, staff_key, orders, page=rnd.randint(1, 3))
    journey_services.attribution.fit_weights()
    recredit_all(journey_client, staff_key, orders, page=2)
    assert nonzero(orders.report()) == orders.afresh()
    assert recredit_all(journey_client, staff_key, orders, page=5)[1] == 0


def test_a_recredit_refuses_bad_input_and_changes_nothing(
    journey_client: TestClient, staff_key: str
) -> None:
    cases: list[tuple[dict[str, Any], str, list[str]]] = [
        ({"start": "2026-01-02", "end": "2026-01-02"}, "INVALID_DATE_RANGE", ["end"]),
        ({"start": "2024-01-01", "end": "2026-01-01"}, "INVALID_DATE_RANGE", ["end"]),
        ({"start": "2026-01-01", "end": "2026-01-02", "first": 0}, "INVALID", ["first"]),
        ({"start": "2026-01-01", "end": "2026-01-02", "first": 501}, "INVALID", ["first"]),
        (
            {"start": "2026-01-01", "end": "2026-01-02", "after": "not a cursor"},
            "INVALID_CURSOR",
            ["after"],
        ),
        (
            {"start": "2026-01-01", "end": "2026-01-02", "after": "2026-01-01T00:00:00+00:00#"},
            "INVALID_CURSOR",
            ["after"],
        ),
    ]
    for sent, code, field in cases:
        result = call(journey_client, RECREDIT, {"input": sent}, api_key=staff_key)["data"][
            "attributionRecredit"
        ]
        assert result["examined"] == result["recredited"] == 0
        assert [(e["code"], e["field"]) for e in result["userErrors"]] == [(code, field)], sent
