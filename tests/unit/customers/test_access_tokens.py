"""Access tokens: what verifies, and each way a token is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from commerce.customers.identity.tokens import (
    ACCESS_TOKEN_LIFETIME,
    AUDIENCE,
    ISSUER,
    LEEWAY,
    AccessTokens,
    InvalidAccessToken,
)

SECRET = "unit-test-secret-" + "x" * 48  # 64 bytes: long enough for HS512 too
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_a_fresh_token_names_its_customer() -> None:
    tokens = AccessTokens(SECRET)
    token, expires = tokens.issue("cust-1", NOW)

    claims = tokens.verify(token, NOW)

    assert claims.customer_id == "cust-1"
    assert expires == NOW + ACCESS_TOKEN_LIFETIME
    assert claims.expires_at == expires


def test_a_token_is_accepted_within_the_clock_skew_leeway_and_refused_after() -> None:
    tokens = AccessTokens(SECRET)
    token, expires = tokens.issue("cust-1", NOW)

    tokens.verify(token, expires + LEEWAY - timedelta(seconds=1))
    with pytest.raises(InvalidAccessToken, match="expired"):
        tokens.verify(token, expires + LEEWAY)


def test_a_token_issued_in_the_future_is_refused() -> None:
    tokens = AccessTokens(SECRET)
    token, _ = tokens.issue("cust-1", NOW + timedelta(minutes=5))

    with pytest.raises(InvalidAccessToken, match="future"):
        tokens.verify(token, NOW)


@pytest.mark.parametrize("missing", ["iss", "aud", "sub", "iat", "exp", "jti"])
def test_a_token_missing_a_required_claim_is_refused(missing: str) -> None:
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "cust-1",
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + ACCESS_TOKEN_LIFETIME).timestamp()),
        "jti": "x",
    }
    del claims[missing]
    token = jwt.encode(claims, SECRET, algorithm="HS256")

    with pytest.raises(InvalidAccessToken):
        AccessTokens(SECRET).verify(token, NOW)


def test_a_token_of_another_issuer_or_algorithm_is_refused() -> None:
    base = {
        "aud": AUDIENCE,
        "sub": "cust-1",
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + ACCESS_TOKEN_LIFETIME).timestamp()),
        "jti": "x",
    }
    other_issuer = jwt.encode({**base, "iss": "someone-else"}, SECRET, algorithm="HS256")
    other_algorithm = jwt.encode({**base, "iss": ISSUER}, SECRET, algorithm="HS512")

    for token in (other_issuer, other_algorithm, "not.a.token", ""):
        with pytest.raises(InvalidAccessToken):
            AccessTokens(SECRET).verify(token, NOW)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        AccessTokens("too short")
