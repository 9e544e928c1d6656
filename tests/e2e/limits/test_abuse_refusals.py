"""Hostile documents and bodies are refused quickly, charged, and never reach a 500."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from limits_helpers import GRAPHQL_RESPONSE, JSON, codes, post
from starlette.testclient import TestClient

from commerce.graphql.cost import MAX_NESTING
from commerce.web.params import MAX_BODY_BYTES, MAX_JSON_NESTING


def doubling_chain(levels: int, on: str, leaf: str) -> str:
    """Fragments each spreading the next twice: 2**levels copies of ``leaf`` once expanded."""
    chain = "".join(f"fragment F{i} on {on} {{ ...F{i + 1} ...F{i + 1} }} " for i in range(levels))
    return chain + f"fragment F{levels} on {on} {{ {leaf} }}"


def test_a_doubling_fragment_chain_at_the_root_is_refused_and_charged(limited: TestClient) -> None:
    # given 30 levels: a billion root fields once expanded, about 1 KB of text
    query = "{ ...F0 } " + doubling_chain(30, "Query", "__typename")
    # when
    response = post(limited, {"query": query})
    # then
    body = response.json()
    assert response.status_code == 400
    assert codes(body) == ["TOO_MANY_FIELDS"]
    assert body["errors"][0]["extensions"]["rootFields"] == 2**30
    # charged a point per selection analysed: the spread, 60 spreads, the leaf
    assert body["extensions"]["cost"]["requestedQueryCost"] == 62
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 1000 - 62


def test_the_same_chain_inside_a_connection_costs_its_objects_and_runs(
    limited: TestClient,
) -> None:
    # given scalars at the leaves of 30 doubling levels
    query = "{ products(first: 1) { nodes { ...F0 } } } " + doubling_chain(30, "Product", "title")
    # when
    response = post(limited, {"query": query})
    # then it is what it costs: a connection and one product
    body = response.json()
    assert response.status_code == 200
    assert body["data"] == {"products": {"nodes": []}}
    assert body["extensions"]["cost"]["requestedQueryCost"] == 2


def test_fragments_nested_past_the_bound_are_refused_with_their_own_code(
    limited: TestClient,
) -> None:
    # given a chain of single spreads
    levels = MAX_NESTING + 1
    chain = "".join(f"fragment F{i} on Query {{ ...F{i + 1} }} " for i in range(levels))
    query = "{ ...F0 } " + chain + f"fragment F{levels} on Query {{ __typename }}"
    # when
    response = post(limited, {"query": query})
    # then
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {
        "code": "MAX_DEPTH_EXCEEDED",
        "maximumNesting": MAX_NESTING,
    }


def test_an_int_literal_of_thousands_of_digits_is_refused_as_too_dear(
    limited: TestClient,
) -> None:
    digits = "9" * 5000
    literal = {"query": f"{{ products(first: {digits}) {{ nodes {{ title }} }} }}"}
    default = {
        "query": f"query Q($n: Int = {digits}) {{ products(first: $n) {{ nodes {{ title }} }} }}"
    }
    for payload in (literal, default):
        response = post(limited, payload)
        assert response.status_code == 400
        assert codes(response.json()) == ["MAX_COST_EXCEEDED"]


def test_a_negative_int_literal_of_thousands_of_digits_answers_a_graphql_error(
    limited: TestClient,
) -> None:
    # a page of 0 passes the cost check; validation then refuses the literal
    query = f"{{ products(first: -{'9' * 5000}) {{ nodes {{ title }} }} }}"
    response = post(limited, {"query": query})
    assert response.status_code == 400
    assert codes(response.json()) == ["GRAPHQL_VALIDATION_FAILED"]


def test_a_document_over_the_token_limit_answers_its_syntax_error(limited: TestClient) -> None:
    query = "{ " + "__typename " * 6000 + "}"
    response = post(limited, {"query": query})
    assert response.status_code == 400
    body = response.json()
    assert "tokens" in body["errors"][0]["message"]
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1


def test_a_body_nested_a_thousand_levels_deep_is_refused(limited: TestClient) -> None:
    # given variables nested past Python's json recursion limit
    nested = "[" * 1000 + "]" * 1000
    body = '{"query": "{ __typename }", "variables": {"v": ' + nested + "}}"
    # when
    response = limited.post(
        "/graphql", content=body, headers={"Content-Type": JSON, "Accept": GRAPHQL_RESPONSE}
    )
    # then
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {
        "code": "JSON_TOO_DEEP",
        "maximumNesting": MAX_JSON_NESTING,
    }


def test_get_variables_nested_a_thousand_levels_deep_are_refused(limited: TestClient) -> None:
    variables = '{"v": ' + "[" * 1000 + "]" * 1000 + "}"
    response = limited.get(
        "/graphql",
        params={"query": "{ __typename }", "variables": variables},
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 400
    assert codes(response.json()) == ["JSON_TOO_DEEP"]


def test_brackets_inside_strings_do_not_count_as_nesting(limited: TestClient) -> None:
    payload = {"query": "{ __typename }", "variables": {"note": "[" * 1000}}
    response = post(limited, payload)
    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


def test_a_chunked_body_is_cut_at_the_limit_without_content_length(limited: TestClient) -> None:
    # given a body streamed in chunks, with no Content-Length to check first
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ __typename }", "pad": "'
        for _ in range(4):
            yield b"x" * (MAX_BODY_BYTES // 2)
        yield b'"}'

    # when
    response = limited.post(
        "/graphql", content=chunks(), headers={"Content-Type": JSON, "Accept": GRAPHQL_RESPONSE}
    )
    # then
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert codes(response.json()) == ["PAYLOAD_TOO_LARGE"]


def test_a_request_past_its_time_budget_is_stopped_with_503(
    make_client: Callable[..., TestClient],
) -> None:
    # given a budget no request can meet
    client = make_client(request_timeout_seconds=1e-6)
    # when
    response = post(client, {"query": "{ __typename }"})
    # then
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert "x-request-id" in response.headers
    assert json.loads(response.content)["errors"][0]["extensions"] == {
        "code": "REQUEST_TIMEOUT",
        "timeoutSeconds": 1e-6,
    }


def nested_product(rounds: int) -> str:
    """A product, then ``rounds`` times its collections' first product: 1 + 3 x rounds levels."""
    inner = "title"
    for _ in range(rounds):
        inner = f"collections {{ products(first: 1) {{ nodes {{ {inner} }} }} }}"
    return f'product(handle: "p") {{ {inner} }}'


def test_fields_nested_past_the_maximum_depth_fail_validation(limited: TestClient) -> None:
    # given 10 levels through a fragment, and 13 (12 are allowed)
    allowed = "query Deep { ...F0 } fragment F0 on Query { " + nested_product(3) + " }"
    too_deep = "query Deep { " + nested_product(4) + " }"
    # when
    answered = post(limited, {"query": allowed})
    refused = post(limited, {"query": too_deep})
    # then
    assert answered.status_code == 200
    assert answered.json()["data"] == {"product": None}
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"] == "'Deep' exceeds maximum operation depth of 12"
