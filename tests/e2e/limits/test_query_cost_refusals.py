"""Operations too dear or too broad are refused before anything runs."""

from __future__ import annotations

from collections.abc import Callable

from limits_helpers import (
    CHEAP,
    CHEAP_COST,
    DEAR,
    DEAR_ANALYSIS,
    DEAR_COST,
    GRAPHQL_RESPONSE,
    JSON,
    codes,
    post,
)
from starlette.testclient import TestClient

from dynamodb_calls import count_dynamodb_calls


def test_a_query_over_the_maximum_cost_is_refused_with_its_figures(limited: TestClient) -> None:
    # when
    response = post(limited, {"query": DEAR})
    # then
    assert response.status_code == 400
    assert response.headers["cache-control"] == "private, no-store"
    assert response.json() == {
        "errors": [
            {
                "message": (
                    f"Query cost is {DEAR_COST}, which exceeds the maximum of 1000: ask for "
                    "smaller pages (first/last) or fewer nested connections"
                ),
                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": DEAR_COST, "maximumCost": 1000},
            }
        ],
        # charged what deciding the refusal cost, not the operation's cost
        "extensions": {
            "cost": {
                "requestedQueryCost": DEAR_ANALYSIS,
                "throttleStatus": {
                    "maximumAvailable": 1000,
                    "currentlyAvailable": 1000 - DEAR_ANALYSIS,
                    "restoreRate": 50,
                },
            }
        },
    }


def test_an_over_cost_query_runs_no_resolver_and_only_its_analysis_is_charged(
    limited: TestClient,
) -> None:
    # given a warm app (the first request may read the catalog)
    post(limited, {"query": CHEAP})
    # when
    with count_dynamodb_calls() as calls:
        response = post(limited, {"query": DEAR})
    # then no resolver read DynamoDB: only the budget was charged (one update at most)
    assert codes(response.json()) == ["MAX_COST_EXCEEDED"]
    assert set(calls.operations) <= {"UpdateItem"}
    assert len(calls.operations) <= 1


def test_repeating_a_refused_query_drains_the_budget_until_it_is_throttled(
    limited: TestClient,
) -> None:
    # given a refusal too broad to run: 31 aliased root fields
    fields = " ".join(f'p{i}: product(handle: "x{i}") {{ title }}' for i in range(31))
    query = f"{{ {fields} }}"
    first = post(limited, {"query": query}).json()
    charge = first["extensions"]["cost"]["requestedQueryCost"]
    # when it is sent again and again
    answers = [post(limited, {"query": query}) for _ in range(1000 // charge)]
    # then each refusal took its charge, and the budget ran out
    assert charge == 62
    assert codes(answers[0].json()) == ["TOO_MANY_FIELDS"]
    assert answers[-1].status_code == 429
    assert codes(answers[-1].json()) == ["THROTTLED"]


def test_page_sizes_given_as_variables_count_toward_the_cost(limited: TestClient) -> None:
    # given
    query = (
        "query Q($n: Int) { collections(first: $n) "
        "{ nodes { products(first: $n) { nodes { title } } } } }"
    )
    # when: 1 + 10 x (1 + 1 + 10) = 121 passes; 1 + 40 x (2 + 40) = 1,681 does not
    small = post(limited, {"query": query, "variables": {"n": 10}})
    large = post(limited, {"query": query, "variables": {"n": 40}})
    # then
    assert small.status_code == 200
    assert small.json()["extensions"]["cost"]["requestedQueryCost"] == 121
    assert large.json()["errors"][0]["extensions"]["cost"] == 1681


def test_under_application_json_a_cost_refusal_answers_200(limited: TestClient) -> None:
    # when
    response = post(limited, {"query": DEAR}, accept=JSON)
    # then
    assert response.status_code == 200
    assert codes(response.json()) == ["MAX_COST_EXCEEDED"]


def test_more_than_thirty_root_fields_are_refused_as_too_many_fields(limited: TestClient) -> None:
    # given 31 aliased copies of one cheap field
    fields = " ".join(f'p{i}: product(handle: "x{i}") {{ title }}' for i in range(31))
    # when
    response = post(limited, {"query": f"{{ {fields} }}"})
    # then
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == [
        {
            "message": (
                "An operation may select at most 30 root fields and 30 aliases; "
                "this one selects 31 and 31"
            ),
            "extensions": {
                "code": "TOO_MANY_FIELDS",
                "rootFields": 31,
                "aliases": 31,
                "maximumRootFields": 30,
                "maximumAliases": 30,
            },
        }
    ]


def test_the_maximum_cost_is_configurable(make_client: Callable[..., TestClient]) -> None:
    # given a stricter maximum than the default
    client = make_client(max_query_cost=10)
    # when
    response = post(client, {"query": CHEAP})
    # then
    assert response.json()["errors"][0]["extensions"] == {
        "code": "MAX_COST_EXCEEDED",
        "cost": CHEAP_COST,
        "maximumCost": 10,
    }
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
