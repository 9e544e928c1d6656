"""Sign-up and log-in input rules: pure functions that list every problem at once.

Passwords follow NIST SP 800-63B (section 3.1.1.2 of revision 4, 5.1.1.2 of revision 3):
a minimum length, a generous maximum, every printable character and space allowed, no
composition rules ("one digit, one symbol"), and a check against commonly used passwords.
"""

from __future__ import annotations

import unicodedata

from commerce import contact
from commerce.customers.errors import CustomerErrorCode as Code
from commerce.problems import Problem

# 800-63B: at least 8 characters (15 when a password is the only factor under rev. 4;
# 8 keeps sign-up usable for a shop, and the blocklist below removes the weak ones).
MIN_PASSWORD_LENGTH = 8
# 800-63B asks verifiers to accept at least 64; the cap bounds hashing work per request.
MAX_PASSWORD_LENGTH = 128
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
