"""Access tokens, refresh rotation, log-out, throttling and password reset: each refusal
with the exact error a client sees."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest
from customers_helpers import (
    JWT_SECRET,
    ME,
    PASSWORD,
    USER_ERRORS,
    Clock,
    RecordingOutbox,
    call,
    codes,
    log_in,
    refresh,
    signed_up,
    unique_email,
)
from starlette.testclient import TestClient

from commerce.composition import Services
from commerce.customers.identity.throttle import ACCOUNT_MAX_FAILURES, ADDRESS_MAX_FAILURES
from commerce.graphql.ids import parse_global_id
from commerce.notifications import store as outbox_store
from commerce.notifications.model import TemplateName


def _refused(body: dict[str, Any]) -> tuple[str, str]:
    [error] = body["errors"]
    return error["extensions"]["code"], error["message"]


def _segment(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


# -- access tokens -------------------------------------------------------------------------


def test_an_access_token_works_for_15_minutes_then_answers_unauthenticated(
    client: TestClient, clock: Clock
) -> None:
    # given
    token = signed_up(client)["session"]["accessToken"]
    clock.advance(14 * 60)
    assert call(client, ME, token=token)["data"]["customer"] is not None

    # when
    clock.advance(2 * 60)  # 16 minutes, past the 30 s leeway
    response = client.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
    )

    # then
    assert response.status_code == 401
    assert _refused(response.json()) == (
        "UNAUTHENTICATED",
        "Access token expired: get a new one with customerTokenRefresh",
    )
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


def test_a_token_with_a_changed_payload_is_refused(client: TestClient) -> None:
    # given
    first = signed_up(client)
    other = signed_up(client)
    header, _, signature = first["session"]["accessToken"].split(".")
    claims = jwt.decode(first["session"]["accessToken"], options={"verify_signature": False})
    parsed = parse_global_id(other["customer"]["id"])
    assert parsed is not None
    claims["sub"] = parsed[1]
    forged = f"{header}.{_segment(claims)}.{signature}"

    # when
    body = call(client, ME, token=forged, status=401)

    # then
    assert _refused(body) == ("UNAUTHENTICATED", "Invalid access token")


def test_a_token_signed_with_another_key_is_refused(client: TestClient) -> None:
    # given
    real = signed_up(client)["session"]["accessToken"]
    claims = jwt.decode(real, options={"verify_signature": False})
    forged = jwt.encode(claims, "some-other-secret-that-is-32-bytes-long", algorithm="HS256")

    # when
    body = call(client, ME, token=forged, status=401)

    # then
    assert _refused(body) == ("UNAUTHENTICATED", "Invalid access token")


def test_an_unsigned_alg_none_token_is_refused(client: TestClient) -> None:
    # given
    real = signed_up(client)["session"]["accessToken"]
    claims = jwt.decode(real, options={"verify_signature": False})
    unsigned = f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(claims)}."

    # when
    body = call(client, ME, token=unsigned, status=401)

    # then
    assert _refused(body) == ("UNAUTHENTICATED", "Invalid access token")


def test_a_token_for_another_audience_is_refused(client: TestClient) -> None:
    # given
    real = signed_up(client)["session"]["accessToken"]
    claims = jwt.decode(real, options={"verify_signature": False})
    claims["aud"] = "some-other-api"
    forged = jwt.encode(claims, JWT_SECRET, algorithm="HS256")

    # when
    body = call(client, ME, token=forged, status=401)

    # then
    assert _refused(body) == ("UNAUTHENTICATED", "Invalid access token")


def test_a_malformed_authorization_header_is_refused_not_ignored(client: TestClient) -> None:
    # when
    response = client.post(
        "/graphql", json={"query": ME}, headers={"Authorization": "Basic dXNlcjpwYXNz"}
    )

    # then
    assert response.status_code == 401
    assert _refused(response.json()) == (
        "UNAUTHENTICATED",
        "The Authorization header must read 'Bearer <access token>'",
    )


def test_a_bearer_token_and_an_api_key_together_are_refused(
    client: TestClient, admin_key: str
) -> None:
    # given
    token = signed_up(client)["session"]["accessToken"]

    # when
    body = call(client, ME, token=token, api_key=admin_key, status=400)

    # then
    assert _refused(body) == (
        "BAD_REQUEST",
        "Send either an X-API-Key or an Authorization bearer token, not both",
    )


def test_without_a_token_the_customer_query_answers_unauthenticated(client: TestClient) -> None:
    # when
    body = call(client, ME)

    # then
    assert body["data"] == {"customer": None}
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# -- refresh tokens ------------------------------------------------------------------------


def test_a_refresh_gives_new_tokens_and_the_old_refresh_token_is_spent(
    client: TestClient, clock: Clock
) -> None:
    # given
    session = signed_up(client)["session"]
    clock.advance(20 * 60)  # the access token has expired

    # when
    renewed = refresh(client, session["refreshToken"])

    # then
    assert renewed["userErrors"] == []
    assert renewed["session"]["refreshToken"] != session["refreshToken"]
    assert call(client, ME, token=renewed["session"]["accessToken"])["data"]["customer"]


def test_reusing_a_rotated_refresh_token_ends_the_whole_session(client: TestClient) -> None:
    # given: a thief copied the first refresh token; the app has already rotated it
    stolen = signed_up(client)["session"]["refreshToken"]
    current = refresh(client, stolen)["session"]["refreshToken"]

    # when
    replay = refresh(client, stolen)

    # then: the replay is refused and the legitimate successor no longer works either
    assert codes(replay) == ["REFRESH_TOKEN_REUSED"]
    assert replay["session"] is None
    assert codes(refresh(client, current)) == ["INVALID_REFRESH_TOKEN"]


def test_an_unknown_or_expired_refresh_token_is_refused(client: TestClient, clock: Clock) -> None:
    # given
    session = signed_up(client)["session"]

    # when
    unknown = refresh(client, "rt_not-a-real-token")
    clock.advance(31 * 24 * 3600)
    expired = refresh(client, session["refreshToken"])

    # then
    assert codes(unknown) == ["INVALID_REFRESH_TOKEN"]
    assert codes(expired) == ["INVALID_REFRESH_TOKEN"]
    assert expired["userErrors"][0]["field"] == ["refreshToken"]


LOG_OUT = f"""
mutation ($input: CustomerRefreshTokenInput!) {{
  customerLogOut(input: $input) {{ ok {USER_ERRORS} }}
}}
"""


def test_after_log_out_the_refresh_token_no_longer_works(client: TestClient) -> None:
    # given
    session = signed_up(client)["session"]

    # when
    out = call(client, LOG_OUT, {"input": {"refreshToken": session["refreshToken"]}})

    # then
    assert out["data"]["customerLogOut"] == {"ok": True, "userErrors": []}
    assert codes(refresh(client, session["refreshToken"])) == ["INVALID_REFRESH_TOKEN"]


PASSWORD_CHANGE = f"""
mutation ($input: CustomerPasswordChangeInput!) {{
  customerPasswordChange(input: $input) {{ session {{ refreshToken }} {USER_ERRORS} }}
}}
"""


def test_changing_the_password_ends_every_other_session(client: TestClient) -> None:
    # given
    email = unique_email()
    phone = signed_up(client, email)["session"]
    laptop = log_in(client, email)["session"]

    # when
    changed = call(
        client,
        PASSWORD_CHANGE,
        {"input": {"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"}},
        token=laptop["accessToken"],
    )["data"]["customerPasswordChange"]

    # then
    assert changed["userErrors"] == []
    assert codes(refresh(client, phone["refreshToken"])) == ["INVALID_REFRESH_TOKEN"]
    assert refresh(client, changed["session"]["refreshToken"])["userErrors"] == []
    assert codes(log_in(client, email)) == ["INVALID_CREDENTIALS"]
    assert log_in(client, email, "a brand new passphrase")["userErrors"] == []


def test_a_password_change_needs_the_current_password(client: TestClient) -> None:
    # given
    token = signed_up(client)["session"]["accessToken"]

    # when
    result = call(
        client,
        PASSWORD_CHANGE,
        {"input": {"currentPassword": "a wrong guess!", "newPassword": "a brand new one"}},
        token=token,
    )["data"]["customerPasswordChange"]

    # then
    assert result["userErrors"] == [
        {"field": ["currentPassword"], "code": "INVALID_CREDENTIALS", "message": "Wrong password"}
    ]


# -- throttling ----------------------------------------------------------------------------


def test_repeated_failures_for_one_account_block_it_even_with_the_right_password(
    client: TestClient, clock: Clock
) -> None:
    # given
    email = unique_email()
    signed_up(client, email)
    for _ in range(ACCOUNT_MAX_FAILURES):
        assert codes(log_in(client, email, "wrong password!")) == ["INVALID_CREDENTIALS"]

    # when
    blocked = log_in(client, email)

    # then
    assert codes(blocked) == ["TOO_MANY_ATTEMPTS"]
    assert blocked["retryAfterSeconds"] == 15 * 60
    assert blocked["session"] is None
    clock.advance(15 * 60 + 1)
    assert log_in(client, email)["userErrors"] == []


def test_a_successful_log_in_forgets_earlier_failures(client: TestClient) -> None:
    # given
    email = unique_email()
    signed_up(client, email)
    for _ in range(ACCOUNT_MAX_FAILURES - 1):
        log_in(client, email, "wrong password!")
    assert log_in(client, email)["userErrors"] == []

    # when
    for _ in range(ACCOUNT_MAX_FAILURES - 1):
        log_in(client, email, "wrong password!")

    # then
    assert log_in(client, email)["userErrors"] == []


def test_many_failures_from_one_address_block_that_address_for_every_account(
    client: TestClient, clock: Clock
) -> None:
    # given: one address tries many accounts, a few times each (a credential-stuffing run)
    email = unique_email()
    signed_up(client, email)
    for _ in range(ADDRESS_MAX_FAILURES):
        log_in(client, unique_email(), "guessing!")

    # when
    blocked = log_in(client, email)

    # then
    assert codes(blocked) == ["TOO_MANY_ATTEMPTS"]
    assert 0 < blocked["retryAfterSeconds"] <= 15 * 60
    clock.advance(15 * 60 + 1)
    assert log_in(client, email)["userErrors"] == []


# -- password reset ------------------------------------------------------------------------

RESET_REQUEST = f"""
mutation ($input: CustomerPasswordResetRequestInput!) {{
  customerPasswordResetRequest(input: $input) {{ ok {USER_ERRORS} }}
}}
"""
RESET = f"""
mutation ($input: CustomerPasswordResetInput!) {{
  customerPasswordReset(input: $input) {{
    customer {{ email }} session {{ accessToken }} {USER_ERRORS}
  }}
}}
"""


def _reset_code(outbox: RecordingOutbox, email: str) -> str:
    [sent] = [n for n in outbox.sent if n.recipient == email]
    assert sent.template is TemplateName.PASSWORD_RESET
    return sent.data["token"]


def test_a_reset_request_answers_the_same_for_known_and_unknown_emails(
    client: TestClient, outbox: RecordingOutbox
) -> None:
    # given
    email = unique_email()
    signed_up(client, email)

    # when
    known = call(client, RESET_REQUEST, {"input": {"email": email}})
    unknown = call(client, RESET_REQUEST, {"input": {"email": unique_email()}})

    # then
    assert known == unknown
    assert [n.recipient for n in outbox.sent] == [email]


def test_a_reset_request_puts_the_code_in_the_notification_outbox(
    client: TestClient, services: Services, outbox: RecordingOutbox
) -> None:
    # given
    email = unique_email()
    signed_up(client, email)

    # when
    call(client, RESET_REQUEST, {"input": {"email": email}})

    # then
    [sent] = outbox.sent
    stored = outbox_store.get(sent.id)
    assert stored is not None
    assert stored.recipient == email
    assert stored.data["token"] == sent.data["token"]


def test_a_reset_code_sets_a_new_password_once(client: TestClient, outbox: RecordingOutbox) -> None:
    # given
    email = unique_email()
    old_session = signed_up(client, email)["session"]
    call(client, RESET_REQUEST, {"input": {"email": email}})
    code = _reset_code(outbox, email)

    # when
    first = call(client, RESET, {"input": {"token": code, "newPassword": "fresh passphrase"}})
    second = call(client, RESET, {"input": {"token": code, "newPassword": "another one here"}})

    # then
    assert first["data"]["customerPasswordReset"]["userErrors"] == []
    assert first["data"]["customerPasswordReset"]["customer"]["email"] == email
    assert codes(second["data"]["customerPasswordReset"]) == ["INVALID_RESET_TOKEN"]
    assert log_in(client, email, "fresh passphrase")["userErrors"] == []
    assert codes(refresh(client, old_session["refreshToken"])) == ["INVALID_REFRESH_TOKEN"]


def test_a_reset_code_expires_after_an_hour(
    client: TestClient, clock: Clock, outbox: RecordingOutbox
) -> None:
    # given
    email = unique_email()
    signed_up(client, email)
    call(client, RESET_REQUEST, {"input": {"email": email}})
    code = _reset_code(outbox, email)

    # when
    clock.advance(3601)
    result = call(client, RESET, {"input": {"token": code, "newPassword": "fresh passphrase"}})

    # then
    assert codes(result["data"]["customerPasswordReset"]) == ["INVALID_RESET_TOKEN"]
    assert log_in(client, email)["userErrors"] == []


def test_a_reset_with_a_weak_password_keeps_the_code_usable(
    client: TestClient, outbox: RecordingOutbox
) -> None:
    # given
    email = unique_email()
    signed_up(client, email)
    call(client, RESET_REQUEST, {"input": {"email": email}})
    code = _reset_code(outbox, email)

    # when
    weak = call(client, RESET, {"input": {"token": code, "newPassword": "short"}})
    good = call(client, RESET, {"input": {"token": code, "newPassword": "fresh passphrase"}})

    # then
    assert codes(weak["data"]["customerPasswordReset"]) == ["TOO_SHORT"]
    assert good["data"]["customerPasswordReset"]["userErrors"] == []


def test_a_log_in_with_an_enormous_email_is_refused_like_any_wrong_one(
    client: TestClient,
) -> None:
    # when
    result = log_in(client, "x" * 5_000 + "@example.com")

    # then
    assert codes(result) == ["INVALID_CREDENTIALS"]


@pytest.mark.parametrize("claim", ["exp", "iat"])
def test_a_signed_token_with_an_out_of_range_time_is_refused_as_invalid(
    client: TestClient, claim: str
) -> None:
    # given a token signed with the real key whose time no datetime can hold
    real = signed_up(client)["session"]["accessToken"]
    claims = jwt.decode(real, options={"verify_signature": False})
    claims[claim] = 10**20
    forged = jwt.encode(claims, JWT_SECRET, algorithm="HS256")

    # when
    body = call(client, ME, token=forged, status=401)

    # then
    assert _refused(body) == ("UNAUTHENTICATED", "Invalid access token")
