"""Staff reads of tax rates."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.permissions import ADMIN
from commerce.tax.api.types import TaxRate


@strawberry.type
class TaxQuery:
    @strawberry.field(
        description="Every tax rate, by country then region (staff only).",
        permission_classes=ADMIN,
    )
    async def tax_rates(self, info: Info[Context, None]) -> list[TaxRate]:
        rates = await info.context.run(info.context.services.tax.rates)
        return [TaxRate.from_domain(r) for r in rates]

    @strawberry.field(
        description=(
            "Whether catalog prices and shipping rates include tax (the store setting "
            "COMMERCE_PRICES_INCLUDE_TAX): then tax is shown as the part of the price that "
            "is tax; otherwise it is added on top."
        )
    )
    def prices_include_tax(self, info: Info[Context, None]) -> bool:
        return info.context.services.tax.prices_include_tax
