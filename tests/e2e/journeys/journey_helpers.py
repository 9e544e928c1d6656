"""Calls and builders the journey tests share: events as a storefront sends them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.testclient import TestClient

RECORD = """
mutation ($input: EventsRecordInput!) {
  eventsRecord(input: $input) {
    visitorToken stored duplicates
    userErrors { field code message }
  }
}
"""
CONSENT = """
mutation ($input: VisitorConsentSetInput!) {
  visitorConsentSet(input: $input) {
    visitorToken visitor { consent stitched } userErrors { field code message }
  }
}
"""
IDENTIFY = """
mutation ($input: VisitorIdentifyInput!) {
  visitorIdentify(input: $input) {
    visitorToken visitor { consent stitched } userErrors { field code message }
  }
}
"""
JOURNEY = """
query ($id: ID!) {
  customerJourney(customerId: $id) {
    visitors
    events { eventId kind marketingChannel app salesChannel utmCampaign referrerHost productId }
    dwell { productId seconds }
    visits { seconds products { productId seconds } }
  }
}
"""
ERASE = """
mutation ($input: CustomerJourneyEraseInput!) {
  customerJourneyErase(input: $input) {
    erased { visitors events journeys } userErrors { field code message }
  }
}
"""
SIGN_UP = """
mutation ($input: CustomerSignUpInput!) {
  customerSignUp(input: $input) {
    customer { id } session { accessToken } userErrors { code message }
  }
}
"""


def call(
    client: TestClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    api_key: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    sent = dict(headers or {})
    if token:
        sent["Authorization"] = f"Bearer {token}"
    if api_key:
        sent["X-API-Key"] = api_key
    response = client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=sent
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def event(kind: str = "PAGE_VIEW", *, at: datetime | None = None, **fields: Any) -> dict[str, Any]:
    """One event input with a fresh client id, happening now unless ``at`` says when."""
    when = at or datetime.now(UTC)
    return {
        "eventId": fields.pop("eventId", uuid.uuid4().hex),
        "kind": kind,
        "occurredAt": when.isoformat(),
        **fields,
    }


def record(
    client: TestClient, events: list[dict[str, Any]], visitor: str | None = None, **kw: Any
) -> dict[str, Any]:
    body = call(client, RECORD, {"input": {"visitorToken": visitor, "events": events}}, **kw)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["eventsRecord"]
    return result


def sign_up(client: TestClient) -> tuple[str, str]:
    """A new customer: (global id, access token)."""
    email = f"shopper-{uuid.uuid4().hex[:10]}@example.com"
    body = call(client, SIGN_UP, {"input": {"email": email, "password": "correct horse 42"}})
    result = body["data"]["customerSignUp"]
    assert result["userErrors"] == [], result
    return result["customer"]["id"], result["session"]["accessToken"]


def ago(**delta: float) -> datetime:
    return datetime.now(UTC) - timedelta(**delta)
