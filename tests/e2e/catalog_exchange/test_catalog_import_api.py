"""Staff import small catalog files through GraphQL: a job to start, then to poll.

Locally the job runs in a thread of the server; in AWS the job item's INSERT on the
table's stream runs it in the events function, which the last test drives with the
stream record Lambda would deliver.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Any

from csv_files import TEMPLATE

from commerce.catalog_exchange.service import CatalogExchangeService
from commerce.catalog_exchange.store import CatalogImportItem, job_pk
from commerce.composition import Services
from commerce.events.consumers import Consumers
from commerce.events.handler import consume_batch
from commerce.graphql.ids import to_global_id
from commerce.observability.metrics import Metrics
from stream_records import batch, image_of, stream_record

if TYPE_CHECKING:
    from conftest import GraphQLCaller

START = """
mutation Start($csv: String!, $dryRun: Boolean!) {
  catalogImportStart(input: { csv: $csv, dryRun: $dryRun }) {
    catalogImport { id status dryRun created }
    userErrors { field code message }
  }
}
"""
POLL = """
query Poll($id: ID!) {
  catalogImport(id: $id) {
    status dryRun rows created updated unchanged skipped changes ignoredColumns
    problems { line column code message }
  }
}
"""
PRODUCT = "query ($h: String!) { product(handle: $h) { title variants { sku } } }"


def start(gql: GraphQLCaller, admin_key: str, csv: str, *, dry_run: bool = False) -> Any:
    return gql(START, {"csv": csv, "dryRun": dry_run}, api_key=admin_key)["data"][
        "catalogImportStart"
    ]


def finished(gql: GraphQLCaller, admin_key: str, job_id: str) -> dict[str, Any]:
    """Poll as a client does, until the import has ended (at most 60 s)."""
    deadline = time.monotonic() + 60
    while True:
        job: dict[str, Any] = gql(POLL, {"id": job_id}, api_key=admin_key)["data"]["catalogImport"]
        if job["status"] in ("SUCCEEDED", "FAILED") or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


def test_a_dry_run_reports_what_would_change_then_the_import_applies_it_once(
    gql: GraphQLCaller, admin_key: str
) -> None:
    csv = TEMPLATE.read_text(encoding="utf-8")
    # when
    started = start(gql, admin_key, csv, dry_run=True)
    # then
    assert started["userErrors"] == []
    assert started["catalogImport"]["status"] == "QUEUED"
    assert started["catalogImport"]["created"] is None
    dry = finished(gql, admin_key, started["catalogImport"]["id"])
    assert (dry["status"], dry["dryRun"], dry["created"], dry["unchanged"]) == (
        "SUCCEEDED",
        True,
        3,
        0,
    )
    assert "create example-t-shirt: 3 variants, 4 images, published" in dry["changes"]
    assert "Compare-at price" in dry["ignoredColumns"]
    assert gql(PRODUCT, {"h": "example-t-shirt"}, api_key=admin_key)["data"]["product"] is None
    # when
    job = finished(gql, admin_key, start(gql, admin_key, csv)["catalogImport"]["id"])
    # then
    assert (job["status"], job["rows"], job["created"], job["problems"]) == (
        "SUCCEEDED",
        7,
        3,
        [],
    )
    shirt = gql(PRODUCT, {"h": "example-t-shirt"}, api_key=admin_key)["data"]["product"]
    assert [v["sku"] for v in shirt["variants"]] == [
        "example-shirt-s",
        "example-shirt-m",
        "example-shirt-l",
    ]
    # and the same file again changes nothing
    again = finished(gql, admin_key, start(gql, admin_key, csv)["catalogImport"]["id"])
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)


def test_a_refused_file_reports_every_problem_with_line_and_column_and_writes_nothing(
    gql: GraphQLCaller, admin_key: str
) -> None:
    csv = (
        "URL handle,Title,SKU,Price,Status\n"
        "good-book,Good Book,GB-1,10.00,active\n"
        "Bad Handle,Bad,BB-1,10.00,active\n"
        "odd-book,,OB-1,1.999,sold\n"
    )
    # when
    job = finished(gql, admin_key, start(gql, admin_key, csv)["catalogImport"]["id"])
    # then
    assert job["status"] == "FAILED"
    assert [(p["line"], p["column"], p["code"]) for p in job["problems"]] == [
        (3, "URL handle", "INVALID_HANDLE"),
        (4, "Status", "INVALID"),
        (4, "Price", "INVALID_PRICE"),
    ]
    assert job["created"] == 0
    assert gql(PRODUCT, {"h": "good-book"}, api_key=admin_key)["data"]["product"] is None


def test_a_file_too_large_for_the_api_is_refused_at_once(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given 300 KiB of rows (the API takes 256 KiB; the command line much more)
    row = "a-book,A Book,AB-1,10.00\n"
    csv = "URL handle,Title,SKU,Price\n" + row * (300 * 1024 // len(row))
    # when
    started = start(gql, admin_key, csv)
    # then
    assert started["catalogImport"] is None
    assert [(e["field"], e["code"]) for e in started["userErrors"]] == [(["csv"], "FILE_TOO_LARGE")]


def test_in_aws_the_job_runs_from_its_stream_record_once(
    services: Services, gql: GraphQLCaller, admin_key: str
) -> None:
    # given a server whose imports wait for the table's stream (as in AWS)
    exchange = CatalogExchangeService(
        services.catalog, services.inventory, default_currency=services.settings.default_currency
    )
    job = exchange.start_import(TEMPLATE.read_text(encoding="utf-8"), dry_run=False, actor="t")
    item = CatalogImportItem.get(job_pk(job.id), "JOB")
    record = stream_record("INSERT", new=image_of(item))
    metrics = Metrics("Test", "events")
    consumers = Consumers(dataclasses.replace(services, catalog_exchange=exchange), metrics)
    # when the events function receives the INSERT, twice (at-least-once delivery)
    first = consume_batch(batch(record), consumers, metrics)
    second = consume_batch(batch(record), consumers, metrics)
    # then the import ran once, and staff see it done
    assert first == second == {"batchItemFailures": []}
    polled = finished(gql, admin_key, to_global_id("CatalogImport", job.id))
    assert (polled["status"], polled["created"]) == ("SUCCEEDED", 3)
    assert exchange.run_job(job.id) is False
    assert gql(PRODUCT, {"h": "example-hat"}, api_key=admin_key)["data"]["product"] is not None
