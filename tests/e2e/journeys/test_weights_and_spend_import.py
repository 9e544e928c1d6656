"""The scheduled fit of Markov and Shapley weights, and ad spend imported from a CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from journey_helpers import ago, event, record
from starlette.testclient import TestClient

from commerce.attribution import Model
from commerce.cli import main
from commerce.composition import Services
from commerce.events.consumers import Consumers
from commerce.events.handler import consume_batch
from commerce.jobs.runner import run_job
from commerce.journeys.crediting import Dimension, PaidOrder
from commerce.money import Currency
from commerce.observability.metrics import Metrics
from stream_records import batch, stream_record


def touch_records(services: Services, token: str) -> list[dict[str, object]]:
    """The stream's INSERT records of a visitor's touches, as DynamoDB sends them."""
    from commerce.journeys.store.events import item_of

    journey = services.journeys.journey_of_token(token)
    return [
        stream_record(
            "INSERT",
            new=item_of(e, timedelta(days=365)).serialize()
            | {"PK": {"S": f"VISITOR#{e.visitor_id}"}, "SK": {"S": f"EVENT#{e.event_id}"}},
        )
        for e in journey.events
        if e.marketing_channel
    ]


def test_fitted_weights_credit_later_orders_and_each_order_says_when_they_were_fitted(
    journey_client: TestClient, journey_services: Services
) -> None:
    services, consumers = journey_services, Consumers(journey_services, Metrics("C", "events"))
    attribution = services.attribution
    # given journeys that converted through search then email, or through search alone,
    # and visitors who only saw email and never bought
    for index in range(6):
        touches = [event(at=ago(hours=5), touch={"gclid": f"g{index}"})]
        if index < 3:
            touches.append(event(at=ago(hours=4), touch={"utmMedium": "email"}))
        token = record(journey_client, touches)["visitorToken"]
        consume_batch(batch(*touch_records(services, token)), consumers, Metrics("C", "events"))
        visitor = services.journeys.visitor_of(token)
        attribution.credit_paid_order(
            PaidOrder(f"order-{index}", 1000, Currency.USD, datetime.now(UTC), None, visitor, None)
        )
    for _ in range(3):
        token = record(journey_client, [event(at=ago(hours=3), touch={"utmMedium": "email"})])[
            "visitorToken"
        ]
        consume_batch(batch(*touch_records(services, token)), consumers, Metrics("C", "events"))
    # when the daily job fits the weights
    result = run_job({"job": "fit-attribution-weights"}, services, Metrics("C", "jobs"))
    assert result["ok"] is True
    # then a later order of the same path is credited with them, not linearly
    token = record(
        journey_client,
        [
            event(at=ago(hours=2), touch={"gclid": "late"}),
            event(at=ago(hours=1), touch={"utmMedium": "email"}),
        ],
    )["visitorToken"]
    credit = attribution.credit_paid_order(
        PaidOrder(
            "order-late",
            1000,
            Currency.USD,
            datetime.now(UTC),
            None,
            services.journeys.visitor_of(token),
            None,
        )
    )
    assert credit is not None
    assert credit.weights_fitted_at is not None
    assert credit.weights_fitted_at.isoformat() == result["fittedAt"]
    # the counts are the rollups the stream kept (the late order's conversion now too)
    counts = services.attribution.path_counts()
    assert counts.conversions == {("paid_search", "email"): 4, ("paid_search",): 3}
    assert counts.non_conversions == {("email",): 3}
    # removing search loses every conversion, removing email only half of them: search
    # earns more than email under Markov, where linear splits evenly
    markov = credit.credits[Model.MARKOV]
    assert sum(markov) == 1000
    assert markov == (600, 400)  # removal effects 3/4 and 1/2
    assert credit.credits[Model.LINEAR] == (500, 500)


def test_ad_spend_imports_from_a_csv_and_refuses_a_file_with_a_bad_line(
    journey_services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = journey_services.settings
    monkeypatch.setenv("COMMERCE_DYNAMODB_ENDPOINT", str(settings.dynamodb_endpoint))
    monkeypatch.setenv("COMMERCE_TABLE_NAME", settings.table_name)
    monkeypatch.setenv("COMMERCE_DATA_DIR", str(tmp_path / "data"))
    good = tmp_path / "spend.csv"
    good.write_text(
        "date,channel,campaign,currency,amount\n"
        "2026-11-20,paid_search,spring,USD,120.50\n"
        "2026-11-21,paid_social,spring,USD,80\n"
    )
    assert main(["adspend", "import", str(good)]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("date,channel,campaign,currency,amount\n2026-11-22,paid_search,x,USD,1.234\n")
    assert main(["adspend", "import", str(bad)]) != 0
    assert "line 2" in capsys.readouterr().err
    rows = journey_services.attribution.report(
        Model.LINEAR, Dimension.CHANNEL, date(2026, 11, 20), date(2026, 11, 23), Currency.USD
    )
    assert {r.value: r.spend for r in rows} == {"paid_search": 12050, "paid_social": 8000}
