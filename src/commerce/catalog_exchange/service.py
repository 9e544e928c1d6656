"""Catalog import and export use cases, through the catalog's and inventory's services.

An import reads and checks the whole file (``reader``), reads the products it names and
the owners of its SKUs in batches, and compares (``plan``); any problem refuses the file
before anything is written. Then each product is created or updated through the
catalog's own use cases, and stock set through inventory's (so every level change has
its history entry). Nothing in the file deletes anything.

Files sent through GraphQL run as jobs: ``start_import`` stores the file in a job item
and returns at once. In AWS, the item's INSERT on the table's stream reaches the events
function, which calls ``run_job``; locally (and in tests) ``launch`` runs it in a thread
of this process. A job is claimed before it runs, so a stream record delivered twice, or
both ways at once, imports once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime
from typing import BinaryIO, TextIO

from commerce.catalog.service import CatalogService
from commerce.catalog_exchange import store, writer
from commerce.catalog_exchange.columns import Dialect
from commerce.catalog_exchange.errors import CatalogImportErrorCode as Code
from commerce.catalog_exchange.model import ImportSummary, ProductOutcome, RowError
from commerce.catalog_exchange.plan import ProductPlan, plan_import
from commerce.catalog_exchange.reader import API_LIMITS, CLI_LIMITS, Limits, read_catalog
from commerce.catalog_exchange.store import ImportJob, JobStatus
from commerce.ids import is_id, new_id
from commerce.inventory.commands import SetLevel
from commerce.inventory.service import InventoryService
from commerce.money import Currency
from commerce.problems import Problem, Rejected
from commerce.variant_refs import VariantRef

log = logging.getLogger("commerce.catalog_exchange")

STOCK_REASON = "catalog import"
Progress = Callable[[int, int], None]
Launch = Callable[[Callable[[], None]], None]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class CatalogExchangeService:
    """Shopify product CSV in and out of the catalog."""

    def __init__(
        self,
        catalog: CatalogService,
        inventory: InventoryService,
        *,
        default_currency: Currency,
        launch: Launch | None = None,
        workers: int = 8,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._catalog = catalog
        self._inventory = inventory
        self._currency = default_currency
        self._launch = launch
        self._workers = workers
        self._clock = clock

    # -- import --------------------------------------------------------------------------

    def import_file(
        self,
        source: bytes | BinaryIO,
        *,
        dry_run: bool,
        actor: str,
        limits: Limits = CLI_LIMITS,
        progress: Progress | None = None,
    ) -> ImportSummary:
        """Check the whole file, then (unless ``dry_run``) apply it; the summary says how it went.

        A file with any problem changes nothing: its summary lists every problem found.
        """
        parsed = read_catalog(source, self._currency, limits)
        base = ImportSummary(
            rows=parsed.rows, ignored_columns=parsed.ignored_columns, dry_run=dry_run
        )
        if parsed.errors or parsed.dialect is None:
            return _with(base, errors=parsed.errors)
        existing = self._catalog.products_by_handles([p.handle for p in parsed.products])
        owners = self._catalog.sku_owners([v.sku for p in parsed.products for v in p.variants])
        plans, errors = plan_import(parsed.products, existing, owners, parsed.dialect)
        if errors:
            return _with(base, errors=tuple(sorted(errors, key=lambda e: e.line)))
        changes = tuple(p.description for p in plans if p.description)
        if dry_run:
            return _counted(base, [p.outcome for p in plans], changes)
        outcomes: list[ProductOutcome] = []
        failures: list[RowError] = []
        # Products are independent of each other: several are written at once, which is
        # what makes a large file take minutes rather than an hour against DynamoDB.
        # One snapshot for the whole file, published when the last product is written.
        with (
            self._catalog.publishing_deferred(),
            ThreadPoolExecutor(self._workers, thread_name_prefix="catalog-import") as pool,
        ):
            futures = {pool.submit(self._apply, plan, actor): plan for plan in plans}
            for done, future in enumerate(as_completed(futures), start=1):
                plan = futures[future]
                try:
                    future.result()
                    outcomes.append(plan.outcome)
                except Rejected as rejected:
                    # Checked before the first write, so only a concurrent change lands
                    # here (a handle or SKU taken meanwhile): the rest still applies.
                    failures += [_failure(plan, p) for p in rejected.problems]
                if progress is not None:
                    progress(done, len(plans))
        failures.sort(key=lambda e: e.line)
        return _with(_counted(base, outcomes, changes), errors=tuple(failures))

    def _apply(self, plan: ProductPlan, actor: str) -> None:
        catalog = self._catalog
        if plan.outcome is ProductOutcome.CREATED and plan.draft is not None:
            catalog.create_product(plan.draft)
            return
        if plan.outcome is not ProductOutcome.UPDATED or plan.product_id is None:
            return
        product_id = plan.product_id
        if plan.changes is not None:
            catalog.update_product(product_id, plan.changes)
        if plan.published is not None:
            catalog.set_published(product_id, plan.published)
        for variant in plan.variants:
            if variant.draft is not None:
                catalog.add_variant(product_id, variant.draft)
                continue
            if variant.variant_id is None:
                continue
            if variant.changes is not None:
                catalog.update_variant(product_id, variant.variant_id, variant.changes)
            if variant.prices:
                catalog.set_prices(product_id, variant.variant_id, variant.prices)
            if variant.stock is not None:
                self._inventory.set_level(
                    SetLevel(
                        VariantRef(product_id, variant.variant_id), variant.stock, STOCK_REASON
                    ),
                    actor,
                )

    # -- export --------------------------------------------------------------------------

    def export_file(self, out: TextIO, dialect: Dialect = Dialect.CURRENT) -> int:
        """Write every product (published or not) to ``out``; returns the rows written."""
        snapshot = self._catalog.full_snapshot()
        return writer.write(out, snapshot.products, snapshot.stock, dialect, self._currency)

    # -- jobs (GraphQL) ------------------------------------------------------------------

    def start_import(self, csv_text: str, *, dry_run: bool, actor: str) -> ImportJob:
        """Queue an import of a small file; ``Rejected`` when it is too large to queue."""
        size = len(csv_text.encode("utf-8"))
        if size > API_LIMITS.max_bytes:
            raise Rejected(
                [
                    Problem(
                        Code.FILE_TOO_LARGE,
                        f"The file is {size} bytes; through the API at most "
                        f"{API_LIMITS.max_bytes} (use `commerce catalog import` for more)",
                        ("csv",),
                    )
                ]
            )
        now = self._clock()
        job = ImportJob(
            id=new_id(int(now.timestamp() * 1000)),
            status=JobStatus.QUEUED,
            dry_run=dry_run,
            created_at=now,
        )
        store.insert(job, csv_text, actor)
        if self._launch is not None:
            job_id = job.id

            def run() -> None:
                self.run_job(job_id)

            self._launch(run)
        return job

    def job(self, job_id: str) -> ImportJob | None:
        """An import job by id; None when there is none."""
        return store.get(job_id) if is_id(job_id) else None

    def run_job(self, job_id: str) -> bool:
        """Run a queued job to its end; False when it was not queued (already claimed)."""
        claimed = store.claim(job_id)
        if claimed is None:
            return False
        csv_text, actor = claimed
        job = store.get(job_id)
        dry_run = job is not None and job.dry_run
        try:
            summary = self.import_file(
                csv_text.encode("utf-8"), dry_run=dry_run, actor=actor, limits=API_LIMITS
            )
        except Exception:
            # Logged with the job id only: the file may hold anything.
            log.exception("catalog import job failed", extra={"job_id": job_id})
            failed = ImportSummary(
                errors=(RowError(0, "", Code.REFUSED, "The import failed unexpectedly; retry it"),),
                dry_run=dry_run,
            )
            store.finish(job_id, failed, self._clock(), failed=True)
            return True
        store.finish(job_id, summary, self._clock())
        return True


def _with(summary: ImportSummary, *, errors: tuple[RowError, ...]) -> ImportSummary:
    return ImportSummary(
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        skipped=summary.skipped,
        rows=summary.rows,
        errors=errors,
        changes=summary.changes,
        ignored_columns=summary.ignored_columns,
        dry_run=summary.dry_run,
    )


def _counted(
    base: ImportSummary, outcomes: list[ProductOutcome], changes: tuple[str, ...]
) -> ImportSummary:
    return ImportSummary(
        created=outcomes.count(ProductOutcome.CREATED),
        updated=outcomes.count(ProductOutcome.UPDATED),
        unchanged=outcomes.count(ProductOutcome.UNCHANGED),
        skipped=outcomes.count(ProductOutcome.SKIPPED),
        rows=base.rows,
        changes=changes,
        ignored_columns=base.ignored_columns,
        dry_run=base.dry_run,
    )


def _failure(plan: ProductPlan, problem: Problem) -> RowError:
    return RowError(plan.line, "", Code.REFUSED, f"{plan.handle}: {problem.message}")
