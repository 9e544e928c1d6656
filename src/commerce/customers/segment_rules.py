"""Validation of rule segments as staff define them: pure, every problem at once.

The rule model and its evaluation are pricing's (``commerce.pricing.segments``): pricing
decides them. What a valid rule is, is the customers context's: it knows the age bands,
the countries and what a tag looks like.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from commerce.countries import COUNTRY_CODES
from commerce.customers import rules
from commerce.customers.errors import CustomerErrorCode as Code
from commerce.customers.model import AGE_BANDS
from commerce.money import Money
from commerce.pricing.segments import (
    COUNT_CRITERIA,
    DAY_CRITERIA,
    MONEY_CRITERIA,
    TEXT_CRITERIA,
    Criterion,
    SegmentCondition,
)
from commerce.problems import Problem

# Segments of one store: all of them ride along in every pricing's BatchGetItem.
MAX_SEGMENTS = 100
MAX_CONDITIONS = 20
MAX_HANDLE_LENGTH = 40
MAX_NAME_LENGTH = 100
MAX_VALUE_LENGTH = 200
MAX_DAYS = 3650
MAX_COUNT = 100_000
_HANDLE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
AGE_BAND_NAMES = tuple(name for _, name in AGE_BANDS)


@dataclass(frozen=True, slots=True)
class ConditionInput:
    """One condition as a client sent it, ids already decoded; checked here."""

    criterion: Criterion
    value: str | None = None
    amount: Money | None = None
    days: int | None = None
    count: int | None = None


def check_handle(handle: str, field: tuple[str, ...]) -> list[Problem]:
    """Lower-case letters and digits in hyphen-joined words, at most 40 characters."""
    if not handle:
        return [Problem(Code.BLANK, "A segment needs a handle", field)]
    if len(handle) > MAX_HANDLE_LENGTH:
        return [Problem(Code.TOO_LONG, f"At most {MAX_HANDLE_LENGTH} characters", field)]
    if not _HANDLE.fullmatch(handle):
        return [
            Problem(Code.INVALID, "Lower-case letters and digits joined by hyphens only", field)
        ]
    return []


def check_name(name: str, field: tuple[str, ...]) -> list[Problem]:
    """A name staff read in the admin; required, at most 100 characters."""
    if not name.strip():
        return [Problem(Code.BLANK, "A segment needs a name", field)]
    if len(name) > MAX_NAME_LENGTH:
        return [Problem(Code.TOO_LONG, f"At most {MAX_NAME_LENGTH} characters", field)]
    return []


def _only(given: ConditionInput, wanted: str) -> list[str]:
    """The fields given that this criterion does not read."""
    present = {
        "value": given.value is not None,
        "amount": given.amount is not None,
        "days": given.days is not None,
        "count": given.count is not None,
    }
    return [name for name, there in present.items() if there and name != wanted]


def _wanted(criterion: Criterion) -> str:
    if criterion in TEXT_CRITERIA:
        return "value"
    if criterion in DAY_CRITERIA:
        return "days"
    if criterion in COUNT_CRITERIA:
        return "count"
    assert criterion in MONEY_CRITERIA
    return "amount"


def _text(given: ConditionInput, at: tuple[str, ...], problems: list[Problem]) -> str | None:
    c, raw = given.criterion, " ".join((given.value or "").split())
    where = (*at, "value")
    if not raw:
        problems.append(Problem(Code.BLANK, f"{c.value} needs a value", where))
        return None
    if len(raw) > MAX_VALUE_LENGTH:
        problems.append(Problem(Code.TOO_LONG, f"At most {MAX_VALUE_LENGTH} characters", where))
        return None
    if c is Criterion.COUNTRY:
        if raw.upper() not in COUNTRY_CODES:
            problems.append(Problem(Code.INVALID, "An ISO 3166-1 alpha-2 country code", where))
            return None
        return raw.lower()
    if c is Criterion.AGE_BAND:
        if raw.lower() not in AGE_BAND_NAMES:
            bands = ", ".join(AGE_BAND_NAMES)
            problems.append(Problem(Code.INVALID, f"One of the age bands {bands}", where))
            return None
        return raw.lower()
    if c is Criterion.TAG:
        found: list[Problem] = []
        tags = rules.normalize_tags([raw], "value", found)
        if found:
            problems.extend(Problem(p.code, p.message, where) for p in found)
            return None
        return next(iter(tags))
    if c is Criterion.BOUGHT_FROM_COLLECTION:
        return raw
    return raw.casefold()


def condition_of(
    given: ConditionInput, at: tuple[str, ...], problems: list[Problem]
) -> SegmentCondition | None:
    """The normalised condition, or None with its problems added."""
    wanted = _wanted(given.criterion)
    stray = _only(given, wanted)
    for name in stray:
        problems.append(
            Problem(
                Code.INVALID, f"{given.criterion.value} reads {wanted}, not {name}", (*at, name)
            )
        )
    if stray:
        return None
    if wanted == "value":
        text = _text(given, at, problems)
        return None if text is None else SegmentCondition(given.criterion, text=text)
    if wanted == "amount":
        if given.amount is None or given.amount.amount <= 0:
            problems.append(
                Problem(Code.INVALID, "A lifetime value above zero is required", (*at, "amount"))
            )
            return None
        return SegmentCondition(
            given.criterion, number=given.amount.amount, currency=given.amount.currency
        )
    number = given.days if wanted == "days" else given.count
    highest = MAX_DAYS if wanted == "days" else MAX_COUNT
    if number is None or not 1 <= number <= highest:
        problems.append(
            Problem(Code.INVALID, f"{wanted} must be between 1 and {highest}", (*at, wanted))
        )
        return None
    return SegmentCondition(given.criterion, number=number)


def conditions_of(
    given: Sequence[ConditionInput | None], field: str, problems: list[Problem]
) -> tuple[SegmentCondition, ...]:
    """Every condition normalised; at least one, at most ``MAX_CONDITIONS``. A None is
    one whose decoding already reported its problem."""
    if not given:
        problems.append(Problem(Code.BLANK, "A segment needs at least one condition", (field,)))
    if len(given) > MAX_CONDITIONS:
        problems.append(
            Problem(Code.INVALID, f"A segment has at most {MAX_CONDITIONS} conditions", (field,))
        )
        return ()
    found = [
        None if c is None else condition_of(c, (field, str(i)), problems)
        for i, c in enumerate(given)
    ]
    return tuple(c for c in found if c is not None)
