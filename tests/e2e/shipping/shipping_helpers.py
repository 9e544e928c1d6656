"""Small builders for shipping e2e tests: zone and rate mutations and read-backs.

Named ``shipping_helpers`` because test folders are not packages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import GraphQLCaller

USER_ERRORS = "userErrors { field code message }"
RATE_FIELDS = """
    id title kind
    prices { amount currencyCode }
    weightBands { upToGrams prices { amount currencyCode } }
    freeAbove { amount currencyCode }
"""
ZONE_FIELDS = f"id name countries rates {{ {RATE_FIELDS} }}"

ZONE_CREATE = f"""
mutation ($input: ShippingZoneCreateInput!) {{
  shippingZoneCreate(input: $input) {{ shippingZone {{ {ZONE_FIELDS} }} {USER_ERRORS} }}
}}"""
ZONE_UPDATE = f"""
mutation ($input: ShippingZoneUpdateInput!) {{
  shippingZoneUpdate(input: $input) {{ shippingZone {{ {ZONE_FIELDS} }} {USER_ERRORS} }}
}}"""
ZONE_DELETE = f"""
mutation ($input: ShippingDeleteInput!) {{
  shippingZoneDelete(input: $input) {{ deletedShippingZoneId {USER_ERRORS} }}
}}"""
RATE_CREATE = f"""
mutation ($input: ShippingRateCreateInput!) {{
  shippingRateCreate(input: $input) {{
    shippingRate {{ {RATE_FIELDS} }} shippingZone {{ id }} {USER_ERRORS}
  }}
}}"""
RATE_UPDATE = f"""
mutation ($input: ShippingRateUpdateInput!) {{
  shippingRateUpdate(input: $input) {{
    shippingRate {{ {RATE_FIELDS} }} shippingZone {{ id }} {USER_ERRORS}
  }}
}}"""
RATE_DELETE = f"""
mutation ($input: ShippingDeleteInput!) {{
  shippingRateDelete(input: $input) {{
    deletedShippingRateId shippingZone {{ {ZONE_FIELDS} }} {USER_ERRORS}
  }}
}}"""
ZONES = f"{{ shippingZones {{ {ZONE_FIELDS} }} }}"


def money(amount: str, currency: str = "USD") -> dict[str, str]:
    """A MoneyInput."""
    return {"amount": amount, "currencyCode": currency}


def mutate(gql: GraphQLCaller, mutation: str, api_key: str, **input: Any) -> dict[str, Any]:
    """Run a one-field mutation; its payload (asserting no top-level errors)."""
    body = gql(mutation, {"input": input}, api_key=api_key)
    assert "errors" not in body, body
    (payload,) = body["data"].values()
    assert isinstance(payload, dict)
    return payload


def create_zone(gql: GraphQLCaller, admin_key: str, name: str, *countries: str) -> dict[str, Any]:
    """A zone that must be created."""
    payload = mutate(gql, ZONE_CREATE, admin_key, name=name, countries=list(countries))
    assert payload["userErrors"] == [], payload
    zone: dict[str, Any] = payload["shippingZone"]
    return zone


def create_rate(gql: GraphQLCaller, admin_key: str, zone_id: str, **rate: Any) -> dict[str, Any]:
    """A rate that must be created."""
    payload = mutate(gql, RATE_CREATE, admin_key, zoneId=zone_id, **rate)
    assert payload["userErrors"] == [], payload
    created: dict[str, Any] = payload["shippingRate"]
    return created


def zones(gql: GraphQLCaller, admin_key: str) -> list[dict[str, Any]]:
    """Every zone as staff read it."""
    body = gql(ZONES, api_key=admin_key)
    assert "errors" not in body, body
    found: list[dict[str, Any]] = body["data"]["shippingZones"]
    return found


def codes(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    """The (code, field) pairs of a payload's userErrors, in order."""
    return [(e["code"], e["field"]) for e in payload["userErrors"]]
