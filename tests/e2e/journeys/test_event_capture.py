"""Recording storefront events through the API: batches, duplicates, refusals, stitching,
dwell, and what the beacon answers."""

from __future__ import annotations

import json
import uuid
from typing import Any

from journey_helpers import (
    ERASE,
    IDENTIFY,
    JOURNEY,
    RECORD,
    ago,
    call,
    event,
    record,
    sign_up,
)
from starlette.testclient import TestClient

from commerce.composition import Services
from commerce.graphql.ids import to_global_id

CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
PRODUCT = to_global_id("Product", "01JEXAMPLEPRODUCT000000000")


def journey(client: TestClient, staff_key: str, customer_id: str) -> dict[str, Any]:
    body = call(client, JOURNEY, {"id": customer_id}, api_key=staff_key)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["customerJourney"]
    return result


def test_a_first_batch_starts_a_visitor_and_a_resent_batch_counts_once(
    journey_client: TestClient,
) -> None:
    # given a first batch without a visitor token
    batch = [
        event(touch={"utmSource": "newsletter", "utmMedium": "email"}),
        event("SEARCH", query="dune"),
    ]
    first = record(journey_client, batch)
    # then both are stored and a token comes back
    assert (first["stored"], first["duplicates"], first["userErrors"]) == (2, 0, [])
    assert first["visitorToken"].startswith("v1.")
    # when the same batch is sent again with that token (a retried flush)
    again = record(journey_client, batch, first["visitorToken"])
    # then nothing new is stored
    assert (again["stored"], again["duplicates"]) == (0, 2)
    assert again["visitorToken"] == first["visitorToken"]


def test_bad_events_refuse_the_whole_batch_with_typed_codes(
    journey_client: TestClient, journey_services: Services
) -> None:
    token = record(journey_client, [event()])["visitorToken"]
    cases = [
        ([event(at=ago(minutes=-30))], "TIMESTAMP_IN_FUTURE", ["events", "0", "occurredAt"]),
        ([event(at=ago(days=10))], "TIMESTAMP_TOO_OLD", ["events", "0", "occurredAt"]),
        ([event(query="x" * 81)], "FIELD_TOO_LONG", ["events", "0", "query"]),
        ([event("PRODUCT_VIEW")], "INVALID", ["events", "0", "productId"]),
        ([event(eventId="has space")], "INVALID", ["events", "0", "eventId"]),
        ([event() for _ in range(51)], "TOO_MANY_EVENTS", ["events"]),
        (
            [event(touch={"utmCampaign": "c" * 81})],
            "FIELD_TOO_LONG",
            ["events", "0", "touch", "utmCampaign"],
        ),
    ]
    for events, code, field in cases:
        # a good event beside the bad one is not stored either
        good = event(eventId=f"good-{uuid.uuid4().hex[:8]}")
        result = record(
            journey_client, [good, *events] if code != "TOO_MANY_EVENTS" else events, token
        )
        errors = result["userErrors"]
        assert [e["code"] for e in errors][:1] == [code], (code, errors)
        if code != "TOO_MANY_EVENTS":
            assert errors[0]["field"] == ["events", "1", *field[2:]]
        else:
            assert errors[0]["field"] == field
        assert result["stored"] == 0
        resent = record(journey_client, [good], token)
        assert resent["stored"] == 1, "the good event of a refused batch was not stored"


def test_an_unknown_event_kind_is_refused_by_the_schema(journey_client: TestClient) -> None:
    body = call(journey_client, RECORD, {"input": {"events": [event("PURCHASE")]}})
    assert body.get("data") is None
    assert "PURCHASE" in body["errors"][0]["message"]
    assert "StorefrontEventKind" in body["errors"][0]["message"]


def test_a_forged_or_tampered_visitor_token_is_refused_and_nothing_stored(
    journey_client: TestClient, journey_services: Services
) -> None:
    token = record(journey_client, [event()])["visitorToken"]
    prefix, visitor_id, signature = token.split(".")
    forged = [
        f"{prefix}.{visitor_id}.{'A' * len(signature)}",
        f"{prefix}.{visitor_id[:-1]}{'0' if visitor_id[-1] != '0' else '1'}.{signature}",
        "v1.not-an-id.sig",
        "x" * 129,
    ]
    for bad in forged:
        marker = f"forged-{uuid.uuid4().hex[:8]}"
        result = record(journey_client, [event(eventId=marker)], bad)
        assert [e["code"] for e in result["userErrors"]] == ["INVALID_VISITOR_TOKEN"], bad
        assert result["stored"] == 0
    # the genuine visitor holds its one event only
    journey_of = journey_services.journeys.journey_of_token(token)
    assert len(journey_of.events) == 1


def test_log_in_stitches_visitors_into_one_journey_with_channels_and_dwell(
    journey_client: TestClient, staff_key: str
) -> None:
    # given a shopper who came from a Google ad on a laptop, and from Instagram on a phone
    laptop = record(
        journey_client,
        [
            event(
                at=ago(minutes=20),
                touch={"gclid": "Cj0KCQ-abc", "referrer": "https://www.google.com/"},
            ),
            event("PRODUCT_VIEW", at=ago(minutes=19), productId=PRODUCT, phase="START"),
            event(
                "PRODUCT_VIEW",
                at=ago(minutes=19, seconds=-15),
                productId=PRODUCT,
                phase="HEARTBEAT",
            ),
            # the tab slept for five minutes: at most 60 s of it counts
            event("PRODUCT_VIEW", at=ago(minutes=14), productId=PRODUCT, phase="END"),
        ],
        headers={"User-Agent": CHROME},
    )["visitorToken"]
    phone = record(
        journey_client,
        [event(at=ago(minutes=5), touch={"referrer": "https://l.instagram.com/"})],
        headers={"X-Commerce-Channel": "MOBILE", "X-Commerce-App": "Bookshop iOS"},
    )["visitorToken"]
    customer_id, access = sign_up(journey_client)
    # when the laptop identifies after sign-up, and the phone records while logged in
    stitched = call(journey_client, IDENTIFY, {"input": {"visitorToken": laptop}}, token=access)
    assert stitched["data"]["visitorIdentify"]["visitor"]["stitched"] is True
    record(
        journey_client, [event("ADD_TO_CART", productId=PRODUCT, quantity=1)], phone, token=access
    )
    # then staff see one journey of two visitors, with each touch's channel and app
    seen = journey(journey_client, staff_key, customer_id)
    assert seen["visitors"] == 2
    touches = [
        (e["marketingChannel"], e["app"], e["salesChannel"])
        for e in seen["events"]
        if e["marketingChannel"]
    ]
    assert touches == [("paid_search", "Chrome", "WEB"), ("social", "Bookshop iOS", "MOBILE")]
    # and the product's dwell is 15 s of heartbeat plus the capped 60 s gap
    assert seen["dwell"] == [{"productId": PRODUCT, "seconds": 75}]
    assert [v["seconds"] for v in seen["visits"]] == [75]


def test_identify_needs_a_signed_in_customer(journey_client: TestClient) -> None:
    token = record(journey_client, [event()])["visitorToken"]
    body = call(journey_client, IDENTIFY, {"input": {"visitorToken": token}})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_erasure_deletes_the_customers_visitors_and_events_and_says_so(
    journey_client: TestClient, staff_key: str, journey_services: Services
) -> None:
    customer_id, access = sign_up(journey_client)
    token = record(journey_client, [event(), event("SEARCH", query="tea")], token=access)[
        "visitorToken"
    ]
    result = call(journey_client, ERASE, {"input": {"customerId": customer_id}}, api_key=staff_key)
    erased = result["data"]["customerJourneyErase"]
    assert erased["userErrors"] == []
    assert {k: erased["erased"][k] for k in ("visitors", "events")} == {"visitors": 1, "events": 2}
    assert journey(journey_client, staff_key, customer_id)["events"] == []
    assert journey_services.journeys.journey_of_token(token).events == ()


def beacon(
    client: TestClient, payload: Any, content_type: str = "text/plain", **headers: str
) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post("/events", content=body, headers={"Content-Type": content_type, **headers})


def test_the_beacon_stores_a_sendbeacon_body_and_refuses_bad_ones_with_codes(
    journey_client: TestClient, journey_services: Services
) -> None:
    token = record(journey_client, [event()])["visitorToken"]
    # navigator.sendBeacon(url, JSON.stringify(...)) sends text/plain;charset=UTF-8
    sent = event("PRODUCT_VIEW", productId=PRODUCT, phase="END")
    ok = beacon(
        journey_client, {"visitorToken": token, "events": [sent]}, "text/plain;charset=UTF-8"
    )
    assert ok.status_code == 204, ok.text
    assert len(journey_services.journeys.journey_of_token(token).events) == 2
    again = beacon(journey_client, {"visitorToken": token, "events": [sent]}, "application/json")
    assert again.status_code == 204
    assert len(journey_services.journeys.journey_of_token(token).events) == 2
    refusals = [
        ({"visitorToken": token, "events": [event("PURCHASE")]}, 400, "UNKNOWN_EVENT_KIND"),
        ({"visitorToken": token, "events": [event() for _ in range(51)]}, 400, "TOO_MANY_EVENTS"),
        ({"visitorToken": token, "events": [event(at=ago(hours=-2))]}, 400, "TIMESTAMP_IN_FUTURE"),
        ({"visitorToken": token + "x", "events": [event()]}, 403, "INVALID_VISITOR_TOKEN"),
        ({"visitorToken": token, "events": [{**event(), "email": "a@b.c"}]}, 400, "INVALID"),
        (b"{not json", 400, "INVALID"),
        ({"visitorToken": token, "events": [event(query="q" * 40_000)]}, 413, "PAYLOAD_TOO_LARGE"),
    ]
    for payload, status, code in refusals:
        answer = beacon(journey_client, payload)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), payload
    assert len(journey_services.journeys.journey_of_token(token).events) == 2
    assert beacon(journey_client, {"events": [event()]}, "text/html").status_code == 400


def test_a_beacon_without_a_token_starts_a_visitor_and_names_it_in_a_header(
    journey_client: TestClient, journey_services: Services
) -> None:
    answer = beacon(journey_client, {"events": [event()]})
    assert answer.status_code == 204
    token = answer.headers["X-Visitor-Token"]
    assert len(journey_services.journeys.journey_of_token(token).events) == 1
