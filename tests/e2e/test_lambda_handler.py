"""The Lambda entry point, called with the events API Gateway HTTP API (payload 2.0) sends.

Each test sets the environment a deployed function would have (table and endpoint), so
the handler builds the app exactly as on a cold start.
"""

from __future__ import annotations

import base64
import json
import logging
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from commerce import lambda_handler
from commerce.composition import Services
from commerce.settings import Settings

API_HOST = "k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com"
REQUEST_ID = "Rk7ERiKWIAMEVYQ="
PRODUCTS = "query Products { products(first: 5) { totalCount nodes { title } } }"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def http_api_event(
    method: str,
    path: str,
    *,
    query_string: str = "",
    headers: dict[str, str] | None = None,
    body: str | None = None,
    is_base64_encoded: bool = False,
    request_id: str = REQUEST_ID,
) -> dict[str, Any]:
    """An event as API Gateway HTTP API sends it (payload format 2.0, $default stage)."""
    all_headers = {
        "accept-encoding": "gzip, deflate, br",
        "host": API_HOST,
        "user-agent": "storefront/3.2 (+https://shop.example)",
        "x-amzn-trace-id": "Root=1-6741a2b0-5f1c3e7d2a9b4c6e8f0a1b2c",
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
        **(headers or {}),
    }
    if body is not None:
        all_headers["content-length"] = str(len(body))
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": query_string,
        "headers": all_headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "k3x9q2w7ab",
            "domainName": API_HOST,
            "domainPrefix": "k3x9q2w7ab",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": all_headers["user-agent"],
            },
            "requestId": request_id,
            "routeKey": f"{method} {path}",
            "stage": "$default",
            "time": "23/Nov/2026:09:15:04 +0000",
            "timeEpoch": 1795425304000,
        },
        "isBase64Encoded": is_base64_encoded,
    }
    if query_string:
        event["queryStringParameters"] = dict(urllib.parse.parse_qsl(query_string))
    if body is not None:
        event["body"] = body
    return event


def decoded_body(response: dict[str, Any]) -> Any:
    raw = response.get("body", "")
    text = base64.b64decode(raw).decode() if response.get("isBase64Encoded") else raw
    return json.loads(text)


@pytest.fixture
def cold_start() -> Iterator[None]:
    """A fresh container: the handler builds its app on the next event."""
    lambda_handler._adapter = None
    yield
    lambda_handler._adapter = None


@pytest.fixture
def deployed(
    cold_start: None, services: Services, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The function's environment, pointing at this test's (already created) table."""
    monkeypatch.setenv("COMMERCE_TABLE_NAME", settings.table_name)
    monkeypatch.setenv("COMMERCE_DYNAMODB_ENDPOINT", str(settings.dynamodb_endpoint))
    monkeypatch.setenv("AWS_REGION", settings.region)
    monkeypatch.setenv("COMMERCE_STAGE", "prod")
    # Budgets add extensions.cost to every answer; tests/e2e/limits covers them on Lambda.
    monkeypatch.setenv("COMMERCE_RATE_LIMITS", "off")


@pytest.mark.usefixtures("deployed")
def test_a_post_with_a_json_body_is_answered_with_data_and_the_request_id() -> None:
    # given
    event = http_api_event(
        "POST",
        "/graphql",
        headers={"content-type": "application/json", "accept": GRAPHQL_RESPONSE},
        body=json.dumps({"query": PRODUCTS, "operationName": "Products"}),
    )
    # when
    response = lambda_handler.handler(event, None)
    # then
    assert response["statusCode"] == 200
    assert response["headers"]["content-type"] == GRAPHQL_RESPONSE
    assert response["headers"]["x-request-id"] == REQUEST_ID
    assert response["isBase64Encoded"] is False
    assert decoded_body(response) == {"data": {"products": {"totalCount": 0, "nodes": []}}}


@pytest.mark.usefixtures("deployed")
def test_a_batch_body_is_answered_with_an_array_in_the_same_order() -> None:
    # given a batch as Apollo's BatchHttpLink posts it
    batch = [
        {"query": PRODUCTS, "operationName": "Products"},
        {"query": "query Typename { __typename }", "operationName": "Typename"},
    ]
    event = http_api_event(
        "POST",
        "/graphql",
        headers={"content-type": "application/json", "accept": GRAPHQL_RESPONSE},
        body=json.dumps(batch),
    )
    # when
    response = lambda_handler.handler(event, None)
    # then
    assert response["statusCode"] == 200
    assert response["headers"]["content-type"] == GRAPHQL_RESPONSE
    assert response["headers"]["x-request-id"] == REQUEST_ID
    assert decoded_body(response) == [
        {"data": {"products": {"totalCount": 0, "nodes": []}}},
        {"data": {"__typename": "Query"}},
    ]


@pytest.mark.usefixtures("deployed")
def test_a_post_with_a_base64_encoded_body_is_decoded_before_execution() -> None:
    # given API Gateway passing the body base64-encoded
    raw = json.dumps({"query": PRODUCTS}).encode()
    event = http_api_event(
        "POST",
        "/graphql",
        headers={"content-type": "application/json; charset=utf-8"},
        body=base64.b64encode(raw).decode(),
        is_base64_encoded=True,
    )
    # when
    response = lambda_handler.handler(event, None)
    # then
    assert response["statusCode"] == 200
    assert response["headers"]["content-type"].startswith("application/json")
    assert response["headers"]["x-request-id"] == REQUEST_ID
    assert decoded_body(response) == {"data": {"products": {"totalCount": 0, "nodes": []}}}


@pytest.mark.usefixtures("deployed")
def test_a_get_with_an_urlencoded_query_string_runs_the_query() -> None:
    # given
    query_string = urllib.parse.urlencode(
        {"query": "query($n: Int) { products(first: $n) { totalCount } }", "variables": '{"n":2}'}
    )
    event = http_api_event(
        "GET", "/graphql", query_string=query_string, headers={"accept": GRAPHQL_RESPONSE}
    )
    # when
    response = lambda_handler.handler(event, None)
    # then
    assert response["statusCode"] == 200
    assert response["headers"]["content-type"] == GRAPHQL_RESPONSE
    assert response["headers"]["x-request-id"] == REQUEST_ID
    assert decoded_body(response) == {"data": {"products": {"totalCount": 0}}}


@pytest.mark.usefixtures("deployed")
def test_a_mutation_in_a_get_query_string_is_refused_with_405() -> None:
    # given
    query_string = urllib.parse.urlencode(
        {"query": 'mutation { productCreate(input: {title: "X"}) { product { title } } }'}
    )
    event = http_api_event("GET", "/graphql", query_string=query_string)
    # when
    response = lambda_handler.handler(event, None)
    # then
    assert response["statusCode"] == 405
    assert response["headers"]["allow"] == "POST"
    assert decoded_body(response)["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.usefixtures("deployed")
def test_health_answers_ok_through_the_handler() -> None:
    # when
    response = lambda_handler.handler(http_api_event("GET", "/health"), None)
    # then
    assert response["statusCode"] == 200
    assert response["headers"]["content-type"] == "application/json"
    assert response["headers"]["x-request-id"] == REQUEST_ID
    assert decoded_body(response) == {"status": "ok"}


@pytest.mark.usefixtures("cold_start")
@pytest.mark.parametrize(
    "event",
    [
        pytest.param({}, id="empty"),
        pytest.param(
            {"Records": [{"eventSource": "aws:sqs", "body": "{}", "messageId": "1"}]}, id="sqs"
        ),
        pytest.param(
            {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}},
            id="schedule",
        ),
        pytest.param({"version": "2.0", "requestContext": {}}, id="truncated-http-api"),
        pytest.param(
            {"version": "2.0", "requestContext": {"http": {"method": "GET"}}, "headers": None},
            id="http-api-without-path",
        ),
    ],
)
def test_an_event_that_is_not_an_http_api_request_answers_400_without_raising(
    event: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    # when
    with caplog.at_level(logging.ERROR, logger="commerce.lambda"):
        response = lambda_handler.handler(event, None)
    # then the caller gets a plain error, and the log says what arrived
    assert response["statusCode"] == 400
    assert response["headers"] == {"content-type": "application/json"}
    body = decoded_body(response)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNSUPPORTED_EVENT"]
    assert "Traceback" not in response["body"]
    assert [r.levelno for r in caplog.records if r.name == "commerce.lambda"] == [logging.ERROR]
    # and no app was built for it
    assert lambda_handler._adapter is None


@pytest.mark.usefixtures("cold_start")
def test_the_unsupported_event_log_line_holds_no_event_values(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given an event whose values include a credential
    event = {"headers": {"x-api-key": "ck_abcdefgh_topsecret"}, "body": "card=4242"}
    # when
    with caplog.at_level(logging.ERROR, logger="commerce.lambda"):
        lambda_handler.handler(event, None)
    # then
    assert "topsecret" not in caplog.text
    assert "4242" not in caplog.text
    assert "headers" in caplog.text


def test_importing_the_handler_loads_no_heavy_dependencies() -> None:
    # given a fresh interpreter, as on a Lambda cold start
    probe = (
        "import json, sys\n"
        "import commerce.lambda_handler\n"
        "heavy = ('strawberry', 'pynamodb', 'boto3', 'botocore')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    # when
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    # then
    assert json.loads(done.stdout) == []


def _malformed(**changes: Any) -> dict[str, Any]:
    event = http_api_event(
        "POST",
        "/graphql",
        headers={"content-type": "application/json"},
        body=json.dumps({"query": PRODUCTS}),
    )
    for name, value in changes.items():
        event[name] = value
    return event


@pytest.mark.usefixtures("deployed")
@pytest.mark.parametrize(
    "event",
    [
        pytest.param(_malformed(body="not base64!!", isBase64Encoded=True), id="bad-base64"),
        pytest.param(_malformed(isBase64Encoded="yes"), id="non-boolean-isBase64Encoded"),
        pytest.param(_malformed(rawQueryString=["a=1"]), id="non-string-query"),
        pytest.param(_malformed(headers={"accept": 7}), id="non-string-header"),
        pytest.param(_malformed(headers={"accept": "\ud800"}), id="lone-surrogate-header"),
        pytest.param(_malformed(cookies=[1, 2]), id="non-string-cookies"),
        pytest.param(_malformed(cookies="a=b"), id="cookies-not-a-list"),
        pytest.param(_malformed(headers={"host": "a:b:c"}), id="bad-host-port"),
    ],
)
def test_a_malformed_http_api_event_answers_400_without_raising(event: dict[str, Any]) -> None:
    # when
    response = lambda_handler.handler(event, None)
    # then
    assert response["statusCode"] == 400
    body = decoded_body(response)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["MALFORMED_EVENT"]


@pytest.mark.usefixtures("deployed")
def test_the_time_budget_applies_on_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    # given a budget no request can meet
    monkeypatch.setenv("COMMERCE_REQUEST_TIMEOUT_SECONDS", "0.000001")
    event = http_api_event(
        "POST",
        "/graphql",
        headers={"content-type": "application/json", "accept": GRAPHQL_RESPONSE},
        body=json.dumps({"query": PRODUCTS}),
    )
    # when
    response = lambda_handler.handler(event, None)
    # then
    assert response["statusCode"] == 503
    assert decoded_body(response)["errors"][0]["extensions"]["code"] == "REQUEST_TIMEOUT"


@pytest.mark.usefixtures("deployed")
def test_the_beacon_answers_204_through_the_handler_and_refuses_a_forged_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a deployed stage with its visitor key, and what navigator.sendBeacon sends
    monkeypatch.setenv("COMMERCE_VISITOR_SIGNING_KEY", "k" * 40)
    beacon = {
        "events": [
            {
                "eventId": "pv-1",
                "kind": "PAGE_VIEW",
                "occurredAt": "",
                "touch": {"utmSource": "newsletter", "utmMedium": "email"},
            }
        ]
    }
    beacon["events"][0]["occurredAt"] = datetime.now(UTC).isoformat()
    event = http_api_event(
        "POST",
        "/events",
        headers={"content-type": "text/plain;charset=UTF-8", "origin": "https://shop.example"},
        body=json.dumps(beacon),
    )
    # when
    response = lambda_handler.handler(event, None)
    # then
    assert response["statusCode"] == 204, response
    token = response["headers"]["x-visitor-token"]
    assert token.startswith("v1.")
    # and a tampered token is refused with its code, storing nothing
    forged = {**beacon, "visitorToken": token[:-2] + "AA"}
    refused = lambda_handler.handler(
        http_api_event(
            "POST", "/events", headers={"content-type": "text/plain"}, body=json.dumps(forged)
        ),
        None,
    )
    assert refused["statusCode"] == 403
    assert decoded_body(refused)["error"]["code"] == "INVALID_VISITOR_TOKEN"
