"""Sessions: a log-in hands out a 15-minute JWT access token and an opaque refresh token.

Each refresh rotates the refresh token; the old one is marked used, and presenting a
used one again (a stolen copy replayed, or the legitimate client after the thief) ends
the whole session, so a leaked refresh token works at most until its first reuse.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from commerce.customers.errors import CustomerErrorCode as Code
from commerce.customers.identity.commands import LogOut, RefreshTokens
from commerce.customers.identity.errors import rejected
from commerce.customers.identity.model import RefreshRecord, Session, TokenPair
from commerce.customers.identity.store import sessions as store
from commerce.customers.identity.tokens import (
    REFRESH_TOKEN_LIFETIME,
    AccessTokens,
    InvalidAccessToken,
    digest_of,
    new_refresh_token,
)
from commerce.customers.model import Customer
from commerce.ids import new_id
from commerce.principals import Principal, PrincipalKind, Scope
from commerce.problems import Rejected

CUSTOMER_SCOPES = frozenset({Scope.STOREFRONT_READ, Scope.CHECKOUT})


def _reused() -> Rejected:
    return rejected(
        Code.REFRESH_TOKEN_REUSED,
        "This refresh token was already used; the session is ended for safety: log in again",
        "refreshToken",
    )


class Sessions:
    """Issues, rotates and ends customers' sessions; verifies their access tokens."""

    def __init__(self, jwt_secret: str | None, clock: Callable[[], datetime]) -> None:
        self._tokens = None if jwt_secret is None else AccessTokens(jwt_secret)
        self._clock = clock

    def authenticate(self, bearer: str) -> Principal:
        """The principal of an ``Authorization: Bearer`` access token.

        ``InvalidAccessToken`` for anything but a genuine current token; no database call.
        """
        if self._tokens is None:
            raise InvalidAccessToken("Customer log-in is not configured on this server")
        claims = self._tokens.verify(bearer.strip(), self._clock())
        return Principal(PrincipalKind.CUSTOMER, claims.customer_id, CUSTOMER_SCOPES)

    def open(self, customer: Customer) -> Session:
        """A new session (refresh-token family) for a customer who just proved who they are."""
        now = self._clock()
        access, access_expires = self._access_tokens().issue(customer.id, now)
        plaintext = new_refresh_token()
        first = RefreshRecord(
            digest=digest_of(plaintext),
            customer_id=customer.id,
            family_id=new_id(),
            expires_at=now + REFRESH_TOKEN_LIFETIME,
            used_at=None,
        )
        store.start_session(first, now)
        return Session(customer, TokenPair(access, access_expires, plaintext, first.expires_at))

    def refresh(self, command: RefreshTokens) -> TokenPair:
        """Rotate a refresh token: new access and refresh tokens, the old one spent."""
        now = self._clock()
        invalid = rejected(
            Code.INVALID_REFRESH_TOKEN,
            "Refresh token is invalid or expired: log in again",
            "refreshToken",
        )
        found = store.get_refresh(digest_of(command.refresh_token.strip()))
        if found is None or found.expires_at <= now:
            raise invalid
        if found.used_at is not None:
            store.revoke_session(found.customer_id, found.family_id, now)
            raise _reused()
        plaintext = new_refresh_token()
        successor = RefreshRecord(
            digest=digest_of(plaintext),
            customer_id=found.customer_id,
            family_id=found.family_id,
            expires_at=now + REFRESH_TOKEN_LIFETIME,
            used_at=None,
        )
        if not store.rotate(found, successor, now):
            # Used by someone else in the meantime, or the session was ended: either way
            # this token is no longer good, and a race with a replay ends the session.
            if store.session_active(found.customer_id, found.family_id):
                store.revoke_session(found.customer_id, found.family_id, now)
                raise _reused()
            raise invalid
        access, access_expires = self._access_tokens().issue(found.customer_id, now)
        return TokenPair(access, access_expires, plaintext, successor.expires_at)

    def log_out(self, command: LogOut) -> None:
        """End the session of this refresh token (any token of the session will do)."""
        found = store.get_refresh(digest_of(command.refresh_token.strip()))
        if found is not None:
            store.revoke_session(found.customer_id, found.family_id, self._clock())

    def end_all(self, customer_id: str) -> None:
        """End every session of a customer (after a password change or reset)."""
        store.revoke_all_sessions(customer_id, self._clock())

    def _access_tokens(self) -> AccessTokens:
        if self._tokens is None:
            raise RuntimeError("customer accounts need COMMERCE_JWT_SECRET")
        return self._tokens
