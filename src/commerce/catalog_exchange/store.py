"""Catalog import jobs in the single table: the file sent through GraphQL and its outcome.

Keys (see ``docs/data-model.md``):

- ``CATALOG_IMPORT#<id> / JOB``: one import started by ``catalogImportStart``, with its
  file (at most 256 KiB, well inside DynamoDB's 400 KB item), its status and, once done,
  its counts, errors and changes. Removed by TTL a week after it was started.

The job item's INSERT on the table's stream is what starts the import in AWS (the events
function); ``claim`` lets exactly one runner move it from QUEUED to RUNNING.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import UpdateError

from commerce.catalog_exchange.errors import CatalogImportErrorCode
from commerce.catalog_exchange.model import ImportSummary, RowError
from commerce.db.table import TableItem

JOB_SK = "JOB"
RETENTION = timedelta(days=7)
# What a finished job keeps of its report: enough to fix a file, bounded in size.
MAX_KEPT = 500


def job_pk(job_id: str) -> str:
    return f"CATALOG_IMPORT#{job_id}"


class JobStatus(enum.Enum):
    """Where an import job is."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class CatalogImportItem(TableItem, discriminator="CatalogImport"):
    """An import job: its file until it has run, then its report."""

    job_id = UnicodeAttribute()
    status = UnicodeAttribute()
    dry_run = BooleanAttribute(default=False)
    actor = UnicodeAttribute()
    csv = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    finished_at = UTCDateTimeAttribute(null=True)
    report = JSONAttribute(null=True)


@dataclass(frozen=True, slots=True)
class ImportJob:
    """An import job as staff poll it."""

    id: str
    status: JobStatus
    dry_run: bool
    created_at: datetime
    finished_at: datetime | None = None
    summary: ImportSummary | None = None


def insert(job: ImportJob, csv_text: str, actor: str) -> None:
    """Write a new QUEUED job with its file."""
    CatalogImportItem(
        pk=job_pk(job.id),
        sk=JOB_SK,
        job_id=job.id,
        status=job.status.value,
        dry_run=job.dry_run,
        actor=actor,
        csv=csv_text,
        created_at=job.created_at,
        ttl=job.created_at + RETENTION,
    ).save(CatalogImportItem.pk.does_not_exist())


def get(job_id: str) -> ImportJob | None:
    """The job, strongly consistent; None when there is none (or TTL removed it)."""
    try:
        item = CatalogImportItem.get(job_pk(job_id), JOB_SK, consistent_read=True)
    except CatalogImportItem.DoesNotExist:
        return None
    return _job(item)


def claim(job_id: str) -> tuple[str, str] | None:
    """Move a QUEUED job to RUNNING; its (file, actor), or None if another runner has it."""
    item = CatalogImportItem(pk=job_pk(job_id), sk=JOB_SK)
    try:
        item.update(
            actions=[CatalogImportItem.status.set(JobStatus.RUNNING.value)],
            condition=CatalogImportItem.status == JobStatus.QUEUED.value,
        )
    except UpdateError:
        return None
    fresh = CatalogImportItem.get(job_pk(job_id), JOB_SK, consistent_read=True)
    return fresh.csv or "", fresh.actor


def finish(job_id: str, summary: ImportSummary, at: datetime, *, failed: bool = False) -> None:
    """Record the report and drop the file (the report is all staff need from now on)."""
    status = JobStatus.FAILED if failed or not summary.ok else JobStatus.SUCCEEDED
    item = CatalogImportItem(pk=job_pk(job_id), sk=JOB_SK)
    item.update(
        actions=[
            CatalogImportItem.status.set(status.value),
            CatalogImportItem.finished_at.set(at),
            CatalogImportItem.report.set(_report_json(summary)),
            CatalogImportItem.csv.remove(),
        ],
        # Only the runner that claimed it: never creates an item, never reopens a report.
        condition=CatalogImportItem.status == JobStatus.RUNNING.value,
    )


def _report_json(summary: ImportSummary) -> dict[str, Any]:
    return {
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "skipped": summary.skipped,
        "rows": summary.rows,
        "errors": [[e.line, e.column, e.code.value, e.message] for e in summary.errors[:MAX_KEPT]],
        "changes": list(summary.changes[:MAX_KEPT]),
        "ignored": list(summary.ignored_columns),
    }


def _job(item: CatalogImportItem) -> ImportJob:
    summary = None
    report = item.report
    if isinstance(report, dict):
        summary = ImportSummary(
            created=int(report["created"]),
            updated=int(report["updated"]),
            unchanged=int(report["unchanged"]),
            skipped=int(report["skipped"]),
            rows=int(report["rows"]),
            errors=tuple(
                RowError(int(line), str(column), CatalogImportErrorCode(code), str(message))
                for line, column, code, message in report["errors"]
            ),
            changes=tuple(str(c) for c in report["changes"]),
            ignored_columns=tuple(str(c) for c in report["ignored"]),
            dry_run=bool(item.dry_run),
        )
    return ImportJob(
        id=item.job_id,
        status=JobStatus(item.status),
        dry_run=bool(item.dry_run),
        created_at=item.created_at,
        finished_at=item.finished_at,
        summary=summary,
    )
