"""Staff set and adjust a physical variant's stock with a reason, and read its history."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from inventory_helpers import ADJUST, LEVEL, SET, payload_of, read_level, stocked_variant

if TYPE_CHECKING:
    from conftest import GraphQLCaller


def test_staff_count_and_adjustments_are_logged_newest_first(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given a hardcover with 5 in stock
    variant = stocked_variant(gql, admin_key, stock=5)
    # when staff count 12, then receive 3 and lose 2
    counted = payload_of(
        gql(
            SET,
            {"input": {"variantId": variant, "available": 12, "reason": "count"}},
            api_key=admin_key,
        )
    )
    received = payload_of(
        gql(
            ADJUST,
            {"input": {"variantId": variant, "delta": 3, "reason": "delivery"}},
            api_key=admin_key,
        )
    )
    lost = payload_of(
        gql(
            ADJUST,
            {"input": {"variantId": variant, "delta": -2, "reason": "damaged"}},
            api_key=admin_key,
        )
    )
    # then each change answers the new level
    assert [p["inventoryLevel"]["available"] for p in (counted, received, lost)] == [12, 15, 13]
    # and the history explains it, newest first
    level = read_level(gql, admin_key, variant)
    assert level["available"] == 13
    history = [
        (n["kind"], n["delta"], n["available"], n["reason"]) for n in level["history"]["nodes"]
    ]
    assert history == [
        ("ADJUST", -2, 13, "damaged"),
        ("ADJUST", 3, 15, "delivery"),
        ("SET", 7, 12, "count"),
    ]
    assert all(n["actor"].startswith("API_KEY:") for n in level["history"]["nodes"])


def test_history_pages_with_cursors(gql: GraphQLCaller, admin_key: str) -> None:
    # given three adjustments
    variant = stocked_variant(gql, admin_key, stock=0)
    for i in range(3):
        gql(
            ADJUST,
            {"input": {"variantId": variant, "delta": 1, "reason": f"r{i}"}},
            api_key=admin_key,
        )
    # when read two at a time
    first = read_level(gql, admin_key, variant, first=2)["history"]
    second = read_level(gql, admin_key, variant, first=2, after=first["pageInfo"]["endCursor"])[
        "history"
    ]
    # then the pages follow each other without overlap
    assert [n["reason"] for n in first["nodes"]] == ["r2", "r1"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [n["reason"] for n in second["nodes"]] == ["r0"]
    assert second["pageInfo"] == {
        "hasNextPage": False,
        "endCursor": second["pageInfo"]["endCursor"],
    }


def test_refusals_write_nothing(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    variant = stocked_variant(gql, admin_key, stock=2)
    ebook = stocked_variant(gql, admin_key, kind="DIGITAL")
    unknown = base64.urlsafe_b64encode(f"ProductVariant:{'0' * 26}.{'1' * 26}".encode()).decode()
    cases = [
        (ADJUST, {"variantId": variant, "delta": -3, "reason": "x"}, "NEGATIVE_STOCK"),
        (ADJUST, {"variantId": variant, "delta": 0, "reason": "x"}, "INVALID_QUANTITY"),
        (SET, {"variantId": variant, "available": -1, "reason": "x"}, "NEGATIVE_STOCK"),
        (SET, {"variantId": variant, "available": 1, "reason": "  "}, "REASON_REQUIRED"),
        (SET, {"variantId": ebook, "available": 1, "reason": "x"}, "STOCK_NOT_TRACKED"),
        (
            SET,
            {"variantId": unknown.rstrip("="), "available": 1, "reason": "x"},
            "VARIANT_NOT_FOUND",
        ),
        (SET, {"variantId": "nonsense", "available": 1, "reason": "x"}, "INVALID_ID"),
    ]
    for mutation, input, code in cases:
        # when
        payload = payload_of(gql(mutation, {"input": input}, api_key=admin_key))
        # then
        assert payload["inventoryLevel"] is None
        assert [e["code"] for e in payload["userErrors"]] == [code], input
    level = read_level(gql, admin_key, variant)
    assert level["available"] == 2
    assert level["history"]["nodes"] == []


def test_digital_level_is_a_typed_error(gql: GraphQLCaller, admin_key: str) -> None:
    ebook = stocked_variant(gql, admin_key, kind="DIGITAL")
    body = gql(LEVEL, {"id": ebook, "first": 5}, api_key=admin_key)
    assert body["errors"][0]["extensions"]["code"] == "STOCK_NOT_TRACKED"


def test_shoppers_cannot_change_stock(gql: GraphQLCaller, admin_key: str) -> None:
    variant = stocked_variant(gql, admin_key, stock=2)
    body = gql(SET, {"input": {"variantId": variant, "available": 99, "reason": "x"}})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert read_level(gql, admin_key, variant)["available"] == 2
