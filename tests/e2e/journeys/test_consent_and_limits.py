"""A store that needs consent stores nothing without it; one visitor cannot flood the table."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest
from journey_helpers import CONSENT, call, event, record
from starlette.testclient import TestClient

from commerce.app import create_app
from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.payments.local import LocalStripe
from table_settings import fresh_settings


@pytest.fixture(scope="module")
def strict(
    dynamodb_endpoint: str, stripe_server: LocalStripe
) -> Iterator[tuple[TestClient, Services]]:
    """A store that needs consent, and lets a visitor send 60 events, refilling 1 a second."""
    settings = dataclasses.replace(
        fresh_settings(dynamodb_endpoint, stripe_server.endpoint, "whsec_test_secret"),
        analytics_require_consent=True,
        visitor_event_budget=60,
        visitor_event_restore_rate=1.0,
    )
    services = build_services(settings)
    create_table_if_missing()
    with TestClient(create_app(services)) as client:
        yield client, services


def consent(client: TestClient, token: str | None, analytics: bool) -> dict[str, object]:
    body = call(client, CONSENT, {"input": {"visitorToken": token, "analytics": analytics}})
    result: dict[str, object] = body["data"]["visitorConsentSet"]
    return result


def test_events_without_consent_are_refused_and_not_stored(
    strict: tuple[TestClient, Services],
) -> None:
    client, services = strict
    # a first batch from a visitor never asked: refused, and no visitor is made
    first = record(client, [event()])
    assert [e["code"] for e in first["userErrors"]] == ["CONSENT_REQUIRED"]
    assert first["visitorToken"] is None
    # the beacon answers the same, with a status
    answer = client.post(
        "/events", content=json.dumps({"events": [event()]}), headers={"Content-Type": "text/plain"}
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "CONSENT_REQUIRED")
    # once consent is given, events are stored
    given = consent(client, None, True)
    token = str(given["visitorToken"])
    assert given["visitor"] == {"consent": True, "stitched": False}
    assert record(client, [event(), event()], token)["stored"] == 2
    # withdrawn: what was stored is deleted and nothing more is stored
    consent(client, token, False)
    assert services.journeys.journey_of_token(token).events == ()
    again = record(client, [event()], token)
    assert [e["code"] for e in again["userErrors"]] == ["CONSENT_REQUIRED"]
    assert services.journeys.journey_of_token(token).events == ()


def test_one_visitor_cannot_flood_the_table(strict: tuple[TestClient, Services]) -> None:
    client, services = strict
    token = str(consent(client, None, True)["visitorToken"])
    stored = [record(client, [event() for _ in range(20)], token)["stored"] for _ in range(3)]
    assert stored == [20, 20, 20]
    refused = record(client, [event() for _ in range(20)], token)
    assert [e["code"] for e in refused["userErrors"]] == ["THROTTLED"]
    assert refused["stored"] == 0
    assert len(services.journeys.journey_of_token(token).events) == 60
    # another visitor has a budget of its own
    other = str(consent(client, None, True)["visitorToken"])
    assert record(client, [event()], other)["stored"] == 1
