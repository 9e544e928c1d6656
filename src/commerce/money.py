"""Money as integer minor units plus an ISO 4217 currency: never a float.

Amounts cross the API as decimals in major units (``12.50``) and are stored and
computed as integers in minor units (``1250``). ``round_minor`` is the one
rounding rule of the project (half to even), so that every module that divides
money rounds the same way.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation


class Currency(enum.Enum):
    """ISO 4217 currencies the store can price in, each with its minor-unit exponent."""

    AUD = "AUD"
    BRL = "BRL"
    CAD = "CAD"
    CHF = "CHF"
    CNY = "CNY"
    CZK = "CZK"
    DKK = "DKK"
    EUR = "EUR"
    GBP = "GBP"
    HKD = "HKD"
    INR = "INR"
    JPY = "JPY"
    KRW = "KRW"
    MXN = "MXN"
    NOK = "NOK"
    NZD = "NZD"
    PLN = "PLN"
    SEK = "SEK"
    SGD = "SGD"
    USD = "USD"

    @property
    def exponent(self) -> int:
        """Digits after the decimal point in this currency (2 for USD, 0 for JPY)."""
        return _ZERO_DECIMAL.get(self, 2)


_ZERO_DECIMAL = {Currency.JPY: 0, Currency.KRW: 0}

# Large enough for any catalog price, small enough to stay exact in JSON numbers
# and in DynamoDB's 38-digit numbers after multiplication by quantities.
MAX_MINOR_AMOUNT = 10**12


def parse_currency(code: str) -> Currency:
    """The currency for an ISO code; ``ValueError`` names the bad code."""
    try:
        return Currency(code.strip().upper())
    except ValueError:
        raise ValueError(f"unsupported currency code {code!r}") from None


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An amount in minor units of one currency."""

    amount: int
    currency: Currency

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError("Money.amount must be an int of minor units")

    def to_decimal(self) -> Decimal:
        """The amount in major units, exact (``1250`` USD -> ``Decimal('12.50')``)."""
        return Decimal(self.amount).scaleb(-self.currency.exponent)

    @classmethod
    def from_decimal(cls, value: Decimal | str, currency: Currency) -> Money:
        """Parse a major-unit amount; more decimals than the currency has is an error."""
        if isinstance(value, str):
            try:
                decimal = Decimal(value)
            except InvalidOperation:
                raise ValueError(f"{value!r} is not a decimal amount") from None
        elif isinstance(value, Decimal):
            decimal = value
        else:
            raise TypeError(f"amounts are Decimal or str, never {type(value).__name__}")
        if not decimal.is_finite():
            raise ValueError("amount must be a finite number")
        # Read the digits, not decimal arithmetic: its 28-digit context would round
        # "1.00000000000000000000000000001" to a whole amount instead of refusing it.
        sign, digits, exponent = decimal.as_tuple()
        assert isinstance(exponent, int)
        below_minor = -exponent - currency.exponent
        if below_minor > 0 and any(digits[-below_minor:]):
            raise ValueError(
                f"{currency.value} amounts have at most {currency.exponent} decimal places"
            )
        return cls(int(Decimal((sign, digits, exponent + currency.exponent))), currency)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency is not self.currency:
            raise ValueError(f"cannot combine {self.currency.value} and {other.currency.value}")


def round_minor(value: Decimal) -> int:
    """Round a fractional minor-unit amount to a whole one, half to even."""
    return int(value.to_integral_value(rounding=ROUND_HALF_EVEN))
