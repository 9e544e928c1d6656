"""The GraphQL-over-HTTP contract of /graphql, as clients, caches and gateways see it.

Spec: https://graphql.github.io/graphql-over-http/draft/ . Under
``application/graphql-response+json`` a request that never executes (parse, validation,
variable errors) answers 400; under legacy ``application/json`` it answers 200.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from commerce.access.model import Scope
from commerce.app import create_app
from commerce.composition import Services, build_services
from commerce.settings import Settings

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
PRODUCTS = "query Products { products(first: 5) { totalCount nodes { title } } }"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._~+/=-]{1,64}")


def post(
    client: TestClient,
    payload: Any,
    *,
    accept: str | None = GRAPHQL_RESPONSE,
    headers: dict[str, str] | None = None,
) -> Any:
    sent = {"Content-Type": JSON} | ({"Accept": accept} if accept is not None else {})
    return client.post("/graphql", content=json.dumps(payload), headers=sent | (headers or {}))


def media_type(response: Any) -> str:
    return str(response.headers["content-type"]).split(";")[0].strip()


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body["errors"]]


# -- the happy paths ---------------------------------------------------------------------


def test_a_query_posted_as_json_answers_200_with_data(client: TestClient) -> None:
    # given an empty catalog
    # when a client posts a query as JSON
    response = post(client, {"query": PRODUCTS})
    # then the data comes back under the negotiated media type
    assert response.status_code == 200
    assert media_type(response) == GRAPHQL_RESPONSE
    assert response.json() == {"data": {"products": {"totalCount": 0, "nodes": []}}}


def test_a_query_sent_by_get_with_query_and_variables_answers_200(client: TestClient) -> None:
    # given a query with a variable, sent in the URL as a CDN-cacheable GET
    query = "query Products($n: Int) { products(first: $n) { totalCount } }"
    # when
    response = client.get(
        "/graphql",
        params={"query": query, "variables": json.dumps({"n": 3})},
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    # then
    assert response.status_code == 200
    assert response.json() == {"data": {"products": {"totalCount": 0}}}


def test_a_mutation_sent_by_get_is_refused_with_405_and_allow_post(
    client: TestClient, admin_key: str
) -> None:
    # given a mutation, which must never run on a GET (caches and prefetchers replay GETs)
    mutation = 'mutation { productCreate(input: {title: "Dune"}) { product { title } } }'
    # when it is sent by GET, even by staff
    response = client.get(
        "/graphql",
        params={"query": mutation},
        headers={"Accept": GRAPHQL_RESPONSE, "X-API-Key": admin_key},
    )
    # then it is refused before running, and nothing was created
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert codes(response.json()) == ["METHOD_NOT_ALLOWED"]
    assert post(client, {"query": PRODUCTS}).json()["data"]["products"]["totalCount"] == 0


# -- graphql-response+json: request errors are 400, field errors are 200 ------------------


def test_a_parse_error_answers_400_under_graphql_response_json(client: TestClient) -> None:
    # when
    response = post(client, {"query": "{ products(first: 1) { totalCount "})
    # then
    assert response.status_code == 400
    assert media_type(response) == GRAPHQL_RESPONSE
    body = response.json()
    assert "data" not in body
    assert codes(body) == ["GRAPHQL_PARSE_FAILED"]


def test_an_unknown_field_answers_400_under_graphql_response_json(client: TestClient) -> None:
    # when
    response = post(client, {"query": "{ products(first: 1) { noSuchField } }"})
    # then
    assert response.status_code == 400
    assert media_type(response) == GRAPHQL_RESPONSE
    body = response.json()
    assert "data" not in body
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "noSuchField" in body["errors"][0]["message"]


def test_variables_of_the_wrong_type_answer_400_under_graphql_response_json(
    client: TestClient,
) -> None:
    # given
    query = "query Products($n: Int) { products(first: $n) { totalCount } }"
    # when
    response = post(client, {"query": query, "variables": {"n": "five"}})
    # then
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert len(body["errors"]) == 1
    assert "$n" in body["errors"][0]["message"]


def test_a_field_error_answers_200_with_data_and_bad_user_input(client: TestClient) -> None:
    # given a page size far above the limit: the request is valid, the field fails
    query = "{ products(first: 100000) { totalCount } }"
    # when
    response = post(client, {"query": query})
    # then execution started, so the response is 200 and carries data
    assert response.status_code == 200
    assert media_type(response) == GRAPHQL_RESPONSE
    body = response.json()
    assert "data" in body
    assert body["data"] is None
    assert codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["path"] == ["products"]


def test_a_validation_error_answers_200_under_legacy_application_json(
    client: TestClient,
) -> None:
    # when a legacy client asks for application/json
    response = post(client, {"query": "{ products(first: 1) { noSuchField } }"}, accept=JSON)
    # then the spec keeps the old behaviour: 200, errors in the body
    assert response.status_code == 200
    assert media_type(response) == JSON
    assert codes(response.json()) == ["GRAPHQL_VALIDATION_FAILED"]


def test_a_request_without_accept_is_answered_as_application_json(client: TestClient) -> None:
    # given a client that sends no Accept at all (the test client's default is */*)
    del client.headers["accept"]
    # when
    response = post(client, {"query": "{ nope }"}, accept=None)
    # then it gets the legacy media type and its 200 for a validation error
    assert "accept" not in response.request.headers
    assert response.status_code == 200
    assert media_type(response) == JSON


def test_a_wildcard_accept_is_answered_as_application_json(client: TestClient) -> None:
    # when a client accepts anything, as curl and fetch do by default
    response = post(client, {"query": "{ nope }"}, accept="*/*")
    # then it is answered as a client that named no type (the spec's SHOULD): the legacy
    # media type, with its 200 for a validation error
    assert response.status_code == 200
    assert media_type(response) == JSON


def test_a_client_naming_graphql_response_json_gets_it_even_beside_a_wildcard(
    client: TestClient,
) -> None:
    # when a client names the modern type first, then anything
    response = post(client, {"query": "{ nope }"}, accept=f"{GRAPHQL_RESPONSE}, */*;q=0.1")
    # then it gets the modern media type, with its 400 for a request error
    assert response.status_code == 400
    assert media_type(response) == GRAPHQL_RESPONSE


def test_an_accept_header_naming_no_json_type_answers_406(client: TestClient) -> None:
    # when
    response = post(client, {"query": PRODUCTS}, accept="text/plain")
    # then
    assert response.status_code == 406
    assert codes(response.json()) == ["NOT_ACCEPTABLE"]


def test_an_unknown_operation_name_answers_400_under_graphql_response_json(
    client: TestClient,
) -> None:
    # when the document has no operation by the requested name
    response = post(client, {"query": PRODUCTS, "operationName": "Collections"})
    # then
    assert response.status_code == 400
    assert codes(response.json()) == ["BAD_REQUEST"]


# -- unusable requests ---------------------------------------------------------------------


def test_a_post_body_that_is_not_json_content_answers_415(client: TestClient) -> None:
    # when
    response = client.post(
        "/graphql",
        content=PRODUCTS,
        headers={"Content-Type": "text/plain", "Accept": GRAPHQL_RESPONSE},
    )
    # then
    assert response.status_code == 415
    assert codes(response.json()) == ["UNSUPPORTED_MEDIA_TYPE"]


def test_a_body_over_one_mebibyte_answers_413(client: TestClient) -> None:
    # given a query padded with a comment past the limit
    oversized = {"query": PRODUCTS + " #" + "x" * 1_048_576}
    # when
    response = post(client, oversized)
    # then
    assert response.status_code == 413
    assert codes(response.json()) == ["PAYLOAD_TOO_LARGE"]


def test_a_body_over_one_mebibyte_without_content_length_answers_413(
    client: TestClient,
) -> None:
    # given a chunked body, which declares no Content-Length
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ products(first: 1) { totalCount } } #'
        for _ in range(17):
            yield b"x" * 65_536
        yield b'"}'

    # when
    response = client.post(
        "/graphql",
        content=chunks(),
        headers={"Content-Type": JSON, "Accept": GRAPHQL_RESPONSE},
    )
    # then
    assert response.status_code == 413
    assert codes(response.json()) == ["PAYLOAD_TOO_LARGE"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param('{"query": ', "is not valid JSON", id="invalid-json"),
        pytest.param("[]", "A batch needs at least one operation", id="empty-batch"),
        pytest.param(json.dumps({"variables": {}}), "'query'", id="missing-query"),
        pytest.param(
            json.dumps({"query": PRODUCTS, "variables": [1]}), "'variables'", id="variables-list"
        ),
        pytest.param(
            json.dumps({"query": PRODUCTS, "variables": "{}"}), "'variables'", id="variables-str"
        ),
    ],
)
def test_an_unusable_body_answers_400_with_the_reason(
    client: TestClient, body: str, reason: str
) -> None:
    # when
    response = client.post(
        "/graphql", content=body, headers={"Content-Type": JSON, "Accept": GRAPHQL_RESPONSE}
    )
    # then
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert len(errors) == 1
    assert errors[0]["extensions"]["code"] == "BAD_REQUEST"
    assert reason in errors[0]["message"]


# -- GraphiQL ---------------------------------------------------------------------------------


def test_a_browser_gets_graphiql_when_it_is_enabled(client: TestClient) -> None:
    # when
    response = client.get("/graphql", headers={"Accept": "text/html,application/xhtml+xml"})
    # then
    assert response.status_code == 200
    assert media_type(response) == "text/html"
    assert "graphiql" in response.text.lower()


def test_a_browser_gets_404_when_graphiql_is_disabled(
    services: Services, settings: Settings
) -> None:
    # given a deployment with GraphiQL off
    app = create_app(build_services(dataclasses.replace(settings, graphiql=False)))
    with TestClient(app) as client:
        # when
        response = client.get("/graphql", headers={"Accept": "text/html"})
    # then
    assert response.status_code == 404
    assert codes(response.json()) == ["NOT_FOUND"]
    assert "<html" not in response.text.lower()


# -- request ids and error masking ------------------------------------------------------------


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    # when requests succeed, fail in GraphQL, and fail in HTTP
    responses = [
        post(client, {"query": PRODUCTS}),
        post(client, {"query": "{ nope }"}),
        post(client, {"query": PRODUCTS}, accept="text/plain"),
        client.get("/health"),
    ]
    # then each has its own sane id
    ids = [r.headers["x-request-id"] for r in responses]
    assert all(SANE_REQUEST_ID.fullmatch(i) for i in ids)
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    "inbound",
    [
        pytest.param("edge-7f3a.42_b", id="token"),
        pytest.param("Rk7ERiKWIAMEVYQ=", id="api-gateway-base64"),
        pytest.param("0b5c1f9e-54d6-4c1e-9a53-2f0d0c7e6b1a", id="uuid"),
    ],
)
def test_a_sane_inbound_request_id_is_echoed(client: TestClient, inbound: str) -> None:
    # when
    response = post(client, {"query": PRODUCTS}, headers={"X-Request-Id": inbound})
    # then
    assert response.headers["x-request-id"] == inbound


@pytest.mark.parametrize(
    "inbound",
    [
        pytest.param("a" * 200, id="too-long"),
        pytest.param("id with spaces", id="spaces"),
        pytest.param("<script>", id="markup"),
        pytest.param("", id="empty"),
    ],
)
def test_an_insane_inbound_request_id_is_replaced(client: TestClient, inbound: str) -> None:
    # when
    response = post(client, {"query": PRODUCTS}, headers={"X-Request-Id": inbound})
    # then
    replaced = response.headers["x-request-id"]
    assert replaced != inbound
    assert SANE_REQUEST_ID.fullmatch(replaced)


def test_an_unexpected_resolver_exception_is_masked_to_the_request_id(
    client: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a storage failure whose message must not leak
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(services.catalog, "list_products", broken)
    # when
    response = post(client, {"query": PRODUCTS})
    # then the client sees a generic error tied to the log by the request id
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"] == [
        {
            "message": "Internal server error",
            "locations": [{"line": 1, "column": 18}],
            "path": ["products"],
            "extensions": {
                "code": "INTERNAL_SERVER_ERROR",
                "requestId": response.headers["x-request-id"],
            },
        }
    ]
    assert "secret detail" not in response.text
    assert "RuntimeError" not in response.text
    assert "Traceback" not in response.text


# -- health -------------------------------------------------------------------------------------


def test_health_answers_ok(client: TestClient) -> None:
    # when
    response = client.get("/health")
    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


# -- API keys -------------------------------------------------------------------------------------

CREATE = """
mutation {
  productCreate(input: {title: "Dune", variants: [{sku: "DUNE-HC"}]}) {
    product { title }
    userErrors { code }
  }
}
"""


def test_a_malformed_or_unknown_api_key_answers_401(client: TestClient) -> None:
    # when
    responses = [
        post(client, {"query": PRODUCTS}, headers={"X-API-Key": key})
        for key in ("nonsense", "ck_abcdefgh_" + "A" * 43)
    ]
    # then
    for response in responses:
        assert response.status_code == 401
        assert codes(response.json()) == ["UNAUTHENTICATED"]


def test_a_revoked_api_key_answers_401(client: TestClient, services: Services) -> None:
    # given a key that worked, then was revoked
    created = services.access.create_key("old partner", frozenset({Scope.ADMIN}))
    headers = {"X-API-Key": created.plaintext}
    assert post(client, {"query": PRODUCTS}, headers=headers).status_code == 200
    services.access.revoke_key(created.key.prefix)
    # when
    response = post(client, {"query": PRODUCTS}, headers=headers)
    # then
    assert response.status_code == 401
    body = response.json()
    assert codes(body) == ["UNAUTHENTICATED"]
    assert "revoked" in body["errors"][0]["message"]


def test_an_admin_key_may_mutate_and_its_last_use_is_recorded(
    client: TestClient, services: Services, admin_key: str
) -> None:
    # given a key that has never been used
    assert [k.last_used_at for k in services.access.list_keys()] == [None]
    # when staff create a product with it
    response = post(client, {"query": CREATE}, headers={"X-API-Key": admin_key})
    # then
    assert response.status_code == 200
    assert response.json() == {
        "data": {"productCreate": {"product": {"title": "Dune"}, "userErrors": []}}
    }
    [key] = services.access.list_keys()
    assert key.last_used_at is not None


def test_a_mutation_without_a_key_is_unauthenticated(client: TestClient) -> None:
    # when
    response = post(client, {"query": CREATE})
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert codes(body) == ["UNAUTHENTICATED"]
