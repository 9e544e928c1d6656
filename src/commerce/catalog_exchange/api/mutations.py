"""Staff start a catalog import of a small file; it runs as a job (``catalogImport`` polls)."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry
from strawberry.types import Info

from commerce.catalog_exchange.api.types import CatalogImport, CatalogImportUserError
from commerce.catalog_exchange.errors import CatalogImportErrorCode as Code
from commerce.catalog_exchange.store import ImportJob
from commerce.graphql.context import Context
from commerce.graphql.inputs import InputErrors
from commerce.graphql.permissions import ADMIN
from commerce.graphql.use_cases import Outcome, run_use_case


@dataclass(frozen=True, slots=True)
class StartImport:
    """The decoded input: the file's text and whether to write."""

    csv: str
    dry_run: bool


@strawberry.input(description="A Shopify product CSV to import (docs/catalog-csv.md).")
class CatalogImportStartInput:
    csv: str = strawberry.field(
        description="The file's text, either header dialect; at most 256 KiB and 5,000 rows."
    )
    dry_run: bool = strawberry.field(
        default=False, description="Only check the file and report what would change."
    )

    def to_command(self, errors: InputErrors) -> StartImport | None:
        if not self.csv.strip():
            errors.add(Code.BLANK, "The file is empty", "csv")
            return None
        return StartImport(csv=self.csv, dry_run=self.dry_run)


@strawberry.type(description="The result of catalogImportStart.")
class CatalogImportStartPayload:
    catalog_import: CatalogImport | None = strawberry.field(
        description="The queued import, when it was accepted; poll it with catalogImport(id:)."
    )
    user_errors: list[CatalogImportUserError] = strawberry.field(description="Why it was not.")

    @classmethod
    def of(cls, outcome: Outcome[ImportJob]) -> CatalogImportStartPayload:
        return cls(
            catalog_import=outcome.map(CatalogImport.from_domain),
            user_errors=CatalogImportUserError.list_of(outcome.problems),
        )


def actor_of(ctx: Context) -> str:
    """Who imports, as the stock history records it."""
    principal = ctx.principal
    return f"{principal.kind.value}:{principal.id or '-'}"


@strawberry.type
class CatalogExchangeMutation:
    @strawberry.mutation(
        description=(
            "Import a Shopify product CSV as a job (admin): the whole file is checked first, "
            "and any problem refuses it with nothing written. Larger files: the "
            "`commerce catalog import` command."
        ),
        permission_classes=ADMIN,
    )
    async def catalog_import_start(
        self, info: Info[Context, None], input: CatalogImportStartInput
    ) -> CatalogImportStartPayload:
        errors = InputErrors(Code.INVALID)
        command = input.to_command(errors)
        exchange, actor = info.context.services.catalog_exchange, actor_of(info.context)
        return CatalogImportStartPayload.of(
            await run_use_case(
                info,
                errors,
                command,
                lambda c: exchange.start_import(c.csv, dry_run=c.dry_run, actor=actor),
            )
        )
