"""Staff changes to tax rates. Every mutation needs the admin scope."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.permissions import IsAdmin
from commerce.problems import Rejected
from commerce.tax.api.types import TaxRate, TaxUserError

ADMIN: list[type[BasePermission]] = [IsAdmin]


@strawberry.input(description="The tax rate of a country or region.")
class TaxRateSetInput:
    country_code: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    region_code: str | None = strawberry.field(
        default=None,
        description="A region (ISO 3166-2 code after the hyphen, e.g. CA, ON); null: the country.",
    )
    rate: Decimal = strawberry.field(
        description="The percentage, 0 to 100, at most 4 decimals, e.g. 20 or 8.875."
    )


@strawberry.input(description="The country or region whose tax rate to delete.")
class TaxRateDeleteInput:
    country_code: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    region_code: str | None = strawberry.field(
        default=None, description="The region; null for the country's own rate."
    )


@strawberry.type(description="The result of setting a tax rate.")
class TaxRatePayload:
    tax_rate: TaxRate | None = strawberry.field(description="The rate, when it worked.")
    user_errors: list[TaxUserError] = strawberry.field(description="Why it did not.")


@strawberry.type(description="The result of deleting a tax rate.")
class TaxRateDeletePayload:
    deleted: bool = strawberry.field(description="Whether the rate was deleted.")
    user_errors: list[TaxUserError] = strawberry.field(description="Why it was not.")


def _errors(rejected: Rejected) -> list[TaxUserError]:
    return [TaxUserError.from_problem(p) for p in rejected.problems]


@strawberry.type
class TaxMutation:
    @strawberry.mutation(
        description="Set the tax rate of a country or region, replacing any rate it had.",
        permission_classes=ADMIN,
    )
    async def tax_rate_set(
        self, info: Info[Context, None], input: TaxRateSetInput
    ) -> TaxRatePayload:
        taxes = info.context.services.tax
        try:
            rate = await info.context.run(
                taxes.set_rate, input.country_code, input.region_code, input.rate
            )
        except Rejected as rejected:
            return TaxRatePayload(tax_rate=None, user_errors=_errors(rejected))
        return TaxRatePayload(tax_rate=TaxRate.from_domain(rate), user_errors=[])

    @strawberry.mutation(
        description="Delete the tax rate of a country or region.", permission_classes=ADMIN
    )
    async def tax_rate_delete(
        self, info: Info[Context, None], input: TaxRateDeleteInput
    ) -> TaxRateDeletePayload:
        taxes = info.context.services.tax
        try:
            await info.context.run(taxes.delete_rate, input.country_code, input.region_code)
        except Rejected as rejected:
            return TaxRateDeletePayload(deleted=False, user_errors=_errors(rejected))
        return TaxRateDeletePayload(deleted=True, user_errors=[])
