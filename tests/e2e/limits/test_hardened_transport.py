"""CORS per frontend origin, introspection off in production, cache headers for CDNs."""

from __future__ import annotations

from collections.abc import Callable

from limits_helpers import CHEAP, GRAPHQL_RESPONSE, codes, post
from starlette.testclient import TestClient

SHOP = "https://shop.example"
INTROSPECTION = "{ __schema { queryType { name } } }"


def preflight(client: TestClient, origin: str) -> object:
    return client.options(
        "/graphql",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-api-key",
        },
    )


def test_a_preflight_from_an_allowed_origin_is_granted(
    make_client: Callable[..., TestClient],
) -> None:
    # given
    client = make_client(cors_origins=(SHOP,))
    # when
    response = preflight(client, SHOP)
    # then
    assert response.status_code == 200  # type: ignore[attr-defined]
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["access-control-allow-origin"] == SHOP
    assert "POST" in headers["access-control-allow-methods"]
    assert "x-api-key" in headers["access-control-allow-headers"].lower()
    # and a real request from there may read the answer and its request id
    answer = post(client, {"query": CHEAP}, headers={"Origin": SHOP})
    assert answer.headers["access-control-allow-origin"] == SHOP
    assert "X-Request-Id" in answer.headers["access-control-expose-headers"]


def test_a_preflight_from_any_other_origin_is_refused(
    make_client: Callable[..., TestClient],
) -> None:
    # given
    client = make_client(cors_origins=(SHOP,))
    # when
    response = preflight(client, "https://evil.example")
    # then
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "access-control-allow-origin" not in response.headers  # type: ignore[attr-defined]
    answer = post(client, {"query": CHEAP}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in answer.headers


def test_no_origin_is_allowed_by_default(limited: TestClient) -> None:
    assert preflight(limited, SHOP).status_code == 400  # type: ignore[attr-defined]


def test_introspection_is_refused_when_switched_off(
    make_client: Callable[..., TestClient],
) -> None:
    # given production's default
    client = make_client(introspection=False)
    # when
    response = post(client, {"query": INTROSPECTION})
    # then
    assert response.status_code == 400
    body = response.json()
    assert set(codes(body)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "data" not in body
    assert "introspection has been disabled" in body["errors"][0]["message"]
    # while ordinary queries (and __typename) still run
    assert post(client, {"query": "{ __typename }"}).json()["data"] == {"__typename": "Query"}


def test_introspection_answers_when_on(limited: TestClient) -> None:
    body = post(limited, {"query": INTROSPECTION}).json()
    assert body["data"] == {"__schema": {"queryType": {"name": "Query"}}}


def test_an_anonymous_get_of_the_public_catalog_may_be_cached_by_a_cdn(
    make_client: Callable[..., TestClient],
) -> None:
    # given
    client = make_client(public_max_age_seconds=120)
    # when
    response = client.get("/graphql", params={"query": CHEAP}, headers={"Accept": GRAPHQL_RESPONSE})
    # then
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=120"
    assert response.headers["vary"].startswith("Accept, X-API-Key")


def test_posts_keyed_requests_and_other_reads_are_private(
    limited: TestClient, admin_key: str
) -> None:
    # when
    posted = post(limited, {"query": CHEAP})
    keyed = limited.get(
        "/graphql",
        params={"query": CHEAP},
        headers={"Accept": GRAPHQL_RESPONSE, "X-API-Key": admin_key},
    )
    cart = limited.get(
        "/graphql",
        params={"query": '{ cart(id: "nope") { id } }'},
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    failed = limited.get(
        "/graphql",
        params={"query": "{ products(first: 1000) { nodes { title } } }"},
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    # then
    for response in (posted, keyed, cart, failed):
        assert response.headers["cache-control"] == "private, no-store"
