"""Staff changes to tax rates. Every mutation needs the admin scope.

Each takes one ``input`` and returns a payload with the result and ``userErrors``; a
refused change writes nothing.
"""

from __future__ import annotations

from decimal import Decimal

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.inputs import InputErrors
from commerce.graphql.permissions import ADMIN
from commerce.graphql.use_cases import Outcome, run_use_case
from commerce.tax import model
from commerce.tax.api.types import TaxRate, TaxUserError
from commerce.tax.commands import TaxPlace, TaxRateSetting
from commerce.tax.errors import TaxErrorCode as Code

# Tax inputs hold no global ids, so no id problem can arise: the place's code stands in.
NO_ID_CODE = Code.INVALID_COUNTRY


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

    def to_command(self, errors: InputErrors) -> TaxRateSetting:
        return TaxRateSetting(TaxPlace(self.country_code, self.region_code), self.rate)


@strawberry.input(description="The country or region whose tax rate to delete.")
class TaxRateDeleteInput:
    country_code: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    region_code: str | None = strawberry.field(
        default=None, description="The region; null for the country's own rate."
    )

    def to_command(self, errors: InputErrors) -> TaxPlace:
        return TaxPlace(self.country_code, self.region_code)


@strawberry.type(description="The result of setting a tax rate.")
class TaxRatePayload:
    tax_rate: TaxRate | None = strawberry.field(description="The rate, when it worked.")
    user_errors: list[TaxUserError] = strawberry.field(description="Why it did not.")

    @classmethod
    def of(cls, outcome: Outcome[model.TaxRate]) -> TaxRatePayload:
        return cls(
            tax_rate=outcome.map(TaxRate.from_domain),
            user_errors=TaxUserError.list_of(outcome.problems),
        )


@strawberry.type(description="The result of deleting a tax rate.")
class TaxRateDeletePayload:
    deleted: bool = strawberry.field(description="Whether the rate was deleted.")
    user_errors: list[TaxUserError] = strawberry.field(description="Why it was not.")

    @classmethod
    def of(cls, outcome: Outcome[TaxPlace]) -> TaxRateDeletePayload:
        return cls(
            deleted=outcome.value is not None,
            user_errors=TaxUserError.list_of(outcome.problems),
        )


@strawberry.type
class TaxMutation:
    @strawberry.mutation(
        description="Set the tax rate of a country or region, replacing any rate it had.",
        permission_classes=ADMIN,
    )
    async def tax_rate_set(
        self, info: Info[Context, None], input: TaxRateSetInput
    ) -> TaxRatePayload:
        errors = InputErrors(NO_ID_CODE)
        command = input.to_command(errors)
        taxes = info.context.services.tax
        return TaxRatePayload.of(await run_use_case(info, errors, command, taxes.set_rate))

    @strawberry.mutation(
        description="Delete the tax rate of a country or region.", permission_classes=ADMIN
    )
    async def tax_rate_delete(
        self, info: Info[Context, None], input: TaxRateDeleteInput
    ) -> TaxRateDeletePayload:
        errors = InputErrors(NO_ID_CODE)
        command = input.to_command(errors)
        taxes = info.context.services.tax
        return TaxRateDeletePayload.of(await run_use_case(info, errors, command, taxes.delete_rate))
