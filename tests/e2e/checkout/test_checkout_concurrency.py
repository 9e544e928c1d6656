"""Fifty buyers, ten books: exactly ten orders, never a negative stock, never a 500."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pytest
from checkout_helpers import (
    CHECKOUT,
    available,
    ready_cart,
    shipping_to_us,
    staff_orders,
    variant,
)

if TYPE_CHECKING:
    from commerce.settings import Settings
    from conftest import GraphQLCaller

BUYERS = 50
UNITS = 10


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Fifty requests at once queue for the app's worker threads on a two-core test
    machine; what is tested here is the stock, so no request is cut by the time budget."""
    return dataclasses.replace(settings, request_timeout_seconds=120.0)


def test_fifty_concurrent_checkouts_of_ten_units_place_exactly_ten_orders(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given a hardcover with 10 units and 50 buyers with it in their carts
    shipping_to_us(gql, admin_key)
    novel = variant(gql, admin_key, stock=UNITS)
    carts = [ready_cart(gql, (novel, 1)) for _ in range(BUYERS)]

    def buy(i: int) -> tuple[int, dict[str, Any]]:
        response = gql.client.post(
            "/graphql",
            json={
                "query": CHECKOUT,
                "variables": {"input": {"cartId": carts[i], "idempotencyKey": f"buyer-{i}"}},
            },
        )
        return response.status_code, response.json()

    # when they all check out at once
    with ThreadPoolExecutor(max_workers=BUYERS) as pool:
        results = list(pool.map(buy, range(BUYERS)))

    # then no request failed, exactly 10 placed an order, the rest are out of stock
    assert {status for status, _ in results} == {200}
    assert all("errors" not in body for _, body in results), results
    payloads = [body["data"]["checkoutComplete"] for _, body in results]
    placed = [p for p in payloads if p["order"] is not None]
    refused = [p for p in payloads if p["order"] is None]
    assert len(placed) == UNITS
    assert all(p["userErrors"] == [] for p in placed)
    assert len(refused) == BUYERS - UNITS
    assert all(
        [(e["code"], e["field"]) for e in p["userErrors"]] == [("OUT_OF_STOCK", ["lines", "0"])]
        for p in refused
    ), refused
    # and the stock ends at exactly 0, with 10 orders and distinct order numbers
    assert available(gql, admin_key, novel) == 0
    orders = staff_orders(gql, admin_key)["nodes"]
    assert len(orders) == UNITS
    assert len({o["number"] for o in orders}) == UNITS
