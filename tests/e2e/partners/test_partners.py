"""Staff open partner accounts and issue scoped keys; a partner sees its own account only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from partners_helpers import KeyClock
from starlette.testclient import TestClient

USER_ERRORS = "userErrors { field code message }"
KEY = "prefix name scopes partnerId expiresAt revokedAt lastUsedAt active"
PARTNER_CREATE = f"""
mutation ($input: PartnerCreateInput!) {{
  partnerCreate(input: $input) {{ partner {{ id name email }} {USER_ERRORS} }}
}}
"""
KEY_CREATE = f"""
mutation ($input: ApiKeyCreateInput!) {{
  apiKeyCreate(input: $input) {{ apiKey {{ {KEY} }} secret {USER_ERRORS} }}
}}
"""
KEY_REVOKE = f"""
mutation ($input: ApiKeyRevokeInput!) {{
  apiKeyRevoke(input: $input) {{ apiKey {{ {KEY} }} {USER_ERRORS} }}
}}
"""
ME = f"{{ partner {{ id name apiKeys {{ {KEY} }} }} }}"
KEYS = f"query ($prefix: String) {{ apiKeys(prefix: $prefix) {{ {KEY} }} }}"


def call(
    client: TestClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    api_key: str | None = None,
    status: int = 200,
) -> dict[str, Any]:
    headers = {"X-API-Key": api_key} if api_key else {}
    response = client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _partner(client: TestClient, admin_key: str, name: str = "Book Blog") -> str:
    body = call(
        client,
        PARTNER_CREATE,
        {"input": {"name": name, "email": f"{name.replace(' ', '').lower()}@example.com"}},
        api_key=admin_key,
    )
    payload = body["data"]["partnerCreate"]
    assert payload["userErrors"] == [], payload
    partner_id: str = payload["partner"]["id"]
    return partner_id


def _key(client: TestClient, admin_key: str, **fields: Any) -> dict[str, Any]:
    body = call(
        client,
        KEY_CREATE,
        {"input": {"name": "feed", "scopes": ["STOREFRONT_READ", "PARTNER_REPORTS"], **fields}},
        api_key=admin_key,
    )
    payload: dict[str, Any] = body["data"]["apiKeyCreate"]
    return payload


def test_a_partner_key_reads_its_own_partner_account_and_keys(
    client: TestClient, admin_key: str
) -> None:
    # given
    partner_id = _partner(client, admin_key)
    created = _key(client, admin_key, partnerId=partner_id)

    # when
    me = call(client, ME, api_key=created["secret"])["data"]["partner"]

    # then
    assert created["userErrors"] == []
    assert created["secret"].startswith(f"ck_{created['apiKey']['prefix']}_")
    assert me["id"] == partner_id
    assert [k["prefix"] for k in me["apiKeys"]] == [created["apiKey"]["prefix"]]
    assert me["apiKeys"][0]["scopes"] == ["PARTNER_REPORTS", "STOREFRONT_READ"]


def test_two_partners_each_see_only_their_own_account(client: TestClient, admin_key: str) -> None:
    # given
    first = _partner(client, admin_key, "First Blog")
    second = _partner(client, admin_key, "Second Blog")
    first_key = _key(client, admin_key, partnerId=first)["secret"]
    second_key = _key(client, admin_key, partnerId=second)

    # when
    seen = call(client, ME, api_key=first_key)["data"]["partner"]

    # then
    assert seen["id"] == first
    assert second_key["apiKey"]["prefix"] not in [k["prefix"] for k in seen["apiKeys"]]
    refused = call(client, KEYS, api_key=first_key)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_the_secret_is_shown_once_and_listings_never_show_it(
    client: TestClient, admin_key: str
) -> None:
    # given
    created = _key(client, admin_key)
    prefix = created["apiKey"]["prefix"]

    # when
    listed = call(client, KEYS, {"prefix": prefix}, api_key=admin_key)["data"]["apiKeys"]

    # then
    assert [k["prefix"] for k in listed] == [prefix]
    assert created["secret"] not in str(listed)
    assert call(client, KEYS, {"prefix": "nosuchpx"}, api_key=admin_key)["data"]["apiKeys"] == []


def test_a_partner_key_may_not_carry_the_admin_scope(client: TestClient, admin_key: str) -> None:
    # given
    partner_id = _partner(client, admin_key)

    # when
    result = call(
        client,
        KEY_CREATE,
        {"input": {"name": "too strong", "scopes": ["ADMIN"], "partnerId": partner_id}},
        api_key=admin_key,
    )["data"]["apiKeyCreate"]

    # then
    assert [(e["field"], e["code"]) for e in result["userErrors"]] == [
        (["scopes"], "SCOPE_NOT_ALLOWED")
    ]
    assert result["secret"] is None


def test_a_key_needs_a_name_a_scope_an_existing_partner_and_a_future_expiry(
    client: TestClient, admin_key: str, key_clock: KeyClock
) -> None:
    # given
    ghost = "UGFydG5lcjowMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMA"  # Partner:000... (nobody)

    # when
    result = call(
        client,
        KEY_CREATE,
        {
            "input": {
                "name": " ",
                "scopes": [],
                "partnerId": ghost,
                "expiresAt": (key_clock.now.replace(year=2000)).isoformat(),
            }
        },
        api_key=admin_key,
    )["data"]["apiKeyCreate"]

    # then
    assert sorted(e["code"] for e in result["userErrors"]) == [
        "BLANK",
        "EXPIRY_IN_PAST",
        "PARTNER_NOT_FOUND",
        "SCOPE_REQUIRED",
    ]


def test_an_expired_key_answers_unauthenticated_with_a_clear_message(
    client: TestClient, admin_key: str, key_clock: KeyClock
) -> None:
    # given
    expires = key_clock.now.replace(microsecond=0) + timedelta(hours=1)
    created = _key(client, admin_key, expiresAt=expires.isoformat())
    assert call(client, "{ __typename }", api_key=created["secret"])["data"]

    # when
    key_clock.advance(3601)
    body = call(client, "{ __typename }", api_key=created["secret"], status=401)

    # then
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["message"] == (
        f"Invalid API key: API key expired at {expires.isoformat()}; ask staff for a new one"
    )
    listed = call(client, KEYS, {"prefix": created["apiKey"]["prefix"]}, api_key=admin_key)
    assert listed["data"]["apiKeys"][0]["active"] is False


def test_a_revoked_key_stops_working_at_once(client: TestClient, admin_key: str) -> None:
    # given
    partner_id = _partner(client, admin_key)
    created = _key(client, admin_key, partnerId=partner_id)
    assert call(client, ME, api_key=created["secret"])["data"]["partner"]

    # when
    revoked = call(
        client, KEY_REVOKE, {"input": {"prefix": created["apiKey"]["prefix"]}}, api_key=admin_key
    )["data"]["apiKeyRevoke"]
    body = call(client, ME, api_key=created["secret"], status=401)

    # then
    assert revoked["apiKey"]["revokedAt"] is not None
    assert revoked["apiKey"]["active"] is False
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["errors"][0]["message"] == "Invalid API key: API key has been revoked"


def test_revoking_an_unknown_prefix_is_a_user_error(client: TestClient, admin_key: str) -> None:
    # when
    result = call(client, KEY_REVOKE, {"input": {"prefix": "nosuchpx"}}, api_key=admin_key)

    # then
    assert result["data"]["apiKeyRevoke"]["userErrors"][0]["code"] == "KEY_NOT_FOUND"


def test_the_last_use_of_a_key_is_recorded(client: TestClient, admin_key: str) -> None:
    # given
    created = _key(client, admin_key)
    assert created["apiKey"]["lastUsedAt"] is None

    # when
    call(client, "{ __typename }", api_key=created["secret"])

    # then
    listed = call(client, KEYS, {"prefix": created["apiKey"]["prefix"]}, api_key=admin_key)
    assert listed["data"]["apiKeys"][0]["lastUsedAt"] is not None


def test_staff_list_partners_and_nobody_else_can(client: TestClient, admin_key: str) -> None:
    # given
    partner_id = _partner(client, admin_key)
    partner_key = _key(client, admin_key, partnerId=partner_id)["secret"]

    # when
    listed = call(client, "{ partners { id name } }", api_key=admin_key)
    as_partner = call(client, "{ partners { id } }", api_key=partner_key)
    anonymous = call(client, "{ partners { id } }")

    # then
    assert [p["id"] for p in listed["data"]["partners"]] == [partner_id]
    assert as_partner["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
