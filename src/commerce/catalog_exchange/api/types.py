"""Catalog import jobs as staff poll them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from commerce.catalog_exchange import model
from commerce.catalog_exchange.errors import CatalogImportErrorCode as DomainCode
from commerce.catalog_exchange.store import ImportJob, JobStatus
from commerce.graphql.ids import to_global_id
from commerce.graphql.user_errors import UserError

IMPORT_TYPE = "CatalogImport"

CatalogImportErrorCode = strawberry.enum(
    DomainCode,
    name="CatalogImportErrorCode",
    description="Why an import file, or one of its cells, was refused.",
)
CatalogImportStatus = strawberry.enum(
    JobStatus,
    name="CatalogImportStatus",
    description=(
        "Where an import is: QUEUED, RUNNING, then SUCCEEDED, or FAILED when the file was "
        "refused (its problems say why; nothing was written) or a product could not be saved."
    ),
)


@strawberry.type(description="A problem with the input of catalogImportStart.")
class CatalogImportUserError(UserError):
    code: CatalogImportErrorCode = strawberry.field(description="What is wrong, for programs.")


@strawberry.type(description="One problem of an import file, where to find it in the file.")
class CatalogImportProblem:
    line: int = strawberry.field(
        description="The file's line (1 is the header; 0 for the file as a whole)."
    )
    column: str | None = strawberry.field(
        description="The column's header as the file spells it; null for a whole row."
    )
    code: CatalogImportErrorCode = strawberry.field(description="What is wrong, for programs.")
    message: str = strawberry.field(description="What is wrong, for people.")

    @classmethod
    def from_domain(cls, error: model.RowError) -> CatalogImportProblem:
        return cls(
            line=error.line, column=error.column or None, code=error.code, message=error.message
        )


@strawberry.type(
    description=(
        "A catalog import started with catalogImportStart (admin). Counts and problems "
        "are null until it has run."
    )
)
class CatalogImport:
    id: strawberry.ID = strawberry.field(description="Poll it with catalogImport(id:).")
    status: CatalogImportStatus = strawberry.field(description="Where the import is.")
    dry_run: bool = strawberry.field(description="Whether it only checks and reports.")
    created_at: datetime = strawberry.field(description="When it was started.")
    finished_at: datetime | None = strawberry.field(description="When it ended.")
    rows: int | None = strawberry.field(description="Rows the file holds after its header.")
    created: int | None = strawberry.field(description="Products created (or that would be).")
    updated: int | None = strawberry.field(description="Products updated (or that would be).")
    unchanged: int | None = strawberry.field(description="Products the file leaves as they are.")
    skipped: int | None = strawberry.field(
        description="Products not imported because the catalog has no place for them (gift cards)."
    )
    problems: list[CatalogImportProblem] = strawberry.field(
        description="Every problem found (up to 500), by line: any refuses the whole file."
    )
    changes: list[str] = strawberry.field(
        description='What changes per product, e.g. "update x: price EUR of X-1 9.00 -> 9.50".'
    )
    ignored_columns: list[str] = strawberry.field(
        description="Columns of the file the catalog has no field for (not imported)."
    )

    @classmethod
    def from_domain(cls, job: ImportJob) -> CatalogImport:
        summary = job.summary
        return cls(
            id=strawberry.ID(to_global_id(IMPORT_TYPE, job.id)),
            status=job.status,
            dry_run=job.dry_run,
            created_at=job.created_at,
            finished_at=job.finished_at,
            rows=None if summary is None else summary.rows,
            created=None if summary is None else summary.created,
            updated=None if summary is None else summary.updated,
            unchanged=None if summary is None else summary.unchanged,
            skipped=None if summary is None else summary.skipped,
            problems=[]
            if summary is None
            else [CatalogImportProblem.from_domain(e) for e in summary.errors],
            changes=[] if summary is None else list(summary.changes),
            ignored_columns=[] if summary is None else list(summary.ignored_columns),
        )
