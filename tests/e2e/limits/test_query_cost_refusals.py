"""Operations too dear or too broad are refused before anything runs."""

from __future__ import annotations

from collections.abc import Callable

from limits_helpers import CHEAP, CHEAP_COST, DEAR, DEAR_COST, GRAPHQL_RESPONSE, JSON, codes, post
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
        ]
    }


def test_an_over_cost_query_makes_no_dynamodb_call_at_all(limited: TestClient) -> None:
    # given a warm app (the first request may read the catalog)
    post(limited, {"query": CHEAP})
    # when
    with count_dynamodb_calls() as calls:
        response = post(limited, {"query": DEAR})
    # then neither a resolver nor the budget touched DynamoDB
    assert codes(response.json()) == ["MAX_COST_EXCEEDED"]
    assert calls.operations == []


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
