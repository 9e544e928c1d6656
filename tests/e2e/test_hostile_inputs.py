"""Fuzzing every parser of client input: the answer is a typed 4xx or a GraphQL error.

Fixed seed (``derandomize``) and bounded examples, over one app per module, so the
property runs in every ``make test`` in seconds. Documents, JSON bodies and API Gateway
events are drawn around the shapes that once reached a 500 or held the server:
fragment chains, deep nesting, long numbers, wrong types in event fields.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mangum import Mangum
from starlette.testclient import TestClient

from commerce import lambda_handler
from commerce.app import create_app
from commerce.composition import build_services
from commerce.db.table import create_table_if_missing
from commerce.settings import Settings

GRAPHQL_RESPONSE = "application/graphql-response+json"
FUZZ = settings(
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TOKENS = [
    "{", "}", "(", ")", "[", "]", ":", "$", "=", "@", "...", "!", "query", "mutation",
    "fragment", "on", "Query", "Product", "products", "product", "nodes", "edges", "node",
    "title", "first:", "last:", "ids:", "handle:", '"x"', "1", "-1", "9" * 30, "1e999",
    "__typename", "__schema", "F0", "F1", "a:", "$n", "Int", "null", "true", "#",
]  # fmt: skip


@pytest.fixture(scope="module")
def app_settings(dynamodb_endpoint: str) -> Settings:
    """Production limits, on a table of this module's own."""
    import uuid

    return Settings(
        table_name=f"test-{uuid.uuid4().hex[:12]}",
        dynamodb_endpoint=dynamodb_endpoint,
        catalog_cache_seconds=0,
        catalog_stale_seconds=0,
        rate_limits=False,
    )


@pytest.fixture(scope="module")
def client(app_settings: Settings) -> Iterator[TestClient]:
    services = build_services(app_settings)
    create_table_if_missing()
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def adapter(app_settings: Settings) -> Iterator[None]:
    """The Lambda handler over this module's app, as after a cold start."""
    services = build_services(dataclasses.replace(app_settings))
    create_table_if_missing()
    lambda_handler._adapter = Mangum(
        create_app(services), lifespan="off", api_gateway_base_path="/"
    )
    yield
    lambda_handler._adapter = None


def assert_typed_answer(status: int, body: Any) -> None:
    """A 2xx with data or errors, or a 4xx whose every error carries a code."""
    assert status < 500, body
    if isinstance(body, list):
        for element in body:
            assert_typed_answer(200, element)
        return
    assert isinstance(body, dict)
    errors = body.get("errors")
    if status >= 400 or "data" not in body:
        assert errors, body
    for error in errors or []:
        code = error.get("extensions", {}).get("code")
        assert code is not None, body
        assert code != "INTERNAL_SERVER_ERROR", body


def doubling_chain(levels: int, on: str, leaf: str) -> str:
    chain = "".join(f"fragment F{i} on {on} {{ ...F{i + 1} ...F{i + 1} }} " for i in range(levels))
    return chain + f"fragment F{levels} on {on} {{ {leaf} }}"


documents = st.one_of(
    st.lists(st.sampled_from(TOKENS), max_size=60).map(" ".join),
    st.builds(
        lambda levels, root: (
            "{ ...F0 } " + doubling_chain(levels, "Query", "__typename")
            if root
            else "{ products(first: 1) { nodes { ...F0 } } } "
            + doubling_chain(levels, "Product", "title")
        ),
        st.integers(1, 80),
        st.booleans(),
    ),
    st.integers(1, 400).map(
        lambda depth: "{" + "products { nodes {" * depth + "}" * 2 * depth + "}"
    ),
    st.text(max_size=200),
)


def post(client: TestClient, content: bytes) -> tuple[int, Any]:
    response = client.post(
        "/graphql",
        content=content,
        headers={"Content-Type": "application/json", "Accept": GRAPHQL_RESPONSE},
    )
    return response.status_code, response.json()


@FUZZ
@given(
    query=documents,
    variables=st.none()
    | st.dictionaries(st.sampled_from(["n", "x"]), st.integers() | st.text(max_size=5)),
)
def test_any_document_gets_a_typed_answer(client: TestClient, query: str, variables: Any) -> None:
    payload = json.dumps({"query": query, "variables": variables}).encode()
    assert_typed_answer(*post(client, payload))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["query", "variables", "operationName", "extensions", "x"]),
            children,
            max_size=4,
        )
    ),
    max_leaves=30,
)
bodies = st.one_of(
    json_values.map(lambda value: json.dumps(value).encode()),
    st.integers(1, 3000).map(
        lambda depth: (
            '{"query": "{ __typename }", "variables": {"v": ' + "[" * depth + "]" * depth + "}}"
        ).encode()
    ),
    st.binary(max_size=200),
    st.just(b'{"query": "{ __typename }", "variables": {"n": 1' + b"0" * 5000 + b"}}"),
)


@FUZZ
@given(body=bodies)
def test_any_body_gets_a_typed_answer(client: TestClient, body: bytes) -> None:
    assert_typed_answer(*post(client, body))


event_values = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=12)
    | st.lists(st.text(max_size=5) | st.integers(), max_size=3)
)


@FUZZ
@given(
    parts=st.fixed_dictionaries(
        {
            "body": event_values,
            "encoded": event_values,
            "raw_query": event_values,
            "header_value": event_values,
            "cookies": event_values,
            "host": st.sampled_from(["api.example", "api.example:443", "a:b:c", "x:", "h:9"]),
        }
    )
)
def test_any_lambda_event_gets_an_answer_never_an_exception(
    adapter: None, parts: dict[str, Any]
) -> None:
    body, encoded = parts["body"], parts["encoded"]
    if isinstance(body, str) and encoded is True:
        body = base64.b64encode(body.encode("utf-8", "surrogatepass")).decode()
    event = {
        "version": "2.0",
        "routeKey": "POST /graphql",
        "rawPath": "/graphql",
        "rawQueryString": parts["raw_query"],
        "headers": {
            "content-type": "application/json",
            "accept": parts["header_value"],
            "host": parts["host"],
        },
        "cookies": parts["cookies"],
        "requestContext": {
            "http": {"method": "POST", "path": "/graphql", "sourceIp": "203.0.113.7"},
            "requestId": "Rk7ERiKWIAMEVYQ=",
        },
        "body": body,
        "isBase64Encoded": encoded,
    }
    response = lambda_handler.handler(event, None)
    raw = response.get("body") or ""
    text = base64.b64decode(raw).decode() if response.get("isBase64Encoded") else raw
    assert_typed_answer(response["statusCode"], json.loads(text) if text else {"errors": None})
