"""Staff set tax rates by country and region; the API refuses rates that make no sense."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commerce.access.model import Scope

if TYPE_CHECKING:
    from commerce.composition import Services
    from conftest import GraphQLCaller

ERRORS = "userErrors { field code message }"
RATE_SET = f"""
mutation ($input: TaxRateSetInput!) {{
  taxRateSet(input: $input) {{ taxRate {{ countryCode regionCode rate }} {ERRORS} }}
}}"""
RATE_DELETE = f"""
mutation ($input: TaxRateDeleteInput!) {{ taxRateDelete(input: $input) {{ deleted {ERRORS} }} }}
"""
RATES = "{ taxRates { countryCode regionCode rate } }"


def call(gql: GraphQLCaller, mutation: str, key: str | None, **input: Any) -> dict[str, Any]:
    body = gql(mutation, {"input": input}, api_key=key)
    assert "errors" not in body, body
    (payload,) = body["data"].values()
    assert isinstance(payload, dict)
    return payload


def rates(gql: GraphQLCaller, admin_key: str) -> list[dict[str, Any]]:
    body = gql(RATES, api_key=admin_key)
    assert "errors" not in body, body
    found: list[dict[str, Any]] = body["data"]["taxRates"]
    return found


def test_rates_are_set_exactly_replaced_and_deleted(gql: GraphQLCaller, admin_key: str) -> None:
    # when
    us = call(gql, RATE_SET, admin_key, countryCode="us", rate="5")
    california = call(gql, RATE_SET, admin_key, countryCode="US", regionCode="ca", rate="7.2500")
    call(gql, RATE_SET, admin_key, countryCode="GB", rate=17.5)
    call(gql, RATE_SET, admin_key, countryCode="GB", rate="20.00")
    # then
    assert us == {
        "taxRate": {"countryCode": "US", "regionCode": None, "rate": "5"},
        "userErrors": [],
    }
    assert california["taxRate"] == {"countryCode": "US", "regionCode": "CA", "rate": "7.25"}
    assert rates(gql, admin_key) == [
        {"countryCode": "GB", "regionCode": None, "rate": "20"},
        {"countryCode": "US", "regionCode": None, "rate": "5"},
        {"countryCode": "US", "regionCode": "CA", "rate": "7.25"},
    ]
    # when
    deleted = call(gql, RATE_DELETE, admin_key, countryCode="US", regionCode="CA")
    again = call(gql, RATE_DELETE, admin_key, countryCode="US", regionCode="CA")
    # then
    assert deleted == {"deleted": True, "userErrors": []}
    assert [(e["code"], e["field"]) for e in again["userErrors"]] == [
        ("NOT_FOUND", ["countryCode"])
    ]
    assert len(rates(gql, admin_key)) == 2


def test_bad_rates_get_exact_codes_and_write_nothing(gql: GraphQLCaller, admin_key: str) -> None:
    cases: list[tuple[dict[str, Any], list[tuple[str, list[str]]]]] = [
        ({"countryCode": "US", "rate": "100.5"}, [("TOO_LARGE", ["rate"])]),
        ({"countryCode": "US", "rate": "-1"}, [("NEGATIVE", ["rate"])]),
        ({"countryCode": "US", "rate": "1.00001"}, [("TOO_PRECISE", ["rate"])]),
        ({"countryCode": "XX", "rate": "5"}, [("INVALID_COUNTRY", ["countryCode"])]),
        (
            {"countryCode": "USA", "regionCode": "US-CA", "rate": "5"},
            [("INVALID_COUNTRY", ["countryCode"]), ("INVALID_REGION", ["regionCode"])],
        ),
    ]
    for input, expected in cases:
        # when
        payload = call(gql, RATE_SET, admin_key, **input)
        # then
        assert payload["taxRate"] is None
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == expected, input
    assert rates(gql, admin_key) == []


def test_only_admins_may_read_or_change_tax_rates(
    services: Services, gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    call(gql, RATE_SET, admin_key, countryCode="GB", rate="20")
    shop_key = services.access.create_key("shop", frozenset({Scope.STOREFRONT_READ})).plaintext
    for key, code in ((None, "UNAUTHENTICATED"), (shop_key, "FORBIDDEN")):
        # when
        bodies = [
            gql(RATE_SET, {"input": {"countryCode": "GB", "rate": "0"}}, api_key=key),
            gql(RATE_DELETE, {"input": {"countryCode": "GB"}}, api_key=key),
            gql(RATES, api_key=key),
        ]
        # then
        for body in bodies:
            assert body["data"] is None, body
            assert [e["extensions"]["code"] for e in body["errors"]] == [code]
    assert rates(gql, admin_key) == [{"countryCode": "GB", "regionCode": None, "rate": "20"}]
    # and anyone may ask how prices are shown
    assert gql("{ pricesIncludeTax }") == {"data": {"pricesIncludeTax": False}}
