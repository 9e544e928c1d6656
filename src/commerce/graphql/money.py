"""Money in the API: ``Money { amount: Decimal!, currencyCode: CurrencyCode! }``."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from commerce.graphql.errors import BadUserInput
from commerce.money import Currency
from commerce.money import Money as DomainMoney

CurrencyCode = strawberry.enum(
    Currency, name="CurrencyCode", description="An ISO 4217 currency code."
)


@strawberry.type(description="An amount of money in one currency, exact to its minor unit.")
class Money:
    amount: Decimal = strawberry.field(
        description='The amount in major units as a decimal string, e.g. "12.50".'
    )
    currency_code: CurrencyCode = strawberry.field(description="The currency of the amount.")

    @classmethod
    def from_domain(cls, money: DomainMoney) -> Money:
        return cls(amount=money.to_decimal(), currency_code=money.currency)


@strawberry.input(description="An amount of money given by a client.")
class MoneyInput:
    amount: Decimal = strawberry.field(
        description="The amount in major units; at most as many decimals as the currency has."
    )
    currency_code: CurrencyCode = strawberry.field(description="The currency of the amount.")

    def to_domain(self, argument: str = "amount") -> DomainMoney:
        """The amount in minor units; BAD_USER_INPUT when it has too many decimals."""
        try:
            return DomainMoney.from_decimal(self.amount, self.currency_code)
        except ValueError as exc:
            raise BadUserInput(str(exc), argument=argument) from None
