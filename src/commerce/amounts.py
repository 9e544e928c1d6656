"""Checks shared by every list of amounts a client gives: one per currency, in range."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from commerce.money import MAX_MINOR_AMOUNT, Money
from commerce.problems import Problem


@dataclass(frozen=True, slots=True)
class AmountCodes:
    """The calling context's error codes for each way a list of amounts can be wrong."""

    duplicate: enum.Enum
    negative: enum.Enum
    too_large: enum.Enum


def check_amounts(
    amounts: Sequence[Money], field: tuple[str, ...], codes: AmountCodes, noun: str
) -> list[Problem]:
    """Amounts are not negative, at most ``MAX_MINOR_AMOUNT``, one per currency."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, amount in enumerate(amounts):
        at = (*field, str(i))
        if amount.currency.value in seen:
            problems.append(
                Problem(
                    codes.duplicate,
                    f"Two {noun.lower()}s in {amount.currency.value}",
                    (*at, "currencyCode"),
                )
            )
        seen.add(amount.currency.value)
        if amount.amount < 0:
            problems.append(Problem(codes.negative, f"{noun} can't be negative", (*at, "amount")))
        elif amount.amount > MAX_MINOR_AMOUNT:
            problems.append(Problem(codes.too_large, f"{noun} is too large", (*at, "amount")))
    return problems
