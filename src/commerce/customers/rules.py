"""Validation of profile input: pure functions that list every problem at once.

Email and password rules are identity's (``commerce.customers.identity.rules``).
"""

from __future__ import annotations

from zoneinfo import available_timezones

from commerce import contact
from commerce.countries import COUNTRY_CODES
from commerce.customers.errors import CustomerErrorCode as Code
from commerce.customers.model import (
    MAX_TAG_LENGTH,
    MAX_TAGS,
    AddressFields,
    Birthday,
    Demographics,
)
from commerce.problems import Problem

MAX_NAME_LENGTH = 100
OLDEST_BIRTH_YEAR = 1900


# Re-exported: services normalise what they validate here.
normalized_phone = contact.normalized_phone


def check_name(value: str, field: tuple[str, ...]) -> list[Problem]:
    """Names are optional and at most 100 characters."""
    if len(value) > MAX_NAME_LENGTH:
        return [Problem(Code.TOO_LONG, f"At most {MAX_NAME_LENGTH} characters", field)]
    return []


def check_phone(phone: str | None, field: tuple[str, ...]) -> list[Problem]:
    """E.164: a plus, a country code, at most 15 digits in all."""
    if phone is not None and not contact.is_phone(phone):
        return [Problem(Code.INVALID, contact.PHONE_FORMAT_MESSAGE, field)]
    return []


def check_time_zone(zone: str | None, field: tuple[str, ...]) -> list[Problem]:
    """An IANA zone name ("Europe/Paris"); blank (removing it) is fine."""
    if zone is None or not zone.strip() or zone.strip() in available_timezones():
        return []
    return [Problem(Code.INVALID, "Not an IANA time zone name, e.g. Europe/Paris", field)]


def check_demographics(
    demographics: Demographics, this_year: int, field: tuple[str, ...]
) -> list[Problem]:
    """Country is ISO 3166-1 alpha-2; the birth year is a year someone alive was born in."""
    problems: list[Problem] = []
    if demographics.country is not None and demographics.country not in COUNTRY_CODES:
        problems.append(
            Problem(
                Code.INVALID,
                contact.COUNTRY_CODE_MESSAGE,
                (*field, "country"),
            )
        )
    year = demographics.birth_year
    if year is not None and not OLDEST_BIRTH_YEAR <= year <= this_year:
        problems.append(
            Problem(
                Code.INVALID,
                f"Birth year must be between {OLDEST_BIRTH_YEAR} and {this_year}",
                (*field, "birthYear"),
            )
        )
    return problems


# Days in each month of a leap year: 29 February is a birthday like any other.
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def check_birthday(birthday: Birthday, field: tuple[str, ...]) -> list[Problem]:
    """A month 1 to 12 and a day that month has in a leap year (no 30 February)."""
    if not 1 <= birthday.month <= 12:
        return [Problem(Code.INVALID, "The month must be 1 to 12", (*field, "month"))]
    last = _MONTH_DAYS[birthday.month - 1]
    if not 1 <= birthday.day <= last:
        return [
            Problem(
                Code.INVALID,
                f"Month {birthday.month} has days 1 to {last}",
                (*field, "day"),
            )
        ]
    return []


def check_address(address: AddressFields, field: tuple[str, ...]) -> list[Problem]:
    """Street, city and country are required; the country is ISO 3166-1 alpha-2."""
    texts = {
        "firstName": address.first_name,
        "lastName": address.last_name,
        "address1": address.address1,
        "address2": address.address2,
        "city": address.city,
        "province": address.province,
        "zip": address.zip,
    }
    problems = contact.postal_address_problems(
        texts,
        address.country_code,
        field,
        blank=Code.BLANK,
        too_long=Code.TOO_LONG,
        invalid=Code.INVALID,
    )
    problems += check_phone(address.phone, (*field, "phone"))
    return problems


def normalize_tags(texts: list[str], field: str, problems: list[Problem]) -> frozenset[str]:
    """Tags as stored and matched: trimmed, lower-cased; each bad one is a problem.

    Letters, digits, spaces and ``-_.:`` only, at most ``MAX_TAG_LENGTH`` characters, so
    a tag reads the same in the admin, in a promotion's conditions and in reports.
    """
    found: set[str] = set()
    for i, text in enumerate(texts):
        tag = " ".join(text.split()).casefold()
        where = (field, str(i))
        if not tag:
            problems.append(Problem(Code.BLANK, "A tag cannot be blank", where))
        elif len(tag) > MAX_TAG_LENGTH:
            problems.append(
                Problem(Code.TOO_LONG, f"Tags have at most {MAX_TAG_LENGTH} characters", where)
            )
        elif not all(ch.isalnum() or ch in " -_.:" for ch in tag):
            problems.append(
                Problem(Code.INVALID, "Tags hold letters, digits, spaces and -_.: only", where)
            )
        else:
            found.add(tag)
    return frozenset(found)


def check_tag_count(tags: frozenset[str], field: str) -> list[Problem]:
    """A customer carries at most ``MAX_TAGS`` tags."""
    if len(tags) > MAX_TAGS:
        return [Problem(Code.TOO_MANY_TAGS, f"A customer has at most {MAX_TAGS} tags", (field,))]
    return []
