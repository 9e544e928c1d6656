"""Staff adjustments racing each other and checkouts never lose a unit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from inventory_helpers import ADJUST, payload_of, read_level, stocked_variant

if TYPE_CHECKING:
    from conftest import GraphQLCaller

WRITERS = 8


def test_concurrent_adjustments_all_count_and_are_all_logged(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given a hardcover with 5 in stock
    variant = stocked_variant(gql, admin_key, stock=5)

    def receive(i: int) -> dict[str, Any]:
        input = {"variantId": variant, "delta": 2, "reason": f"box {i}"}
        return payload_of(gql(ADJUST, {"input": input}, api_key=admin_key))

    # when eight deliveries are booked at once
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        payloads = list(pool.map(receive, range(WRITERS)))
    # then every one counted, and the history explains the level step by step
    assert [p["userErrors"] for p in payloads] == [[]] * WRITERS
    level = read_level(gql, admin_key, variant, first=20)
    assert level["available"] == 5 + 2 * WRITERS
    levels = sorted(n["available"] for n in level["history"]["nodes"])
    assert levels == [5 + 2 * k for k in range(1, WRITERS + 1)]
