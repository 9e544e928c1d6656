"""Customer access tokens: short-lived JWTs signed with HS256, and opaque refresh tokens.

An access token is checked on every request without a database call: its signature, the
algorithm (HS256 only, so ``alg: none`` and key-confusion tricks fail), issuer, audience,
and its ``exp``/``iat`` against this module's clock with a small leeway for clock skew
between instances. Being stateless, it cannot be revoked: it lives 15 minutes, and
logging out or changing the password revokes the refresh token that would renew it.

Refresh tokens are 256 random bits, stored only as a SHA-256 digest (as API keys are:
a slow hash buys nothing for a secret that cannot be guessed).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import ModuleType

ALGORITHM = "HS256"
ISSUER = "commerce"
AUDIENCE = "commerce:storefront"
ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)
REFRESH_TOKEN_LIFETIME = timedelta(days=30)
# Lambda instances' clocks agree to milliseconds; 30 s also covers a laptop's drift.
LEEWAY = timedelta(seconds=30)
REFRESH_PREFIX = "rt_"
# RFC 7518 section 3.2: an HS256 key is at least as long as the hash output.
MIN_SECRET_BYTES = 32


class InvalidAccessToken(Exception):
    """A bearer token that is malformed, forged, for someone else, or expired."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a verified access token says."""

    customer_id: str
    token_id: str
    issued_at: datetime
    expires_at: datetime


class AccessTokens:
    """Signs and verifies access tokens with one secret."""

    def __init__(self, secret: str) -> None:
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"the JWT secret must be at least {MIN_SECRET_BYTES} bytes")
        self._secret = secret

    def issue(self, customer_id: str, now: datetime) -> tuple[str, datetime]:
        """A signed token for ``customer_id`` and when it expires."""
        issued = now.replace(microsecond=0)
        expires = issued + ACCESS_TOKEN_LIFETIME
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": customer_id,
            "iat": int(issued.timestamp()),
            "exp": int(expires.timestamp()),
            "jti": secrets.token_urlsafe(16),
        }
        return _jwt().encode(claims, self._secret, algorithm=ALGORITHM), expires

    def verify(self, token: str, now: datetime) -> AccessClaims:
        """The claims of a genuine, current token; ``InvalidAccessToken`` otherwise."""
        jwt = _jwt()
        try:
            # PyJWT checks signature, algorithm, issuer and audience; times are checked
            # below against the injected clock, which tests move.
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={
                    "require": ["iss", "aud", "sub", "iat", "exp", "jti"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.InvalidTokenError:
            raise InvalidAccessToken("Invalid access token") from None
        subject, token_id = claims.get("sub"), claims.get("jti")
        issued_raw, expires_raw = claims.get("iat"), claims.get("exp")
        if not (
            isinstance(subject, str)
            and subject
            and isinstance(token_id, str)
            and isinstance(issued_raw, int)
            and isinstance(expires_raw, int)
        ):
            raise InvalidAccessToken("Invalid access token")
        try:
            issued = datetime.fromtimestamp(issued_raw, UTC)
            expires = datetime.fromtimestamp(expires_raw, UTC)
        except (OverflowError, OSError, ValueError):
            # Beyond the years a datetime holds: no token this service issued.
            raise InvalidAccessToken("Invalid access token") from None
        if issued > now + LEEWAY:
            raise InvalidAccessToken("Invalid access token: issued in the future")
        if now >= expires + LEEWAY:
            raise InvalidAccessToken(
                "Access token expired: get a new one with customerTokenRefresh"
            )
        return AccessClaims(subject, token_id, issued, expires)


def new_refresh_token() -> str:
    """A fresh opaque refresh token (shown to the client once)."""
    return REFRESH_PREFIX + secrets.token_urlsafe(32)


def new_reset_token() -> str:
    """A password reset code, sent by email; 256 random bits like a refresh token."""
    return secrets.token_urlsafe(32)


def digest_of(token: str) -> str:
    """The stored form of a refresh or reset token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _jwt() -> ModuleType:
    """PyJWT, imported when a token is first issued or checked: with ``cryptography``
    it is ~40 ms of a cold start that anonymous storefront traffic never needs."""
    import jwt

    return jwt
