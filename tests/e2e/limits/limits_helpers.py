"""Requests as clients send them, for the limits suite."""

from __future__ import annotations

import json
from typing import Any

from starlette.testclient import TestClient

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
# products(first: 5): 1 + 5 x (node 1 + priceRange 1 + minVariantPrice 1) = 16
CHEAP = (
    "query Cheap { products(first: 5) "
    "{ nodes { title priceRange { minVariantPrice { amount } } } } }"
)
CHEAP_COST = 16
# 1 + 100 x (collection 1 + its products 1 + 100 x product 1) = 10,201
DEAR = (
    "query Dear { collections(first: 100) { nodes { products(first: 100) { nodes { title } } } } }"
)
DEAR_COST = 10_201
# What analysing DEAR costs, charged when it is refused: a point per selection visited.
DEAR_ANALYSIS = 5


def post(
    client: TestClient,
    payload: dict[str, Any],
    *,
    accept: str = GRAPHQL_RESPONSE,
    headers: dict[str, str] | None = None,
) -> Any:
    sent = {"Content-Type": JSON, "Accept": accept} | (headers or {})
    return client.post("/graphql", content=json.dumps(payload), headers=sent)


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body["errors"]]
