"""The stock report in pages through the API: title order, cursors that go on where the
last page ended, the low-stock filter, a past moment, and bad arguments refused."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from commerce.access.model import Scope
from commerce.app import create_app
from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.graphql.ids import variant_global_id
from commerce.inventory.commands import AdjustLevel
from commerce.inventory.service import InventoryService
from commerce.money import Currency, Money
from commerce.payments.local import LocalStripe
from commerce.reports.api.queries import encode_stock_cursor
from commerce.variant_refs import VariantRef
from table_settings import fresh_settings

PAGE = """
query ($first: Int!, $after: String, $asOf: DateTime, $low: Int) {
  stockLevels(first: $first, after: $after, asOf: $asOf, lowStockBelow: $low) {
    edges { cursor node { variantId title available low } }
    nodes { title }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
CSV = "query { stockReportCsv(lowStockBelow: 5) }"
# Titles in an order of their own (the report's), and levels: first set, then a day later.
BOOKS = [("Anathem", 3, 9), ("Blindsight", 12, 12), ("Cryptonomicon", 1, 0), ("Dune", 20, 4)]
BOOKS += [("Embassytown", 7, 7), ("Foundation", 2, 30)]
FIRST_COUNT = datetime(2026, 6, 1, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def services(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Services:
    built = build_services(fresh_settings(dynamodb_endpoint, stripe_server.endpoint, "whsec_x"))
    create_table_if_missing()
    clock = [FIRST_COUNT]
    inventory = InventoryService(built.catalog, clock=lambda: clock[0])
    refs = []
    for title, _, _ in BOOKS:
        product = built.catalog.create_product(
            ProductDraft(
                title=title,
                published=True,
                variants=(
                    VariantDraft(
                        sku=f"{title[:3]}-{uuid.uuid4().hex[:6]}",
                        prices=(Money(1500, Currency.USD),),
                    ),
                ),
            )
        )
        refs.append(VariantRef(product.id, product.variants[0].id))
    for ref, (_, first, _) in zip(refs, BOOKS, strict=True):
        inventory.adjust(AdjustLevel(ref, first, "count"), "staff")
    clock[0] = FIRST_COUNT + timedelta(days=1)
    for ref, (_, first, then) in zip(refs, BOOKS, strict=True):
        if then != first:
            inventory.adjust(AdjustLevel(ref, then - first, "recount"), "staff")
    built.catalog.publish_snapshot()
    return built


@pytest.fixture(scope="module")
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def staff(services: Services) -> str:
    return services.access.create_key("staff", frozenset({Scope.ADMIN})).plaintext


def page(client: TestClient, key: str | None, **variables: Any) -> dict[str, Any]:
    answer = client.post(
        "/graphql",
        json={"query": PAGE, "variables": {"first": 2, **variables}},
        headers={"X-API-Key": key} if key else {},
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def levels(client: TestClient, key: str, **variables: Any) -> list[tuple[str, int]]:
    """Every row, page after page, as (book title, available)."""
    rows: list[tuple[str, int]] = []
    after = None
    for _ in range(10):
        body = page(client, key, after=after, **variables)
        assert "errors" not in body, body
        found = body["data"]["stockLevels"]
        rows += [
            (e["node"]["title"].split(" (")[0], e["node"]["available"]) for e in found["edges"]
        ]
        assert [n["title"] for n in found["nodes"]] == [e["node"]["title"] for e in found["edges"]]
        if not found["pageInfo"]["hasNextPage"]:
            return rows
        after = found["pageInfo"]["endCursor"]
    raise AssertionError("the pages did not end")


def test_pages_of_two_go_through_the_catalog_in_title_order(client: TestClient, staff: str) -> None:
    assert levels(client, staff) == [(title, then) for title, _, then in BOOKS]


def test_a_page_says_where_it_starts_and_ends(client: TestClient, staff: str) -> None:
    found = page(client, staff)["data"]["stockLevels"]
    cursors = [e["cursor"] for e in found["edges"]]
    assert found["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": cursors[0],
        "endCursor": cursors[1],
    }
    rest = page(client, staff, first=250, after=cursors[0])["data"]["stockLevels"]
    assert [e["node"]["title"].split(" (")[0] for e in rest["edges"]] == [b[0] for b in BOOKS[1:]]
    assert rest["pageInfo"]["hasNextPage"] is False


def test_as_of_a_past_moment_gives_the_levels_then(client: TestClient, staff: str) -> None:
    moment = (FIRST_COUNT + timedelta(hours=1)).isoformat()
    assert levels(client, staff, asOf=moment) == [(title, first) for title, first, _ in BOOKS]


def test_low_stock_below_keeps_only_the_low_variants(client: TestClient, staff: str) -> None:
    assert levels(client, staff, low=5) == [("Cryptonomicon", 0), ("Dune", 4)]
    moment = (FIRST_COUNT + timedelta(hours=1)).isoformat()
    assert levels(client, staff, low=5, asOf=moment) == [
        ("Anathem", 3),
        ("Cryptonomicon", 1),
        ("Foundation", 2),
    ]


def test_a_filtered_page_looks_at_four_pages_of_variants_at_most(
    client: TestClient, staff: str
) -> None:
    # first 1: four variants looked at (A, B, C, D) fill it with C; the next page starts
    # after C. None low among the last two: the page after D is empty, and says so.
    found = page(client, staff, first=1, low=5)["data"]["stockLevels"]
    assert [e["node"]["title"].split(" (")[0] for e in found["edges"]] == ["Cryptonomicon"]
    found = page(client, staff, first=1, low=1)["data"]["stockLevels"]
    assert [e["node"]["title"].split(" (")[0] for e in found["edges"]] == ["Cryptonomicon"]
    after_c = found["pageInfo"]["endCursor"]
    empty = page(client, staff, first=1, low=1, after=after_c)["data"]["stockLevels"]
    assert empty["edges"] == []
    assert empty["pageInfo"]["hasNextPage"] is False
    assert empty["pageInfo"]["endCursor"] is None


def test_a_filtered_page_that_finds_none_in_its_budget_points_past_what_it_looked_at(
    client: TestClient, staff: str
) -> None:
    # Only Cryptonomicon is below 1; from the start with first 1 the budget is 4 variants.
    # Starting after Anathem: B, C found. Starting before B with a low bar of 0: none of
    # four (B, C, D, E) is below 0, so the page is empty but more follow from E on.
    first = page(client, staff, first=1)["data"]["stockLevels"]["pageInfo"]["endCursor"]
    found = page(client, staff, first=1, low=0, after=first)["data"]["stockLevels"]
    assert found["edges"] == []
    assert found["pageInfo"]["hasNextPage"] is True
    last = page(client, staff, first=1, low=0, after=found["pageInfo"]["endCursor"])
    assert last["data"]["stockLevels"]["edges"] == []
    assert last["data"]["stockLevels"]["pageInfo"]["hasNextPage"] is False


def test_the_csv_stays_whole_with_the_low_ones_first(client: TestClient, staff: str) -> None:
    answer = client.post("/graphql", json={"query": CSV}, headers={"X-API-Key": staff})
    lines = list(csv.reader(io.StringIO(answer.json()["data"]["stockReportCsv"])))
    assert [(line[1].split(" (")[0], line[3], line[6]) for line in lines[1:]] == [
        ("Cryptonomicon", "0", "yes"),
        ("Dune", "4", "yes"),
        ("Embassytown", "7", "no"),
        ("Anathem", "9", "no"),
        ("Blindsight", "12", "no"),
        ("Foundation", "30", "no"),
    ]


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"first": 0}, "first"),
        ({"first": 251}, "first"),
        ({"after": "not-a-cursor"}, "after"),
        ({"after": encode_stock_cursor(("x", "y", "z"))[:-3] + "!!!"}, "after"),
        ({"low": -1}, "lowStockBelow"),
        ({"low": 1_000_001}, "lowStockBelow"),
    ],
)
def test_bad_arguments_are_refused_with_a_typed_error(
    client: TestClient, staff: str, variables: dict[str, Any], argument: str
) -> None:
    body = page(client, staff, **variables)
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert argument in error["message"] or error["extensions"].get("argument") == argument


def test_a_cursor_of_a_variant_gone_since_goes_on_from_its_place(
    client: TestClient, staff: str
) -> None:
    gone = encode_stock_cursor(("Cz gone (Default)", "p", "v"))
    found = page(client, staff, first=250, after=gone)["data"]["stockLevels"]
    assert [e["node"]["title"].split(" (")[0] for e in found["edges"]] == [
        "Dune",
        "Embassytown",
        "Foundation",
    ]


def test_shoppers_and_unknown_callers_get_no_stock(client: TestClient) -> None:
    body = page(client, None)
    assert body["data"] is None
    assert body["errors"]


def test_variant_ids_are_global_ids(client: TestClient, staff: str, services: Services) -> None:
    found = page(client, staff, first=1)["data"]["stockLevels"]["edges"][0]["node"]
    product = next(p for p in services.catalog.view().snapshot.products if p.title == "Anathem")
    ref = VariantRef(product.id, product.variants[0].id)
    assert found["variantId"] == variant_global_id(ref)
