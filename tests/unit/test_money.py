"""Money: integer minor units plus a currency, parsed from and shown as exact decimals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from commerce.money import Currency, Money, parse_currency, round_minor

# -- from_decimal / to_decimal --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("12.50", Currency.USD, 1250),
        ("12.5", Currency.USD, 1250),
        ("12.500", Currency.EUR, 1250),
        ("0.01", Currency.GBP, 1),
        ("-3.99", Currency.USD, -399),
        ("1E+2", Currency.USD, 10000),
        ("0", Currency.USD, 0),
        ("1500", Currency.JPY, 1500),
        ("1500.0", Currency.JPY, 1500),
        ("123456789012345678901234567890.12", Currency.USD, 12345678901234567890123456789012),
    ],
)
def test_a_decimal_amount_becomes_exact_minor_units(
    text: str, currency: Currency, minor: int
) -> None:
    # when
    money = Money.from_decimal(text, currency)
    # then
    assert money == Money(minor, currency)
    assert Money.from_decimal(Decimal(text), currency) == money


@pytest.mark.parametrize(
    ("money", "shown"),
    [
        (Money(1250, Currency.USD), "12.50"),
        (Money(5, Currency.EUR), "0.05"),
        (Money(-399, Currency.USD), "-3.99"),
        (Money(1500, Currency.JPY), "1500"),
        (Money(0, Currency.KRW), "0"),
    ],
)
def test_minor_units_show_as_a_decimal_with_the_currencys_digits(money: Money, shown: str) -> None:
    assert str(money.to_decimal()) == shown


@pytest.mark.parametrize("minor", [0, 1, 99, 1250, -7, 10**12])
@pytest.mark.parametrize("currency", list(Currency))
def test_to_decimal_and_from_decimal_round_trip(minor: int, currency: Currency) -> None:
    money = Money(minor, currency)
    assert Money.from_decimal(money.to_decimal(), currency) == money
    assert Money.from_decimal(str(money.to_decimal()), currency) == money


def test_yen_has_no_minor_unit() -> None:
    assert Currency.JPY.exponent == 0
    assert Currency.KRW.exponent == 0
    assert Currency.USD.exponent == 2


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("12.505", Currency.USD),
        ("0.001", Currency.EUR),
        ("1E-3", Currency.USD),
        ("100.5", Currency.JPY),
        ("0.1", Currency.KRW),
        # 30 significant digits: beyond decimal's default 28-digit context, which must not
        # round the excess away and accept the amount as 1.00.
        ("1.00000000000000000000000000001", Currency.USD),
    ],
)
def test_more_decimals_than_the_currency_has_are_refused(text: str, currency: Currency) -> None:
    with pytest.raises(ValueError, match=f"{currency.value} amounts have at most"):
        Money.from_decimal(text, currency)


@pytest.mark.parametrize("text", ["NaN", "sNaN", "Infinity", "-Infinity", "inf"])
def test_nan_and_infinity_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="finite"):
        Money.from_decimal(text, Currency.USD)
    with pytest.raises(ValueError, match="finite"):
        Money.from_decimal(Decimal(text), Currency.USD)


@pytest.mark.parametrize("text", ["", "12,50", "$12", "twelve", "1.2.3"])
def test_text_that_is_no_number_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a decimal amount"):
        Money.from_decimal(text, Currency.USD)


@pytest.mark.parametrize("amount", [12.5, 0.1, 12, True])
def test_from_decimal_never_accepts_a_float_or_other_number(amount: Any) -> None:
    with pytest.raises(TypeError, match="never"):
        Money.from_decimal(amount, Currency.USD)


@pytest.mark.parametrize("amount", [12.5, 12.0, Decimal("12"), True, "12"])
def test_money_amounts_are_only_ints(amount: Any) -> None:
    with pytest.raises(TypeError, match="int of minor units"):
        Money(amount, Currency.USD)


# -- arithmetic -----------------------------------------------------------------------------------


def test_amounts_in_one_currency_add_and_subtract() -> None:
    assert Money(1250, Currency.USD) + Money(99, Currency.USD) == Money(1349, Currency.USD)
    assert Money(1250, Currency.USD) - Money(1300, Currency.USD) == Money(-50, Currency.USD)


def test_amounts_in_different_currencies_do_not_combine() -> None:
    with pytest.raises(ValueError, match="cannot combine USD and EUR"):
        Money(1, Currency.USD) + Money(1, Currency.EUR)
    with pytest.raises(ValueError, match="cannot combine EUR and USD"):
        Money(1, Currency.EUR) - Money(1, Currency.USD)


# -- currencies -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "currency"), [("USD", Currency.USD), (" eur ", Currency.EUR)])
def test_a_currency_code_parses_in_any_case_and_padding(code: str, currency: Currency) -> None:
    assert parse_currency(code) is currency


@pytest.mark.parametrize("code", ["", "XYZ", "US", "usd1", "BTC"])
def test_an_unsupported_currency_code_is_refused_by_name(code: str) -> None:
    with pytest.raises(ValueError, match=f"unsupported currency code {code!r}"):
        parse_currency(code)


# -- rounding -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        ("0.5", 0),
        ("1.5", 2),
        ("2.5", 2),
        ("3.5", 4),
        ("-2.5", -2),
        ("-3.5", -4),
        ("2.5000001", 3),
        ("2.4999999", 2),
        ("7", 7),
        ("1249.999", 1250),
    ],
)
def test_round_minor_rounds_half_to_even(value: str, rounded: int) -> None:
    assert round_minor(Decimal(value)) == rounded
