"""How to reach someone: email, phone and postal address checks shared by every context.

Carts (a guest's buyer identity and shipping address) and customer accounts (profile and
address book) accept the same shapes, so a value valid in one is valid in the other. Each
context reports problems with its own error codes, passed in.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping

from commerce.countries import COUNTRY_CODES
from commerce.problems import Problem

MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path
MAX_ADDRESS_TEXT_LENGTH = 255
# Deliberately loose: one @, no spaces, a dot in the domain. Only a sent message proves
# an address; a strict pattern refuses real ones.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# E.164: a plus, a country code that does not start with 0, at most 15 digits in all.
_PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
PHONE_FORMAT_MESSAGE = "Not a valid phone number: give it in international form, e.g. +441632960961"
COUNTRY_CODE_MESSAGE = "Not an ISO 3166-1 alpha-2 country code, e.g. GB or US"
# Street and city are what a carrier cannot do without.
_REQUIRED_ADDRESS_FIELDS = ("address1", "city")


def is_email(value: str) -> bool:
    """Whether ``value`` is a plausible email address of at most 254 characters."""
    return len(value) <= MAX_EMAIL_LENGTH and _EMAIL.match(value) is not None


def is_phone(value: str) -> bool:
    """Whether ``value`` is an E.164 number (normalise it first)."""
    return _PHONE.match(value) is not None


def normalized_phone(phone: str | None) -> str | None:
    """The number without spaces, dashes, dots or brackets; None when blank."""
    compact = _PHONE_SEPARATORS.sub("", phone or "")
    return compact or None


def postal_address_problems(
    texts: Mapping[str, str],
    country_code: str,
    field: tuple[str, ...],
    *,
    blank: enum.Enum,
    too_long: enum.Enum,
    invalid: enum.Enum,
) -> list[Problem]:
    """Street and city given, no text over 255 characters, an ISO 3166-1 alpha-2 country.

    ``texts`` maps each text field's API name (``address1``, ``city``...) to its value.
    """
    problems = [
        Problem(blank, f"{name} can't be blank", (*field, name))
        for name in _REQUIRED_ADDRESS_FIELDS
        if not texts.get(name, "").strip()
    ]
    problems += [
        Problem(too_long, f"{name} is longer than {MAX_ADDRESS_TEXT_LENGTH}", (*field, name))
        for name, value in texts.items()
        if len(value) > MAX_ADDRESS_TEXT_LENGTH
    ]
    if country_code not in COUNTRY_CODES:
        problems.append(Problem(invalid, COUNTRY_CODE_MESSAGE, (*field, "countryCode")))
    return problems
