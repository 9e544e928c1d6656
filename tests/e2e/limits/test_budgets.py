"""Each caller's budget: charged per request, refilled over time, refused when spent."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from limits_helpers import CHEAP, CHEAP_COST, GRAPHQL_RESPONSE, JSON, codes, post
from starlette.testclient import TestClient

from commerce.access.model import Scope
from commerce.composition import Services
from dynamodb_calls import count_dynamodb_calls

if TYPE_CHECKING:
    from conftest import FakeClock

# products(first: 100) { nodes { title } }: 1 + 100 x 1 = 101 points
HUNDRED = "query Hundred { products(first: 100) { nodes { title } } }"
HUNDRED_COST = 101


def throttle(body: dict[str, object]) -> dict[str, object]:
    cost = body["extensions"]["cost"]  # type: ignore[index]
    return cost["throttleStatus"]  # type: ignore[no-any-return]


def test_every_answer_reports_its_cost_and_the_budget_left(limited: TestClient) -> None:
    # when
    body = post(limited, {"query": CHEAP}).json()
    # then
    assert body["extensions"] == {
        "cost": {
            "requestedQueryCost": CHEAP_COST,
            "throttleStatus": {
                "maximumAvailable": 1000,
                "currentlyAvailable": 1000 - CHEAP_COST,
                "restoreRate": 50,
            },
        }
    }


def test_a_callers_first_request_costs_one_dynamodb_call_for_its_budget(
    limited: TestClient,
) -> None:
    # when a caller's first request comes
    with count_dynamodb_calls() as calls:
        post(limited, {"query": CHEAP})
    # then its budget costs one UpdateItem, taking exactly its cost
    assert calls.by_operation()["UpdateItem"] == 1


def test_a_busy_callers_requests_share_one_budget_write_per_lease(limited: TestClient) -> None:
    # given a caller's first request
    post(limited, {"query": CHEAP})
    # when 19 more come (leases of 2, 4, then 1000 / 10 // 16 = 6 requests)
    with count_dynamodb_calls() as calls:
        bodies = [post(limited, {"query": CHEAP}).json() for _ in range(19)]
    # then 5 budget writes paid for them (requests 2, 4, 8, 14 and 20)
    assert calls.by_operation()["UpdateItem"] == 5
    # and each answer reports exactly what the caller has left
    reported = [throttle(body)["currentlyAvailable"] for body in bodies]
    assert reported == [1000 - CHEAP_COST * n for n in range(2, 21)]


def test_the_budget_drains_then_refuses_with_throttled(limited: TestClient) -> None:
    # given nine requests of 101 points: 1,000 - 909 = 91 left
    for _ in range(9):
        assert post(limited, {"query": HUNDRED}).status_code == 200
    # when the tenth needs 101
    response = post(limited, {"query": HUNDRED})
    # then it is refused before running, with when to retry: (101 - 91) / 50 = 0.2 s
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert response.headers["cache-control"] == "private, no-store"
    assert response.json() == {
        "errors": [
            {
                "message": (
                    "Throttled: this request costs 101 points and 91 are available; retry in 0.2 s"
                ),
                "extensions": {"code": "THROTTLED", "retryAfterSeconds": 0.2},
            }
        ],
        "extensions": {
            "cost": {
                "requestedQueryCost": HUNDRED_COST,
                "throttleStatus": {
                    "maximumAvailable": 1000,
                    "currentlyAvailable": 91,
                    "restoreRate": 50,
                },
            }
        },
    }


def test_a_busy_caller_is_refused_exactly_when_their_points_run_out(limited: TestClient) -> None:
    # given a caller spending 16 points a request, through leases of up to 6 requests
    admitted = 0
    while (response := post(limited, {"query": CHEAP})).status_code == 200:
        admitted += 1
    # then every point was spent on a request until fewer than 16 were left: 62 x 16 = 992
    assert admitted == 62
    assert response.status_code == 429
    assert throttle(response.json())["currentlyAvailable"] == 8


def test_a_refused_request_takes_nothing_from_the_budget(limited: TestClient) -> None:
    # given a drained budget
    for _ in range(9):
        post(limited, {"query": HUNDRED})
    # when refused three times
    for _ in range(3):
        assert post(limited, {"query": HUNDRED}).status_code == 429
    # then a cheaper request still gets the 91 points left
    body = post(limited, {"query": CHEAP}).json()
    assert throttle(body)["currentlyAvailable"] == 91 - CHEAP_COST


def test_the_budget_refills_at_the_restore_rate(limited: TestClient, clock: FakeClock) -> None:
    # given a drained budget
    for _ in range(9):
        post(limited, {"query": HUNDRED})
    assert post(limited, {"query": HUNDRED}).status_code == 429
    # when 0.2 s pass: 91 + 0.2 x 50 = 101 points
    clock.advance(0.2)
    response = post(limited, {"query": HUNDRED})
    # then
    assert response.status_code == 200
    assert throttle(response.json())["currentlyAvailable"] == 0
    # and after a long pause the bucket is full, never fuller
    clock.advance(3600)
    assert throttle(post(limited, {"query": CHEAP}).json())["currentlyAvailable"] == 1000 - 16


def test_under_application_json_throttled_answers_200_with_retry_after(
    limited: TestClient,
) -> None:
    # given a drained budget
    for _ in range(9):
        post(limited, {"query": HUNDRED})
    # when
    response = post(limited, {"query": HUNDRED}, accept=JSON)
    # then
    assert response.status_code == 200
    assert response.headers["retry-after"] == "1"
    assert codes(response.json()) == ["THROTTLED"]


def test_a_cached_response_is_charged_and_carries_its_own_figures(
    make_client: Callable[..., TestClient],
) -> None:
    # given a response the response cache holds (it needs a current catalog view)
    limited = make_client(catalog_cache_seconds=60, catalog_stale_seconds=60)
    warm_up = post(limited, {"query": HUNDRED})  # the process reads the catalog
    first = post(limited, {"query": CHEAP})
    # when the same request comes again
    second = post(limited, {"query": CHEAP})
    # then it is a hit, charged again, and reports the budget after this request
    assert second.headers["x-cache"] == "HIT"
    spent = HUNDRED_COST + CHEAP_COST
    assert throttle(warm_up.json())["currentlyAvailable"] == 1000 - HUNDRED_COST
    assert throttle(first.json())["currentlyAvailable"] == 1000 - spent
    assert throttle(second.json())["currentlyAvailable"] == 1000 - spent - CHEAP_COST
    assert second.json()["data"] == first.json()["data"]


def test_a_throttled_request_is_not_served_even_from_the_response_cache(
    make_client: Callable[..., TestClient],
) -> None:
    # given a cached answer (1000 - 101 - 2 x 16 = 867 left)
    limited = make_client(catalog_cache_seconds=60, catalog_stale_seconds=60)
    post(limited, {"query": HUNDRED})
    post(limited, {"query": CHEAP})
    assert post(limited, {"query": CHEAP}).headers["x-cache"] == "HIT"
    # and a drained budget: 867 - 8 x 101 = 59, then 59 - 3 x 16 = 11
    for _ in range(8):
        post(limited, {"query": HUNDRED})
    for _ in range(3):
        post(limited, {"query": CHEAP})
    # when
    response = post(limited, {"query": CHEAP})
    # then
    assert response.status_code == 429
    assert "x-cache" not in response.headers


def test_an_api_key_has_its_own_larger_budget(limited: TestClient, admin_key: str) -> None:
    # given an anonymous caller who spent some of their budget
    post(limited, {"query": HUNDRED})
    # when a key holder calls from the same address
    body = post(limited, {"query": CHEAP}, headers={"X-API-Key": admin_key}).json()
    # then
    assert throttle(body) == {
        "maximumAvailable": 2000,
        "currentlyAvailable": 2000 - CHEAP_COST,
        "restoreRate": 100,
    }


def test_two_keys_have_two_budgets(limited: TestClient, services: Services) -> None:
    # given
    first = services.access.create_key("one", frozenset({Scope.STOREFRONT_READ})).plaintext
    second = services.access.create_key("two", frozenset({Scope.STOREFRONT_READ})).plaintext
    post(limited, {"query": HUNDRED}, headers={"X-API-Key": first})
    # when
    body = post(limited, {"query": HUNDRED}, headers={"X-API-Key": second}).json()
    # then
    assert throttle(body)["currentlyAvailable"] == 2000 - HUNDRED_COST


def test_x_forwarded_for_is_ignored_unless_proxies_are_trusted(
    make_client: Callable[..., TestClient],
) -> None:
    # given an anonymous caller who spent 101 points
    client = make_client()
    post(client, {"query": HUNDRED})
    # when it claims another address
    forged = post(client, {"query": CHEAP}, headers={"X-Forwarded-For": "203.0.113.9"}).json()
    # then it still draws on its own bucket
    assert throttle(forged)["currentlyAvailable"] == 1000 - HUNDRED_COST - CHEAP_COST


def test_behind_a_trusted_proxy_the_forwarded_address_has_the_bucket(
    make_client: Callable[..., TestClient],
) -> None:
    # given one trusted proxy, which appends the address it saw
    client = make_client(trusted_proxy_hops=1)
    post(client, {"query": HUNDRED}, headers={"X-Forwarded-For": "1.2.3.4, 198.51.100.7"})
    # when another client comes through the same proxy
    other = post(client, {"query": CHEAP}, headers={"X-Forwarded-For": "198.51.100.8"}).json()
    same = post(client, {"query": CHEAP}, headers={"X-Forwarded-For": "9.9.9.9, 198.51.100.7"})
    # then each address has its own bucket, whatever the client wrote before the proxy's entry
    assert throttle(other)["currentlyAvailable"] == 1000 - CHEAP_COST
    assert throttle(same.json())["currentlyAvailable"] == 1000 - HUNDRED_COST - CHEAP_COST


def test_limits_are_reported_under_get_too(limited: TestClient) -> None:
    # when
    response = limited.get(
        "/graphql", params={"query": CHEAP}, headers={"Accept": GRAPHQL_RESPONSE}
    )
    # then
    assert json.loads(response.text)["extensions"]["cost"]["requestedQueryCost"] == CHEAP_COST


PAGES = (
    "query Pages($first: Int, $ids: [ID!]!) "
    "{ products(first: $first) { nodes { title } } nodes(ids: $ids) { id } }"
)


def test_one_document_is_charged_for_the_page_its_variables_ask_for_each_time(
    limited: TestClient,
) -> None:
    # given one document sent with different page sizes and ids (its cost is remembered
    # with the parsed document, per page size)
    asked = [
        {"first": 5, "ids": []},
        {"first": 50, "ids": []},
        {"first": 5, "ids": []},
        {"ids": ["UHJvZHVjdDphCg", "UHJvZHVjdDpiCg", "UHJvZHVjdDpjCg"]},
        {"first": None, "ids": ["UHJvZHVjdDphCg"]},
    ]
    # when
    costs = [
        post(limited, {"query": PAGES, "variables": variables}).json()["extensions"]["cost"][
            "requestedQueryCost"
        ]
        for variables in asked
    ]
    # then each is costed at its own page: 1 + first (20 when absent or null) + one per id
    assert costs == [1 + 5 + 1, 1 + 50 + 1, 1 + 5 + 1, 1 + 20 + 3, 1 + 20 + 1]
