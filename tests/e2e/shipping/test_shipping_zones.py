"""Staff set up shipping zones and their rates; the API refuses what would not make sense."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shipping_helpers import (
    RATE_CREATE,
    RATE_DELETE,
    RATE_UPDATE,
    ZONE_CREATE,
    ZONE_DELETE,
    ZONE_UPDATE,
    codes,
    create_rate,
    create_zone,
    money,
    mutate,
    zones,
)

from commerce.access.model import Scope

if TYPE_CHECKING:
    from commerce.composition import Services
    from conftest import GraphQLCaller

UNKNOWN_ZONE = "U2hpcHBpbmdab25lOjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw"  # ShippingZone:0...0


def test_a_zone_holds_flat_weight_and_free_above_rates(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    zone = create_zone(gql, admin_key, "Europe", "fr", "DE")
    # when
    flat = create_rate(
        gql,
        admin_key,
        zone["id"],
        title="Standard",
        kind="FLAT",
        prices=[money("4.99", "EUR"), money("5.50")],
    )
    weight = create_rate(
        gql,
        admin_key,
        zone["id"],
        title="Parcel",
        kind="WEIGHT",
        weightBands=[
            {"upToGrams": 2000, "prices": [money("9.00", "EUR")]},
            {"upToGrams": 500, "prices": [money("3.00", "EUR")]},
        ],
    )
    free = create_rate(
        gql,
        admin_key,
        zone["id"],
        title="Free over 50",
        kind="FREE_ABOVE",
        prices=[money("6.00", "EUR")],
        freeAbove=[money("50", "EUR")],
    )
    # then
    (stored,) = zones(gql, admin_key)
    assert stored["name"] == "Europe"
    assert stored["countries"] == ["FR", "DE"]
    assert stored["rates"] == [flat, weight, free]
    assert [b["upToGrams"] for b in weight["weightBands"]] == [500, 2000]
    assert free["freeAbove"] == [{"amount": "50.00", "currencyCode": "EUR"}]


def test_a_country_belongs_to_at_most_one_zone(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    create_zone(gql, admin_key, "Home", "GB")
    other = create_zone(gql, admin_key, "Europe", "FR")
    before = zones(gql, admin_key)
    # when
    created = mutate(gql, ZONE_CREATE, admin_key, name="Islands", countries=["IE", "GB"])
    moved = mutate(gql, ZONE_UPDATE, admin_key, id=other["id"], countries=["FR", "GB"])
    # then
    assert codes(created) == [("ZONE_COUNTRY_TAKEN", ["countries", "1"])]
    assert codes(moved) == [("ZONE_COUNTRY_TAKEN", ["countries", "1"])]
    assert created["shippingZone"] is None
    assert zones(gql, admin_key) == before


def test_a_zone_is_renamed_given_new_countries_and_deleted(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    zone = create_zone(gql, admin_key, "Home", "GB")
    # when
    updated = mutate(gql, ZONE_UPDATE, admin_key, id=zone["id"], name="UK", countries=["GB", "IM"])
    # then
    assert updated["userErrors"] == []
    assert (updated["shippingZone"]["name"], updated["shippingZone"]["countries"]) == (
        "UK",
        ["GB", "IM"],
    )
    # when
    deleted = mutate(gql, ZONE_DELETE, admin_key, id=zone["id"])
    # then
    assert deleted == {"deletedShippingZoneId": zone["id"], "userErrors": []}
    assert zones(gql, admin_key) == []
    # and a freed country can join another zone
    create_zone(gql, admin_key, "Again", "GB")


def test_a_rate_is_changed_to_another_kind_and_deleted(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    zone = create_zone(gql, admin_key, "Home", "US")
    rate = create_rate(gql, admin_key, zone["id"], title="Std", kind="FLAT", prices=[money("5")])
    # when
    changed = mutate(
        gql, RATE_UPDATE, admin_key, id=rate["id"], kind="FREE_ABOVE", freeAbove=[money("25")]
    )
    # then
    assert changed["userErrors"] == []
    assert changed["shippingRate"]["kind"] == "FREE_ABOVE"
    assert changed["shippingRate"]["prices"] == [{"amount": "5.00", "currencyCode": "USD"}]
    # when
    deleted = mutate(gql, RATE_DELETE, admin_key, id=rate["id"])
    # then
    assert deleted["userErrors"] == []
    assert deleted["deletedShippingRateId"] == rate["id"]
    assert deleted["shippingZone"]["rates"] == []


def test_bad_zone_input_gets_exact_codes_and_writes_nothing(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    zone = create_zone(gql, admin_key, "Home", "US")
    before = zones(gql, admin_key)
    cases: list[tuple[str, dict[str, Any], list[tuple[str, list[str] | None]]]] = [
        (
            ZONE_CREATE,
            {"name": " ", "countries": ["XX", "FR", "FR"]},
            [
                ("BLANK", ["name"]),
                ("INVALID_COUNTRY", ["countries", "0"]),
                ("DUPLICATE", ["countries", "2"]),
            ],
        ),
        (ZONE_CREATE, {"name": "None", "countries": []}, [("INVALID", ["countries"])]),
        (ZONE_UPDATE, {"id": UNKNOWN_ZONE, "name": "X"}, [("NOT_FOUND", ["id"])]),
        (ZONE_UPDATE, {"id": "nonsense", "name": "X"}, [("INVALID_ID", ["id"])]),
        (ZONE_DELETE, {"id": UNKNOWN_ZONE}, [("NOT_FOUND", ["id"])]),
        (ZONE_DELETE, {"id": zone["id"][:-2]}, [("INVALID_ID", ["id"])]),
    ]
    for mutation, input, expected in cases:
        # when
        payload = mutate(gql, mutation, admin_key, **input)
        # then
        assert codes(payload) == expected, (input, payload)
    assert zones(gql, admin_key) == before


def test_bad_rate_input_gets_exact_codes_and_writes_nothing(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    zone = create_zone(gql, admin_key, "Home", "US")
    rate = create_rate(gql, admin_key, zone["id"], title="Std", kind="FLAT", prices=[money("5")])
    before = zones(gql, admin_key)
    band = {"upToGrams": 500, "prices": [money("3")]}
    cases: list[tuple[str, dict[str, Any], list[tuple[str, list[str] | None]]]] = [
        (
            RATE_CREATE,
            {"zoneId": zone["id"], "title": "Neg", "kind": "FLAT", "prices": [money("-1")]},
            [("NEGATIVE", ["prices", "0", "amount"])],
        ),
        (
            RATE_CREATE,
            {"zoneId": zone["id"], "title": "Cents", "kind": "FLAT", "prices": [money("1.001")]},
            [("INVALID", ["prices", "0", "amount"])],
        ),
        (
            RATE_CREATE,
            {"zoneId": zone["id"], "title": "W", "kind": "WEIGHT", "weightBands": [band, band]},
            [("OVERLAPPING_WEIGHT_BANDS", ["weightBands", "1", "upToGrams"])],
        ),
        (
            RATE_CREATE,
            {"zoneId": zone["id"], "title": "Free", "kind": "FREE_ABOVE", "prices": [money("1")]},
            [("INVALID", ["freeAbove"])],
        ),
        (
            RATE_CREATE,
            {"zoneId": UNKNOWN_ZONE, "title": "X", "kind": "FLAT", "prices": [money("1")]},
            [("NOT_FOUND", ["zoneId"])],
        ),
        (
            RATE_UPDATE,
            {"id": rate["id"], "kind": "WEIGHT"},
            [("INVALID", ["weightBands"]), ("INVALID", ["prices"])],
        ),
        (RATE_UPDATE, {"id": zone["id"], "title": "X"}, [("INVALID_ID", ["id"])]),
        (RATE_DELETE, {"id": zone["id"]}, [("INVALID_ID", ["id"])]),
    ]
    for mutation, input, expected in cases:
        # when
        payload = mutate(gql, mutation, admin_key, **input)
        # then
        assert codes(payload) == expected, (input, payload)
    assert zones(gql, admin_key) == before


def test_only_admins_may_read_or_change_shipping(
    services: Services, gql: GraphQLCaller, admin_key: str
) -> None:
    # given
    zone = create_zone(gql, admin_key, "Home", "US")
    rate = create_rate(gql, admin_key, zone["id"], title="Std", kind="FLAT", prices=[money("5")])
    shop_key = services.access.create_key("shop", frozenset({Scope.STOREFRONT_READ})).plaintext
    before = zones(gql, admin_key)
    requests = [
        (ZONE_CREATE, {"name": "Europe", "countries": ["FR"]}),
        (ZONE_UPDATE, {"id": zone["id"], "name": "Defaced"}),
        (ZONE_DELETE, {"id": zone["id"]}),
        (RATE_CREATE, {"zoneId": zone["id"], "title": "X", "kind": "FLAT", "prices": []}),
        (RATE_UPDATE, {"id": rate["id"], "title": "Defaced"}),
        (RATE_DELETE, {"id": rate["id"]}),
    ]
    for key, code in ((None, "UNAUTHENTICATED"), (shop_key, "FORBIDDEN")):
        for mutation, input in requests:
            # when
            body = gql(mutation, {"input": input}, api_key=key)
            # then
            assert body["data"] is None, body
            assert [e["extensions"]["code"] for e in body["errors"]] == [code]
        body = gql("{ shippingZones { id } }", api_key=key)
        assert [e["extensions"]["code"] for e in body["errors"]] == [code]
    assert zones(gql, admin_key) == before
