"""With the catalog cache on (as deployed), shoppers are served from memory.

The ``settings`` fixture turns caching off for every other test; these turn it on
to show what a warm process does: storefront reads cost no DynamoDB call, repeated
operations are answered from the response cache, and staff changes show at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import PRODUCT_UPDATE, create_product
from starlette.testclient import TestClient

from commerce.app import create_app
from commerce.composition import build_services
from commerce.settings import Settings
from dynamodb_calls import count_dynamodb_calls

LISTING = """
query Shelf($first: Int!) {
  products(first: $first) { totalCount nodes { title variants { sku availableForSale } } }
}
"""
BY_HANDLE = "query Page($h: String!) { product(handle: $h) { title variants { sku } } }"


@pytest.fixture
def cached_client(settings: Settings, services: Any) -> Iterator[TestClient]:
    """A second app over the same table, with the deployed cache ages."""
    warm = dataclasses.replace(settings, catalog_cache_seconds=60, catalog_stale_seconds=120)
    with TestClient(create_app(build_services(warm))) as client:
        yield client


def post(client: TestClient, query: str, variables: dict[str, Any]) -> Any:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.text
    return response


def test_a_warm_storefront_answers_listings_and_pages_without_dynamodb(
    gql: Any, admin_key: str, cached_client: TestClient
) -> None:
    # given a product, and a process that has read the catalog once
    product = create_product(gql, admin_key, title="Cached Crown", published=True)
    post(cached_client, LISTING, {"first": 10})
    # when a shopper lists and opens products
    with count_dynamodb_calls() as calls:
        listing = post(cached_client, LISTING, {"first": 5}).json()
        page = post(cached_client, BY_HANDLE, {"h": product["handle"]}).json()
    # then nothing reached DynamoDB
    assert calls.total == 0
    assert listing["data"]["products"]["nodes"][0]["title"] == "Cached Crown"
    assert page["data"]["product"]["title"] == "Cached Crown"


def test_a_repeated_operation_is_served_from_the_response_cache(
    gql: Any, admin_key: str, cached_client: TestClient
) -> None:
    # given
    create_product(gql, admin_key, title="Twice Told", published=True)
    post(cached_client, LISTING, {"first": 3})  # the process reads the catalog
    first = post(cached_client, LISTING, {"first": 5})
    # when
    second = post(cached_client, LISTING, {"first": 5})
    other_variables = post(cached_client, LISTING, {"first": 4})
    # then
    assert first.headers["x-cache"] == "MISS"
    assert second.headers["x-cache"] == "HIT"
    assert second.content == first.content
    assert second.headers["x-request-id"] != first.headers["x-request-id"]
    assert other_variables.headers["x-cache"] == "MISS"


def test_staff_changes_through_the_warm_process_show_at_once(
    admin_key: str, cached_client: TestClient
) -> None:
    # given a listing cached by the warm process
    created = cached_client.post(
        "/graphql",
        json={
            "query": "mutation ($i: ProductCreateInput!) { productCreate(input: $i) "
            "{ product { id } userErrors { code } } }",
            "variables": {
                "i": {"title": "Before", "published": True, "variants": [{"sku": "B-1"}]}
            },
        },
        headers={"X-API-Key": admin_key},
    ).json()["data"]["productCreate"]["product"]
    assert (
        post(cached_client, LISTING, {"first": 5}).json()["data"]["products"]["nodes"][0]["title"]
        == "Before"
    )
    # when staff rename it through the same process
    renamed = cached_client.post(
        "/graphql",
        json={
            "query": PRODUCT_UPDATE,
            "variables": {"input": {"id": created["id"], "title": "After"}},
        },
        headers={"X-API-Key": admin_key},
    )
    assert renamed.json()["data"]["productUpdate"]["userErrors"] == []
    # then the next shopper sees the new title, not a cached response
    again = post(cached_client, LISTING, {"first": 5})
    assert again.headers.get("x-cache") != "HIT"
    assert again.json()["data"]["products"]["nodes"][0]["title"] == "After"


def test_staff_reads_are_never_served_from_the_response_cache(
    gql: Any, admin_key: str, cached_client: TestClient
) -> None:
    # given
    create_product(gql, admin_key, title="Staff Only View", published=False)
    headers = {"X-API-Key": admin_key}
    payload = {"query": LISTING, "variables": {"first": 5}}
    # when
    responses = [cached_client.post("/graphql", json=payload, headers=headers) for _ in range(2)]
    # then
    assert all("x-cache" not in r.headers for r in responses)
    assert responses[1].json()["data"]["products"]["totalCount"] == 1
