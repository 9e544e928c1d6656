"""Validation of cart input: pure functions that list every problem at once."""

from __future__ import annotations

import re
from collections.abc import Sequence

from commerce.cart.errors import CartErrorCode as Code
from commerce.cart.model import MAX_LINES, MAX_QUANTITY, Address, BuyerIdentity, CartLine
from commerce.countries import COUNTRY_CODES
from commerce.problems import Problem

MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path
MAX_TEXT_LENGTH = 255
# Deliberately loose: one @, no spaces, a dot in the domain. Only a sent message proves
# an address; a strict pattern refuses real ones.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# E.164: a plus, a country code that does not start with 0, at most 15 digits in all.
_PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def check_added_quantity(quantity: int, field: tuple[str, ...]) -> list[Problem]:
    """Adding takes at least one unit and at most ``MAX_QUANTITY``."""
    if quantity <= 0:
        return [Problem(Code.INVALID_QUANTITY, "Quantity must be at least 1", field)]
    if quantity > MAX_QUANTITY:
        return [Problem(Code.TOO_LARGE, f"At most {MAX_QUANTITY} of one item", field)]
    return []


def check_new_quantity(quantity: int, field: tuple[str, ...]) -> list[Problem]:
    """A line's new quantity is 0 (remove it) to ``MAX_QUANTITY``."""
    if quantity < 0:
        return [Problem(Code.INVALID_QUANTITY, "Quantity can't be negative", field)]
    if quantity > MAX_QUANTITY:
        return [Problem(Code.TOO_LARGE, f"At most {MAX_QUANTITY} of one item", field)]
    return []


def check_line_count(lines: Sequence[CartLine], field: tuple[str, ...]) -> list[Problem]:
    """A cart holds at most ``MAX_LINES`` lines: what one checkout transaction can hold."""
    if len(lines) > MAX_LINES:
        return [
            Problem(
                Code.TOO_MANY_LINES,
                f"A cart holds at most {MAX_LINES} different items",
                field,
            )
        ]
    return []


def normalized_email(email: str | None) -> str | None:
    """The address without surrounding spaces; None when blank."""
    stripped = (email or "").strip()
    return stripped or None


def normalized_phone(phone: str | None) -> str | None:
    """The number without spaces, dashes, dots or brackets; None when blank."""
    compact = _PHONE_SEPARATORS.sub("", phone or "")
    return compact or None


def check_buyer_identity(identity: BuyerIdentity, field: tuple[str, ...]) -> list[Problem]:
    """Email and phone are well formed; marketing needs a way to reach the buyer."""
    problems: list[Problem] = []
    email, phone = identity.email, identity.phone
    if email is not None and (len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email)):
        problems.append(Problem(Code.INVALID, "Not a valid email address", (*field, "email")))
    if phone is not None and not _PHONE.match(phone):
        problems.append(
            Problem(
                Code.INVALID,
                "Not a valid phone number: give it in international form, e.g. +441632960961",
                (*field, "phone"),
            )
        )
    consent = (*field, "marketingConsent")
    if identity.accepts_email_marketing and email is None:
        problems.append(
            Problem(Code.INVALID, "Email marketing needs an email address", (*consent, "email"))
        )
    if identity.accepts_sms_marketing and phone is None:
        problems.append(
            Problem(Code.INVALID, "SMS marketing needs a phone number", (*consent, "sms"))
        )
    return problems


def check_address(address: Address, field: tuple[str, ...]) -> list[Problem]:
    """Street, city and country are required; the country is an ISO 3166-1 alpha-2 code."""
    problems: list[Problem] = []
    texts = {
        "firstName": address.first_name,
        "lastName": address.last_name,
        "address1": address.address1,
        "address2": address.address2,
        "city": address.city,
        "province": address.province,
        "zip": address.zip,
    }
    for name in ("address1", "city"):
        if not texts[name].strip():
            problems.append(Problem(Code.BLANK, f"{name} can't be blank", (*field, name)))
    for name, value in texts.items():
        if len(value) > MAX_TEXT_LENGTH:
            problems.append(
                Problem(Code.TOO_LONG, f"{name} is longer than {MAX_TEXT_LENGTH}", (*field, name))
            )
    if address.country_code not in COUNTRY_CODES:
        problems.append(
            Problem(
                Code.INVALID,
                "Not an ISO 3166-1 alpha-2 country code, e.g. GB or US",
                (*field, "countryCode"),
            )
        )
    return problems
