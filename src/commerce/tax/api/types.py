"""Tax types as staff see them."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from commerce.graphql.user_errors import UserError
from commerce.tax import model
from commerce.tax.errors import TaxErrorCode as DomainTaxErrorCode

TaxErrorCode = strawberry.enum(
    DomainTaxErrorCode, name="TaxErrorCode", description="Why a tax change was refused."
)


@strawberry.type(description="Why a tax change was refused, and which input field it concerns.")
class TaxUserError(UserError):
    code: TaxErrorCode = strawberry.field(description="What is wrong, for programs.")


@strawberry.type(description="The tax rate of a country, or of one region of it.")
class TaxRate:
    country_code: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    region_code: str | None = strawberry.field(
        description=(
            "The ISO 3166-2 subdivision code after the hyphen (CA for US-CA), matched against "
            "the address's province; null for the country's own rate."
        )
    )
    rate: Decimal = strawberry.field(
        description='The percentage, exact, e.g. "20" or "8.875"; a region overrides its country.'
    )

    @classmethod
    def from_domain(cls, rate: model.TaxRate) -> TaxRate:
        return cls(
            country_code=rate.country_code,
            region_code=rate.region_code or None,
            rate=rate.percentage,
        )
