"""Batched operations (a JSON array body, as Apollo's BatchHttpLink sends): checked
together, charged once for their summed cost, run in order, answered in order."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from limits_helpers import (
    CHEAP,
    CHEAP_COST,
    DEAR,
    DEAR_ANALYSIS,
    DEAR_COST,
    GRAPHQL_RESPONSE,
    JSON,
    post,
)
from starlette.testclient import TestClient

from commerce.operations.model import sha256_of
from dynamodb_calls import count_dynamodb_calls

TYPENAME = "query Typename { __typename }"  # costs 0, charged the minimum of 1
# 1 + 10 x 1 = 11 points
TITLES = "query Titles { products(first: 10) { nodes { title } } }"
TITLES_COST = 11
# productCreate: payload 1 + product 1 + userErrors 1, and 10 for a mutation = 13 points
CREATE = (
    "mutation Create($input: ProductCreateInput!) { productCreate(input: $input) "
    "{ product { title } userErrors { code } } }"
)
CREATE_COST = 13


def post_batch(
    client: TestClient,
    operations: list[Any],
    *,
    accept: str = GRAPHQL_RESPONSE,
    headers: dict[str, str] | None = None,
) -> Any:
    sent = {"Content-Type": JSON, "Accept": accept} | (headers or {})
    return client.post("/graphql", content=json.dumps(operations), headers=sent)


def create(title: str) -> dict[str, Any]:
    """productCreate of a published book with one variant, as a batch member."""
    variant = {"sku": f"SKU-{title}", "prices": [{"amount": "10.00", "currencyCode": "USD"}]}
    product = {"title": title, "published": True, "variants": [variant]}
    return {"query": CREATE, "variables": {"input": product}, "operationName": "Create"}


def titles(client: TestClient, key: str | None = None) -> list[str]:
    headers = {"X-API-Key": key} if key else {}
    body = post(client, {"query": TITLES}, headers=headers).json()
    return [node["title"] for node in body["data"]["products"]["nodes"]]


def available(body: dict[str, Any]) -> int:
    return int(body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"])


def test_a_batch_answers_each_operation_in_order_as_a_json_array(limited: TestClient) -> None:
    # when
    response = post_batch(
        limited,
        [{"query": TYPENAME}, {"query": TITLES}, {"query": CHEAP, "operationName": "Cheap"}],
    )
    # then
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert response.headers["cache-control"] == "private, no-store"
    answers = response.json()
    assert [answer["data"] for answer in answers] == [
        {"__typename": "Query"},
        {"products": {"nodes": []}},
        {"products": {"nodes": []}},
    ]
    # and each reports its own cost beside the budget left after the whole batch
    spent = 1 + TITLES_COST + CHEAP_COST
    assert [answer["extensions"]["cost"] for answer in answers] == [
        {
            "requestedQueryCost": cost,
            "throttleStatus": {
                "maximumAvailable": 1000,
                "currentlyAvailable": 1000 - spent,
                "restoreRate": 50,
            },
        }
        for cost in (1, TITLES_COST, CHEAP_COST)
    ]


def test_a_batch_is_charged_once_for_its_summed_cost(limited: TestClient) -> None:
    # when a caller's first request is a batch
    with count_dynamodb_calls() as calls:
        answers = post_batch(
            limited, [{"query": CHEAP}, {"query": CHEAP}, {"query": TITLES}]
        ).json()
    # then one UpdateItem took the sum, and the next request sees exactly that gone
    assert calls.by_operation()["UpdateItem"] == 1
    spent = 2 * CHEAP_COST + TITLES_COST
    assert {available(answer) for answer in answers} == {1000 - spent}
    assert available(post(limited, {"query": TYPENAME}).json()) == 1000 - spent - 1


def test_a_mutation_batch_runs_in_array_order(limited: TestClient, admin_key: str) -> None:
    # when a batch reads, creates, reads, creates and reads again
    response = post_batch(
        limited,
        [{"query": TITLES}, create("Ink"), {"query": TITLES}, create("Quill"), {"query": TITLES}],
        headers={"X-API-Key": admin_key},
    )
    # then each operation saw the writes of those before it, and none after it
    answers = response.json()
    assert response.status_code == 200
    assert [a["data"]["products"]["nodes"] for a in answers[0::2]] == [
        [],
        [{"title": "Ink"}],
        [{"title": "Ink"}, {"title": "Quill"}],
    ]
    assert [a["data"]["productCreate"] for a in answers[1::2]] == [
        {"product": {"title": "Ink"}, "userErrors": []},
        {"product": {"title": "Quill"}, "userErrors": []},
    ]
    assert {a["extensions"]["cost"]["requestedQueryCost"] for a in answers[1::2]} == {CREATE_COST}


def test_an_operation_that_fails_in_execution_leaves_the_others_answered(
    limited: TestClient,
) -> None:
    # when the middle operation asks for a field that does not exist
    response = post_batch(
        limited, [{"query": TYPENAME}, {"query": "{ noSuchField }"}, {"query": TYPENAME}]
    )
    # then the batch ran: the bad one answers its validation error like a request alone would
    assert response.status_code == 200
    first, bad, last = response.json()
    assert first["data"] == last["data"] == {"__typename": "Query"}
    assert "data" not in bad
    assert [e["extensions"]["code"] for e in bad["errors"]] == ["GRAPHQL_VALIDATION_FAILED"]
    assert bad["extensions"]["cost"]["requestedQueryCost"] == 1


# -- refused whole, before anything runs ------------------------------------------------------


def test_a_batch_over_budget_is_throttled_whole_and_runs_nothing(
    make_client: Callable[..., TestClient], admin_key: str
) -> None:
    # given a key with a 50-point budget that has 39 left
    client = make_client(api_key_budget=50, max_query_cost=50)
    key = {"X-API-Key": admin_key}
    assert available(post(client, {"query": TITLES}, headers=key).json()) == 50 - TITLES_COST
    # when a batch needs 13 + 11 + 13 + 11 = 48
    batch = [create("Ink"), {"query": TITLES}, create("Quill"), {"query": TITLES}]
    response = post_batch(client, batch, headers=key)
    # then every operation is answered THROTTLED, with the batch's figures
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert response.headers["cache-control"] == "private, no-store"
    throttled = {
        "errors": [
            {
                "message": (
                    "Throttled: this request costs 48 points and 39 are available; retry in 0.09 s"
                ),
                "extensions": {"code": "THROTTLED", "retryAfterSeconds": 0.09},
            }
        ],
        "extensions": {
            "cost": {
                "requestedQueryCost": 48,
                "throttleStatus": {
                    "maximumAvailable": 50,
                    "currentlyAvailable": 39,
                    "restoreRate": 100,
                },
            }
        },
    }
    assert response.json() == [throttled] * 4
    # and nothing was created, nor taken from the budget
    after = post(client, {"query": TITLES}, headers=key).json()
    assert after["data"] == {"products": {"nodes": []}}
    assert available(after) == 39 - TITLES_COST


def test_under_application_json_a_throttled_batch_answers_200(
    make_client: Callable[..., TestClient],
) -> None:
    # given an anonymous budget of 20 points
    client = make_client(anonymous_budget=20, max_query_cost=20)
    # when a batch needs 32
    response = post_batch(client, [{"query": CHEAP}, {"query": CHEAP}], accept=JSON)
    # then the refusal is for the batch's summed cost, which exceeds one request's maximum
    assert response.status_code == 200
    assert [[e["extensions"]["code"] for e in a["errors"]] for a in response.json()] == [
        ["MAX_COST_EXCEEDED"],
        ["MAX_COST_EXCEEDED"],
    ]
    # and a batch within the maximum but over what is left is THROTTLED, still 200
    post(client, {"query": CHEAP})
    throttled = post_batch(client, [{"query": TYPENAME}, {"query": CHEAP}], accept=JSON)
    assert throttled.status_code == 200
    assert throttled.headers["retry-after"] == "1"
    assert [a["errors"][0]["extensions"]["code"] for a in throttled.json()] == [
        "THROTTLED",
        "THROTTLED",
    ]


def test_a_batch_may_cost_no_more_than_one_request_may(
    make_client: Callable[..., TestClient],
) -> None:
    # given a maximum of 30 points per request
    client = make_client(max_query_cost=30)
    # when each operation fits but the two together (32) do not
    response = post_batch(client, [{"query": CHEAP}, {"query": CHEAP}])
    # then
    assert response.status_code == 400
    refused = {
        "errors": [
            {
                "message": (
                    "The batch's operations cost 32 together, which exceeds the maximum of 30 "
                    "per request: send fewer operations, or ask for smaller pages"
                ),
                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": 32, "maximumCost": 30},
            }
        ]
    }
    assert response.json() == [refused, refused]
    # and nothing was charged
    assert available(post(client, {"query": CHEAP}).json()) == 1000 - CHEAP_COST


def test_one_operation_over_the_maximum_cost_refuses_the_whole_batch(
    limited: TestClient, admin_key: str
) -> None:
    # when the second of two operations is too dear
    key = {"X-API-Key": admin_key}
    response = post_batch(limited, [create("Ink"), {"query": DEAR}], headers=key)
    # then both are answered with its refusal, naming it by its index
    assert response.status_code == 400
    refused = {
        "errors": [
            {
                "message": (
                    f"Query cost is {DEAR_COST}, which exceeds the maximum of 1000: ask for "
                    "smaller pages (first/last) or fewer nested connections"
                ),
                "extensions": {
                    "code": "MAX_COST_EXCEEDED",
                    "cost": DEAR_COST,
                    "maximumCost": 1000,
                    "batchIndex": 1,
                },
            }
        ],
        "extensions": {
            "cost": {
                "requestedQueryCost": DEAR_ANALYSIS,
                "throttleStatus": {
                    "maximumAvailable": 2000,
                    "currentlyAvailable": 2000 - DEAR_ANALYSIS,
                    "restoreRate": 100,
                },
            }
        },
    }
    assert response.json() == [refused, refused]
    # and the first did not run, and only the refused operation's analysis was charged
    after = post(limited, {"query": TITLES}, headers=key).json()
    assert after["data"] == {"products": {"nodes": []}}
    assert available(after) == 2000 - DEAR_ANALYSIS - TITLES_COST


def test_an_unknown_persisted_query_refuses_the_whole_batch_until_sent_in_full(
    limited: TestClient,
) -> None:
    # given
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": sha256_of(TITLES)}}
    # when a batch holds a hash the server never saw
    miss = post_batch(limited, [{"query": TYPENAME}, {"extensions": persisted}])
    # then every operation is told, so an APQ link resends the batch with the documents
    assert miss.status_code == 400
    not_found = {
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND", "batchIndex": 1},
            }
        ]
    }
    assert miss.json() == [not_found, not_found]
    # when it resends with the document, then the hash alone works in later batches
    sent = post_batch(
        limited, [{"query": TYPENAME}, {"query": TITLES, "extensions": persisted}]
    ).json()
    hit = post_batch(limited, [{"extensions": persisted}, {"query": TYPENAME}]).json()
    assert sent[1]["data"] == hit[0]["data"] == {"products": {"nodes": []}}
    # and the refused batch took nothing: 1000 - (1 + 11) - (11 + 1)
    assert available(hit[1]) == 1000 - 2 * (1 + TITLES_COST)


def test_in_allow_list_mode_one_unregistered_operation_refuses_the_batch(
    make_client: Callable[..., TestClient],
) -> None:
    # given allow-list mode with nothing registered
    client = make_client(persisted_queries_only=True)
    # when
    response = post_batch(client, [{"query": TYPENAME}])
    # then
    assert response.status_code == 400
    (answer,) = response.json()
    assert answer["errors"][0]["extensions"] == {"code": "OPERATION_NOT_ALLOWED", "batchIndex": 0}


def test_an_operation_that_does_not_parse_refuses_the_whole_batch(
    limited: TestClient, admin_key: str
) -> None:
    # when a mutation is followed by a document with a syntax error
    key = {"X-API-Key": admin_key}
    response = post_batch(
        limited, [create("Ink"), {"query": "{ products(first: 1) {"}], headers=key
    )
    # then neither runs: alone the mutation would have, but not in a batch with a broken member
    assert response.status_code == 400
    answers = response.json()
    assert len(answers) == 2
    for answer in answers:
        (error,) = answer["errors"]
        assert error["extensions"] == {"code": "GRAPHQL_PARSE_FAILED", "batchIndex": 1}
        assert error["message"].startswith("Syntax Error:")
        assert "extensions" not in answer
    after = post(limited, {"query": TITLES}, headers=key).json()
    assert after["data"] == {"products": {"nodes": []}}
    assert available(after) == 2000 - TITLES_COST


# -- unusable batches -------------------------------------------------------------------------


def test_more_operations_than_allowed_are_refused_with_the_figures(limited: TestClient) -> None:
    # when
    response = post_batch(limited, [{"query": TYPENAME}] * 11)
    # then
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "A batch may hold at most 10 operations; this one holds 11",
                "extensions": {
                    "code": "TOO_MANY_OPERATIONS",
                    "operations": 11,
                    "maximumOperations": 10,
                },
            }
        ]
    }
    # and nothing was charged
    assert available(post(limited, {"query": TYPENAME}).json()) == 999


def test_the_batch_size_is_configurable(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_batch_operations=2)
    assert post_batch(client, [{"query": TYPENAME}] * 2).status_code == 200
    refused = post_batch(client, [{"query": TYPENAME}] * 3, accept=JSON)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["maximumOperations"] == 2


@pytest.mark.parametrize(
    ("batch", "message", "index"),
    [
        pytest.param([], "A batch needs at least one operation", None, id="empty"),
        pytest.param(
            [{"query": TYPENAME}, "query Typename { __typename }"],
            "Operation 1 of the batch: An operation must be a JSON object",
            1,
            id="not-an-object",
        ),
        pytest.param(
            [{"query": TYPENAME}, {"query": TYPENAME}, {"variables": {}}],
            "Operation 2 of the batch: The request needs a 'query' string",
            2,
            id="missing-query",
        ),
        pytest.param(
            [{"query": TYPENAME, "variables": [1]}],
            "Operation 0 of the batch: 'variables' must be an object",
            0,
            id="variables-list",
        ),
    ],
)
def test_an_unusable_batch_answers_400_and_runs_nothing(
    limited: TestClient, batch: list[Any], message: str, index: int | None
) -> None:
    # when
    response = post_batch(limited, batch)
    # then
    assert response.status_code == 400
    extensions: dict[str, Any] = {"code": "BAD_REQUEST"}
    if index is not None:
        extensions["batchIndex"] = index
    assert response.json() == {"errors": [{"message": message, "extensions": extensions}]}
    assert available(post(limited, {"query": TYPENAME}).json()) == 999


def test_a_batch_by_get_is_refused(limited: TestClient) -> None:
    # when a GET repeats the query parameter to carry two operations
    response = limited.get(
        "/graphql",
        params=[("query", TYPENAME), ("query", TITLES)],
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    # then
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": (
                    "A GET carries one operation; send a batch by POST, as a JSON array body"
                ),
                "extensions": {"code": "BAD_REQUEST"},
            }
        ]
    }
    assert available(post(limited, {"query": TYPENAME}).json()) == 999


def test_batched_queries_are_answered_from_the_response_cache_with_their_own_figures(
    make_client: Callable[..., TestClient],
) -> None:
    # given a response the response cache holds (it needs a current catalog view)
    client = make_client(catalog_cache_seconds=60, catalog_stale_seconds=60)
    post(client, {"query": TITLES})
    single = post(client, {"query": CHEAP})
    assert post(client, {"query": CHEAP}).headers["x-cache"] == "HIT"
    # when the same operation comes twice in a batch
    answers = post_batch(client, [{"query": CHEAP}, {"query": CHEAP}]).json()
    # then both carry the cached data and the batch's figures
    assert answers[0]["data"] == answers[1]["data"] == single.json()["data"]
    left = 1000 - TITLES_COST - 4 * CHEAP_COST
    assert [a["extensions"]["cost"]["requestedQueryCost"] for a in answers] == [16, 16]
    assert {available(a) for a in answers} == {left}
