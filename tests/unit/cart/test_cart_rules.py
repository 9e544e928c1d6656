"""Validation of cart input: every problem at once, with exact codes and fields."""

from __future__ import annotations

from enum import Enum

import pytest

from commerce.cart.errors import CartErrorCode as Code
from commerce.cart.model import MAX_LINES, Address, BuyerIdentity, CartLine
from commerce.cart.rules import (
    check_added_quantity,
    check_address,
    check_buyer_identity,
    check_line_count,
    check_new_quantity,
    normalized_phone,
)
from commerce.problems import Problem


def codes(problems: list[Problem]) -> list[tuple[Enum, tuple[str, ...]]]:
    return [(p.code, p.field) for p in problems]


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (-5, [Code.INVALID_QUANTITY]),
        (0, [Code.INVALID_QUANTITY]),
        (1, []),
        (99, []),
        (100, [Code.TOO_LARGE]),
    ],
)
def test_an_added_quantity_is_1_to_99(quantity: int, expected: list[Code]) -> None:
    assert [p.code for p in check_added_quantity(quantity, ("q",))] == expected


def test_a_new_quantity_may_be_zero_but_not_negative() -> None:
    assert check_new_quantity(0, ("q",)) == []
    assert [p.code for p in check_new_quantity(-1, ("q",))] == [Code.INVALID_QUANTITY]
    assert [p.code for p in check_new_quantity(100, ("q",))] == [Code.TOO_LARGE]


def test_a_cart_holds_at_most_max_lines() -> None:
    lines = [CartLine(str(i), "p", str(i), 1) for i in range(MAX_LINES + 1)]
    assert check_line_count(lines[:MAX_LINES], ("lines",)) == []
    assert codes(check_line_count(lines, ("lines",))) == [(Code.TOO_MANY_LINES, ("lines",))]


@pytest.mark.parametrize("email", ["ada@example.com", "a.b+c@mail.example.co.uk"])
def test_ordinary_email_addresses_pass(email: str) -> None:
    assert check_buyer_identity(BuyerIdentity(email=email), ("b",)) == []


@pytest.mark.parametrize("email", ["ada", "ada@example", "a da@example.com", "@example.com"])
def test_malformed_email_addresses_are_invalid(email: str) -> None:
    assert codes(check_buyer_identity(BuyerIdentity(email=email), ("b",))) == [
        (Code.INVALID, ("b", "email"))
    ]


def test_phone_numbers_are_e164_after_separators_are_dropped() -> None:
    assert normalized_phone(" +1 (415) 555-0100 ") == "+14155550100"
    assert check_buyer_identity(BuyerIdentity(phone="+14155550100"), ("b",)) == []
    for bad in ["4155550100", "+0123456789", "+1234", "+1234567890123456"]:
        assert codes(check_buyer_identity(BuyerIdentity(phone=bad), ("b",))) == [
            (Code.INVALID, ("b", "phone"))
        ]


def address(**changes: str) -> Address:
    fields = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "address1": "1 Main St",
        "address2": "",
        "city": "London",
        "province": "",
        "zip": "N1",
        "country_code": "GB",
    }
    return Address(**{**fields, **changes})


def test_a_complete_address_passes_and_every_mistake_is_listed() -> None:
    assert check_address(address(), ("a",)) == []
    assert codes(
        check_address(address(address1="", city="x" * 256, country_code="UK"), ("a",))
    ) == [
        (Code.BLANK, ("a", "address1")),
        (Code.TOO_LONG, ("a", "city")),
        (Code.INVALID, ("a", "countryCode")),
    ]
