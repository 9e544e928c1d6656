"""Staff poll a catalog import."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.catalog_exchange.api.types import IMPORT_TYPE, CatalogImport
from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput
from commerce.graphql.ids import local_id_or_none
from commerce.graphql.permissions import ADMIN


@strawberry.type
class CatalogExchangeQuery:
    @strawberry.field(
        description="A catalog import by id (admin): its status, counts and problems; null "
        "when there is none (imports are kept for 7 days).",
        permission_classes=ADMIN,
    )
    async def catalog_import(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> CatalogImport | None:
        job_id = local_id_or_none(id, IMPORT_TYPE)
        if job_id is None:
            raise BadUserInput(f"{id!r} is not a valid {IMPORT_TYPE} ID", argument="id")
        job = await info.context.run(info.context.services.catalog_exchange.job, job_id)
        return None if job is None else CatalogImport.from_domain(job)
