"""Builders for customer e2e tests: accounts, log-ins, and calls with a bearer token.

Named ``customers_helpers`` because test folders are not packages.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.testclient import TestClient

from commerce.notifications.model import Notification
from commerce.notifications.service import NotificationsService

PASSWORD = "correct horse battery staple"
# The customers service in these tests signs with this, so tests can forge tokens.
JWT_SECRET = "test-jwt-secret-of-at-least-32-bytes!"
USER_ERRORS = "userErrors { field code message }"
SESSION = "session { accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt }"
AUTH_PAYLOAD = f"customer {{ id email }} {SESSION} {USER_ERRORS} retryAfterSeconds"

_serial = itertools.count(1)


class Clock:
    """A clock that stands still until told to move (starts at the real time)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class RecordingOutbox:
    """The real outbox, remembering what went through it so a test can read the code."""

    def __init__(self, real: NotificationsService) -> None:
        self.real = real
        self.sent: list[Notification] = []

    def enqueue(self, notification: Notification) -> None:
        self.real.enqueue(notification)
        self.sent.append(notification)


def call(
    client: TestClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    api_key: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """POST an operation as a client would, with a bearer token or an API key."""
    sent = dict(headers or {})
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    if api_key is not None:
        sent["X-API-Key"] = api_key
    response = client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=sent
    )
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def unique_email(name: str = "reader") -> str:
    return f"{name}{next(_serial)}@example.com"


SIGN_UP = f"""
mutation ($input: CustomerSignUpInput!) {{ customerSignUp(input: $input) {{ {AUTH_PAYLOAD} }} }}
"""
LOG_IN = f"""
mutation ($input: CustomerLogInInput!) {{ customerLogIn(input: $input) {{ {AUTH_PAYLOAD} }} }}
"""
REFRESH = f"""
mutation ($input: CustomerRefreshTokenInput!) {{
  customerTokenRefresh(input: $input) {{ {SESSION} {USER_ERRORS} }}
}}
"""
ME = "{ customer { id email firstName lastName phone } }"


def sign_up(
    client: TestClient, email: str | None = None, password: str = PASSWORD, **extra: Any
) -> dict[str, Any]:
    """Open an account; the payload (customer, session, userErrors)."""
    payload = {"email": email or unique_email(), "password": password, **extra}
    body = call(client, SIGN_UP, {"input": payload})
    result: dict[str, Any] = body["data"]["customerSignUp"]
    return result


def signed_up(client: TestClient, email: str | None = None, **extra: Any) -> dict[str, Any]:
    """A new account that surely worked: its customer and session."""
    result = sign_up(client, email, **extra)
    assert result["userErrors"] == [], result
    return result


def log_in(
    client: TestClient, email: str, password: str = PASSWORD, **extra: Any
) -> dict[str, Any]:
    body = call(client, LOG_IN, {"input": {"email": email, "password": password, **extra}})
    result: dict[str, Any] = body["data"]["customerLogIn"]
    return result


def refresh(client: TestClient, refresh_token: str) -> dict[str, Any]:
    body = call(client, REFRESH, {"input": {"refreshToken": refresh_token}})
    result: dict[str, Any] = body["data"]["customerTokenRefresh"]
    return result


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]
