"""Signing up, logging in, the profile and saved addresses, through the API."""

from __future__ import annotations

import pytest
from customers_helpers import (
    ME,
    PASSWORD,
    USER_ERRORS,
    call,
    codes,
    log_in,
    sign_up,
    signed_up,
    unique_email,
)
from starlette.testclient import TestClient

from commerce.customers.identity.rules import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


def test_a_new_customer_signs_up_and_reads_their_profile_with_the_access_token(
    client: TestClient,
) -> None:
    # when
    result = signed_up(client, "Ann.Reader@Example.com", firstName="Ann", lastName="Reader")

    # then
    assert result["customer"]["email"] == "ann.reader@example.com"
    me = call(client, ME, token=result["session"]["accessToken"])
    assert me["data"]["customer"]["firstName"] == "Ann"
    assert me["data"]["customer"]["id"] == result["customer"]["id"]


def test_an_email_can_hold_one_account_whatever_its_case(client: TestClient) -> None:
    # given
    email = unique_email()
    signed_up(client, email)

    # when
    again = sign_up(client, email.upper())

    # then
    assert codes(again) == ["EMAIL_TAKEN"]
    assert again["customer"] is None
    assert again["session"] is None
    assert again["userErrors"][0]["field"] == ["email"]


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("x" * (MIN_PASSWORD_LENGTH - 1), "TOO_SHORT"),
        ("x" * (MAX_PASSWORD_LENGTH + 1), "TOO_LONG"),
        ("password123", "PASSWORD_TOO_COMMON"),
        ("Password123", "PASSWORD_TOO_COMMON"),
    ],
)
def test_weak_passwords_are_refused_and_no_account_is_opened(
    client: TestClient, password: str, code: str
) -> None:
    # given
    email = unique_email()

    # when
    result = sign_up(client, email, password)

    # then
    assert result["userErrors"] == [
        {"field": ["password"], "code": code, "message": result["userErrors"][0]["message"]}
    ]
    assert log_in(client, email, password)["userErrors"][0]["code"] == "INVALID_CREDENTIALS"


@pytest.mark.parametrize(
    "password",
    [
        "x" * MIN_PASSWORD_LENGTH,  # no composition rules: all lower case is fine
        "x" * MAX_PASSWORD_LENGTH,
        "mot de passe très long 🔑",  # spaces, accents and emoji are all allowed
    ],
)
def test_any_password_within_the_length_bounds_that_is_not_common_is_accepted(
    client: TestClient, password: str
) -> None:
    # given
    email = unique_email()

    # when
    signed_up(client, email, password=password)

    # then
    assert log_in(client, email, password)["userErrors"] == []


def test_a_wrong_password_and_an_unknown_email_answer_the_same(client: TestClient) -> None:
    # given
    email = unique_email()
    signed_up(client, email)

    # when
    wrong = log_in(client, email, "not the password at all")
    unknown = log_in(client, unique_email(), PASSWORD)

    # then
    assert wrong["userErrors"] == unknown["userErrors"]
    assert codes(wrong) == ["INVALID_CREDENTIALS"]
    assert wrong["session"] is None


def test_sign_up_refuses_a_malformed_email_and_names_too_long(client: TestClient) -> None:
    # when
    result = sign_up(client, "not-an-email", firstName="A" * 101)

    # then
    assert sorted((e["field"][0], e["code"]) for e in result["userErrors"]) == [
        ("email", "INVALID"),
        ("firstName", "TOO_LONG"),
    ]


UPDATE = f"""
mutation ($input: CustomerUpdateInput!) {{
  customerUpdate(input: $input) {{
    customer {{
      firstName phone
      marketingConsent {{ channel granted updatedAt }}
      demographics {{ country birthYear gender }}
    }}
    {USER_ERRORS}
  }}
}}
"""


def test_marketing_consent_is_kept_per_channel_with_the_time_it_changed(
    client: TestClient, clock: object
) -> None:
    # given
    token = signed_up(client)["session"]["accessToken"]

    # when
    first = call(
        client,
        UPDATE,
        {"input": {"marketingConsent": {"email": True, "sms": False}}},
        token=token,
    )["data"]["customerUpdate"]
    clock.advance(60)  # type: ignore[attr-defined]
    second = call(client, UPDATE, {"input": {"marketingConsent": {"push": True}}}, token=token)[
        "data"
    ]["customerUpdate"]

    # then
    assert first["userErrors"] == []
    before = {c["channel"]: c for c in first["customer"]["marketingConsent"]}
    after = {c["channel"]: c for c in second["customer"]["marketingConsent"]}
    assert {k: v["granted"] for k, v in after.items()} == {
        "EMAIL": True,
        "SMS": False,
        "PUSH": True,
    }
    assert after["EMAIL"]["updatedAt"] == before["EMAIL"]["updatedAt"]
    assert after["PUSH"]["updatedAt"] > before["EMAIL"]["updatedAt"]


def test_profile_changes_and_demographics_are_saved(client: TestClient) -> None:
    # given
    token = signed_up(client)["session"]["accessToken"]

    # when
    result = call(
        client,
        UPDATE,
        {
            "input": {
                "firstName": "Bea",
                "phone": "+44 1632 960961",
                "demographics": {"country": "gb", "birthYear": 1990, "gender": "FEMALE"},
            }
        },
        token=token,
    )["data"]["customerUpdate"]

    # then
    assert result["userErrors"] == []
    assert result["customer"]["firstName"] == "Bea"
    assert result["customer"]["phone"] == "+441632960961"
    assert result["customer"]["demographics"] == {
        "country": "GB",
        "birthYear": 1990,
        "gender": "FEMALE",
    }


def test_invalid_demographics_and_phone_are_refused_and_nothing_changes(
    client: TestClient,
) -> None:
    # given
    token = signed_up(client, firstName="Cy")["session"]["accessToken"]

    # when
    result = call(
        client,
        UPDATE,
        {
            "input": {
                "firstName": "Changed",
                "phone": "12345",
                "demographics": {"country": "XX", "birthYear": 1800},
            }
        },
        token=token,
    )["data"]["customerUpdate"]

    # then
    assert sorted(tuple(e["field"]) for e in result["userErrors"]) == [
        ("demographics", "birthYear"),
        ("demographics", "country"),
        ("phone",),
    ]
    assert {e["code"] for e in result["userErrors"]} == {"INVALID"}
    assert call(client, ME, token=token)["data"]["customer"]["firstName"] == "Cy"


ADDRESS_FIELDS = "id address1 city countryCode"
ADDRESS_CREATE = f"""
mutation ($input: CustomerAddressCreateInput!) {{
  customerAddressCreate(input: $input) {{
    address {{ {ADDRESS_FIELDS} }} customer {{ defaultAddressId }} {USER_ERRORS}
  }}
}}
"""
ADDRESS_UPDATE = f"""
mutation ($input: CustomerAddressUpdateInput!) {{
  customerAddressUpdate(input: $input) {{
    address {{ {ADDRESS_FIELDS} }} customer {{ defaultAddressId }} {USER_ERRORS}
  }}
}}
"""
ADDRESS_DELETE = f"""
mutation ($input: CustomerAddressDeleteInput!) {{
  customerAddressDelete(input: $input) {{
    deletedAddressId customer {{ defaultAddressId }} {USER_ERRORS}
  }}
}}
"""
ADDRESSES = f"{{ customer {{ defaultAddressId addresses {{ {ADDRESS_FIELDS} }} }} }}"


def _address(street: str = "1 Book Lane") -> dict[str, str]:
    return {"address1": street, "city": "London", "countryCode": "gb"}


def test_the_first_address_becomes_the_default_and_another_can_take_its_place(
    client: TestClient,
) -> None:
    # given
    token = signed_up(client)["session"]["accessToken"]

    # when
    first = call(client, ADDRESS_CREATE, {"input": {"address": _address()}}, token=token)
    second = call(
        client,
        ADDRESS_CREATE,
        {"input": {"address": _address("2 Page St"), "setAsDefault": True}},
        token=token,
    )

    # then
    first_id = first["data"]["customerAddressCreate"]["address"]["id"]
    second_id = second["data"]["customerAddressCreate"]["address"]["id"]
    assert first["data"]["customerAddressCreate"]["customer"]["defaultAddressId"] == first_id
    me = call(client, ADDRESSES, token=token)["data"]["customer"]
    assert me["defaultAddressId"] == second_id
    assert [a["address1"] for a in me["addresses"]] == ["1 Book Lane", "2 Page St"]
    assert me["addresses"][0]["countryCode"] == "GB"


def test_deleting_the_default_address_moves_the_default_to_the_oldest_left(
    client: TestClient,
) -> None:
    # given
    token = signed_up(client)["session"]["accessToken"]
    ids = [
        call(client, ADDRESS_CREATE, {"input": {"address": _address(s)}}, token=token)["data"][
            "customerAddressCreate"
        ]["address"]["id"]
        for s in ("1 A St", "2 B St")
    ]

    # when
    deleted = call(client, ADDRESS_DELETE, {"input": {"id": ids[0]}}, token=token)

    # then
    payload = deleted["data"]["customerAddressDelete"]
    assert payload["deletedAddressId"] == ids[0]
    assert payload["customer"]["defaultAddressId"] == ids[1]


def test_a_bad_address_is_refused_with_every_problem(client: TestClient) -> None:
    # given
    token = signed_up(client)["session"]["accessToken"]

    # when
    result = call(
        client,
        ADDRESS_CREATE,
        {"input": {"address": {"address1": " ", "city": "", "countryCode": "ZZ"}}},
        token=token,
    )["data"]["customerAddressCreate"]

    # then
    assert sorted((e["field"][-1], e["code"]) for e in result["userErrors"]) == [
        ("address1", "BLANK"),
        ("city", "BLANK"),
        ("countryCode", "INVALID"),
    ]
    assert call(client, ADDRESSES, token=token)["data"]["customer"]["addresses"] == []


def test_a_customer_cannot_change_or_delete_another_customers_address(
    client: TestClient,
) -> None:
    # given
    owner = signed_up(client)["session"]["accessToken"]
    other = signed_up(client)["session"]["accessToken"]
    address_id = call(client, ADDRESS_CREATE, {"input": {"address": _address()}}, token=owner)[
        "data"
    ]["customerAddressCreate"]["address"]["id"]

    # when
    update = call(
        client,
        ADDRESS_UPDATE,
        {"input": {"id": address_id, "address": _address("9 Thief Rd")}},
        token=other,
    )["data"]["customerAddressUpdate"]
    delete = call(client, ADDRESS_DELETE, {"input": {"id": address_id}}, token=other)["data"][
        "customerAddressDelete"
    ]

    # then
    assert codes(update) == ["ADDRESS_NOT_FOUND"]
    assert codes(delete) == ["ADDRESS_NOT_FOUND"]
    mine = call(client, ADDRESSES, token=owner)["data"]["customer"]["addresses"]
    assert [a["address1"] for a in mine] == ["1 Book Lane"]
    assert call(client, ADDRESSES, token=other)["data"]["customer"]["addresses"] == []
