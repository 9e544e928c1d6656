"""Customer input rules: passwords per NIST 800-63B, emails, demographics."""

from __future__ import annotations

import pytest

from commerce.customers.errors import CustomerErrorCode as Code
from commerce.customers.identity.rules import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    check_email,
    check_password,
    normalized_email,
)
from commerce.customers.model import Demographics
from commerce.customers.rules import check_demographics
from commerce.settings import Secret, Settings, SettingsError


def _codes(problems: list) -> list[Code]:  # type: ignore[type-arg]
    return [p.code for p in problems]


def test_length_is_counted_in_characters_not_bytes() -> None:
    # eight characters, sixteen bytes in UTF-8
    assert check_password("éééééééé", ("password",)) == []
    assert _codes(check_password("ééééééé", ("password",))) == [Code.TOO_SHORT]


def test_no_composition_rules_apply() -> None:
    for password in ("aaaabbbbcccc", "ALL CAPS WITH SPACES", "12 3 45 67 89 0"):
        assert check_password(password, ("password",)) == []


def test_length_bounds() -> None:
    assert check_password("x" * MAX_PASSWORD_LENGTH, ()) == []
    assert _codes(check_password("x" * (MAX_PASSWORD_LENGTH + 1), ())) == [Code.TOO_LONG]
    assert _codes(check_password("x" * (MIN_PASSWORD_LENGTH - 1), ())) == [Code.TOO_SHORT]


def test_the_email_itself_is_not_a_password() -> None:
    assert _codes(check_password("ann@example.org", (), "Ann@Example.org")) == [
        Code.PASSWORD_TOO_COMMON
    ]


def test_emails_are_compared_lower_cased_and_trimmed() -> None:
    assert normalized_email("  Ann.Reader@Example.COM ") == "ann.reader@example.com"


@pytest.mark.parametrize("email", ["", "no-at-sign", "two@@example.com", "a b@example.com"])
def test_implausible_emails_are_refused(email: str) -> None:
    assert check_email(email, ("email",))


def test_demographics_are_validated_against_this_year() -> None:
    problems = check_demographics(Demographics("ZZ", 2031), 2030, ("demographics",))
    assert [p.field for p in problems] == [
        ("demographics", "country"),
        ("demographics", "birthYear"),
    ]
    assert check_demographics(Demographics("US", 2030), 2030, ()) == []


def test_the_jwt_secret_is_read_from_the_environment_and_never_shown() -> None:
    secret = "s" * 40
    settings = Settings.from_env({"COMMERCE_JWT_SECRET": secret})
    assert settings.jwt_secret == Secret(secret)
    assert secret not in repr(settings)


def test_a_short_jwt_secret_is_refused_at_start_up() -> None:
    with pytest.raises(SettingsError, match="COMMERCE_JWT_SECRET must be at least 32 bytes"):
        Settings.from_env({"COMMERCE_JWT_SECRET": "short"})
