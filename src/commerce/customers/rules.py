"""Validation of customer input: pure functions that list every problem at once.

Passwords follow NIST SP 800-63B (section 3.1.1.2 of revision 4, 5.1.1.2 of revision 3):
a minimum length, a generous maximum, every printable character and space allowed, no
composition rules ("one digit, one symbol"), and a check against commonly used passwords.
"""

from __future__ import annotations

import unicodedata

from commerce import contact
from commerce.countries import COUNTRY_CODES
from commerce.customers.errors import CustomerErrorCode as Code
from commerce.customers.model import (
    MAX_TAG_LENGTH,
    MAX_TAGS,
    AddressFields,
    Demographics,
)
from commerce.problems import Problem

MAX_NAME_LENGTH = 100
# 800-63B: at least 8 characters (15 when a password is the only factor under rev. 4;
# 8 keeps sign-up usable for a shop, and the blocklist below removes the weak ones).
MIN_PASSWORD_LENGTH = 8
# 800-63B asks verifiers to accept at least 64; the cap bounds hashing work per request.
MAX_PASSWORD_LENGTH = 128
OLDEST_BIRTH_YEAR = 1900

# The most used passwords of 8+ characters in public breach corpora; 800-63B asks for
# such a blocklist. Compared case-insensitively.
COMMON_PASSWORDS = frozenset(
    [
        "12345678",
        "123456789",
        "1234567890",
        "12345678910",
        "password",
        "password1",
        "password12",
        "password123",
        "passw0rd",
        "qwertyuiop",
        "qwerty123",
        "qwerty1234",
        "1q2w3e4r",
        "1q2w3e4r5t",
        "1qaz2wsx",
        "zaq12wsx",
        "iloveyou",
        "iloveyou1",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "welcome1",
        "welcome123",
        "abc12345",
        "abcd1234",
        "11111111",
        "00000000",
        "88888888",
        "87654321",
        "123123123",
        "987654321",
        "superman",
        "trustno1",
        "letmein1",
        "starwars",
        "dragon123",
        "monkey123",
        "master123",
        "whatever",
        "computer",
        "internet",
        "michael1",
        "jennifer",
        "charlie1",
        "shadow12",
        "changeme",
        "changeme1",
        "administrator",
        "admin123",
        "p@ssw0rd",
    ]
)


# Re-exported: services normalise what they validate here.
normalized_phone = contact.normalized_phone


def normalized_email(email: str) -> str:
    """The form that makes two spellings of one address the same account.

    Lower-cased whole: the local part is case-sensitive in theory, never in practice, and
    two accounts for ``Ann@x.org`` and ``ann@x.org`` would be one person's confusion.
    """
    return unicodedata.normalize("NFKC", email).strip().lower()


def normalized_password(password: str) -> str:
    """NFKC, as 800-63B recommends, so one password typed on two keyboards hashes alike."""
    return unicodedata.normalize("NFKC", password)


def check_email(email: str, field: tuple[str, ...]) -> list[Problem]:
    """A plausible address: one @, no spaces, a dot in the domain, at most 254 characters."""
    if not email:
        return [Problem(Code.BLANK, "Email can't be blank", field)]
    if len(email) > contact.MAX_EMAIL_LENGTH:
        return [Problem(Code.TOO_LONG, f"Email is longer than {contact.MAX_EMAIL_LENGTH}", field)]
    if not contact.is_email(email):
        return [Problem(Code.INVALID, "Not a valid email address", field)]
    return []


def check_password(password: str, field: tuple[str, ...], email: str = "") -> list[Problem]:
    """Length bounds in characters, and not a commonly used password or the email itself."""
    length = len(normalized_password(password))
    if length < MIN_PASSWORD_LENGTH:
        return [
            Problem(
                Code.TOO_SHORT,
                f"Password must be at least {MIN_PASSWORD_LENGTH} characters",
                field,
            )
        ]
    if length > MAX_PASSWORD_LENGTH:
        return [
            Problem(
                Code.TOO_LONG, f"Password must be at most {MAX_PASSWORD_LENGTH} characters", field
            )
        ]
    lowered = normalized_password(password).lower()
    if lowered in COMMON_PASSWORDS or (email and lowered == normalized_email(email)):
        return [
            Problem(
                Code.PASSWORD_TOO_COMMON,
                "This password is too easy to guess; a few unrelated words make a strong one",
                field,
            )
        ]
    return []


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
