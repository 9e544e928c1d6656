"""Birthday bonuses, the paged points history and idempotent staff adjustments, through
the API: the birthday set on the customer's own profile, the daily job run at chosen
moments (its schedule's time), and the bad inputs refused with nothing changed."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from loyalty_shop import Clock, Customer, LoyaltyShop, local
from starlette.testclient import TestClient

from commerce.access.model import Scope
from commerce.app import create_app
from commerce.composition import build_services
from commerce.db.table import create_table_if_missing
from commerce.events.consumers import Consumers
from commerce.jobs.runner import run_job
from commerce.observability.metrics import Metrics
from commerce.payments.local import LocalStripe
from table_settings import fresh_settings


@pytest.fixture(scope="module")
def shop(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Iterator[LoyaltyShop]:
    settings = fresh_settings(dynamodb_endpoint, stripe_server.endpoint, "whsec_bonuses")
    settings = dataclasses.replace(settings, request_timeout_seconds=120.0)
    clock = Clock()
    services = build_services(settings, loyalty_clock=clock)
    create_table_if_missing()
    admin_key = services.access.create_key("loyalty staff", frozenset({Scope.ADMIN})).plaintext
    with TestClient(create_app(services)) as client:
        found = LoyaltyShop(
            services, client, Consumers(services, Metrics("Commerce", "events")), admin_key, clock
        )
        found.ship_to_us()
        yield found


UPDATE = """
mutation ($input: CustomerUpdateInput!) {
  customerUpdate(input: $input) {
    customer { birthday { month day } demographics { birthYear } }
    userErrors { field code message }
  }
}"""
BIRTHDAY = "{ customer { birthday { month day } } }"
ENTRIES = """
query ($first: Int!, $after: String) {
  customer {
    loyalty {
      balance
      entries(first: $first, after: $after) {
        edges { cursor node { kind points reason } }
        nodes { points }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}"""
ADJUST = """
mutation ($input: LoyaltyPointsAdjustInput!) {
  loyaltyPointsAdjust(input: $input) {
    account { balance entries(first: 50) { nodes { kind points reason } } }
    userErrors { field code message }
  }
}"""


def set_birthday(shop: LoyaltyShop, customer: Customer, birthday: Any) -> dict[str, Any]:
    return shop.payload(UPDATE, {"input": {"birthday": birthday}}, headers=customer.headers)


def run_birthdays(shop: LoyaltyShop, at: str) -> dict[str, Any]:
    """The schedule's run at ``at`` (ISO, UTC)."""
    event = {"job": "grant-birthday-bonuses", "time": at}
    result = run_job(event, shop.services, Metrics("Commerce", "jobs"))
    assert result["ok"] is True, result
    return result


def birthday_bonuses(shop: LoyaltyShop, customer: Customer) -> list[int]:
    history = shop.loyalty(customer)["history"]
    return [h["points"] for h in history if h["kind"] == "BONUS" and h["reason"] == "BIRTHDAY"]


# -- the birthday on the profile ---------------------------------------------------------


def test_a_customer_sets_reads_and_removes_their_birthday(shop: LoyaltyShop) -> None:
    reader = shop.sign_up()
    assert shop.gql(BIRTHDAY, headers=reader.headers)["data"]["customer"]["birthday"] is None
    # 29 February is a birthday; the birth year stays a demographic of its own
    saved = set_birthday(shop, reader, {"month": 2, "day": 29})
    assert saved["userErrors"] == []
    assert saved["customer"]["birthday"] == {"month": 2, "day": 29}
    # another change of the profile keeps it
    renamed = shop.payload(UPDATE, {"input": {"firstName": "Ada"}}, headers=reader.headers)
    assert renamed["customer"]["birthday"] == {"month": 2, "day": 29}
    seen = shop.gql(BIRTHDAY, headers=reader.headers)["data"]["customer"]["birthday"]
    assert seen == {"month": 2, "day": 29}
    # null removes it
    removed = set_birthday(shop, reader, None)
    assert removed["customer"]["birthday"] is None


@pytest.mark.parametrize(
    ("birthday", "field"),
    [
        ({"month": 2, "day": 30}, ["birthday", "day"]),
        ({"month": 4, "day": 31}, ["birthday", "day"]),
        ({"month": 1, "day": 0}, ["birthday", "day"]),
        ({"month": 13, "day": 1}, ["birthday", "month"]),
        ({"month": 0, "day": 10}, ["birthday", "month"]),
        ({"month": -1, "day": -1}, ["birthday", "month"]),
    ],
)
def test_a_date_no_calendar_has_is_refused_and_changes_nothing(
    shop: LoyaltyShop, birthday: dict[str, int], field: list[str]
) -> None:
    reader = shop.sign_up()
    assert set_birthday(shop, reader, {"month": 7, "day": 14})["userErrors"] == []
    refused = set_birthday(shop, reader, birthday)
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [("INVALID", field)]
    assert refused["customer"] is None
    seen = shop.gql(BIRTHDAY, headers=reader.headers)["data"]["customer"]["birthday"]
    assert seen == {"month": 7, "day": 14}


def test_a_birthday_of_the_wrong_type_is_a_graphql_error(shop: LoyaltyShop) -> None:
    reader = shop.sign_up()
    body = shop.gql(
        UPDATE, {"input": {"birthday": {"month": "May", "day": 3}}}, headers=reader.headers
    )
    assert body["errors"]
    assert body.get("data") is None
    body = shop.gql(UPDATE, {"input": {"birthday": {"month": 5}}}, headers=reader.headers)
    assert body["errors"]
    assert body.get("data") is None


def test_a_guest_has_no_birthday_to_set(shop: LoyaltyShop) -> None:
    body = shop.gql(UPDATE, {"input": {"birthday": {"month": 5, "day": 3}}})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# -- the birthday bonus -------------------------------------------------------------------


def test_the_birthday_bonus_comes_once_a_year_however_often_the_job_runs(
    shop: LoyaltyShop,
) -> None:
    # given a customer born on 15 May and another on 16 May
    reader, other = shop.sign_up(), shop.sign_up()
    set_birthday(shop, reader, {"month": 5, "day": 15})
    set_birthday(shop, other, {"month": 5, "day": 16})
    # the day before, nothing
    run_birthdays(shop, "2027-05-14T06:00:00Z")
    assert birthday_bonuses(shop, reader) == []
    # on the day, twice (the schedule runs every 12 hours), and the next day (catch-up)
    first = run_birthdays(shop, "2027-05-15T06:00:00Z")
    assert first["granted"] >= 1
    run_birthdays(shop, "2027-05-15T18:00:00Z")
    run_birthdays(shop, "2027-05-16T06:00:00Z")
    assert birthday_bonuses(shop, reader) == [200]
    assert birthday_bonuses(shop, other) == [200]
    assert shop.loyalty(reader)["balance"] == 100 + 200
    # a birthday moved to a later day of the same year gives nothing more
    set_birthday(shop, reader, {"month": 6, "day": 1})
    run_birthdays(shop, "2027-06-01T06:00:00Z")
    assert birthday_bonuses(shop, reader) == [200]
    # the next year, again
    run_birthdays(shop, "2028-06-01T06:00:00Z")
    assert birthday_bonuses(shop, reader) == [200, 200]


def test_a_missed_day_is_caught_up_the_next_day_but_not_later(shop: LoyaltyShop) -> None:
    reader = shop.sign_up()
    set_birthday(shop, reader, {"month": 9, "day": 3})
    # every run of the day and of the day after failed: two days later is too late
    run_birthdays(shop, "2027-09-05T06:00:00Z")
    assert birthday_bonuses(shop, reader) == []
    # the runs of the day failed: the next day's run gives the bonus
    another = shop.sign_up()
    set_birthday(shop, another, {"month": 9, "day": 1})
    run_birthdays(shop, "2027-09-02T00:30:00Z")
    assert birthday_bonuses(shop, another) == [200]


def test_born_on_29_february_is_celebrated_on_28_february_in_other_years(
    shop: LoyaltyShop,
) -> None:
    leapling = shop.sign_up()
    set_birthday(shop, leapling, {"month": 2, "day": 29})
    # 2027 has no 29 February: the bonus comes on the 28th, once, not again on 1 March
    run_birthdays(shop, "2027-02-27T12:00:00Z")
    assert birthday_bonuses(shop, leapling) == []
    run_birthdays(shop, "2027-02-28T06:00:00Z")
    run_birthdays(shop, "2027-03-01T06:00:00Z")
    assert birthday_bonuses(shop, leapling) == [200]
    # 2028 has one: not on the 28th, on the 29th, once
    run_birthdays(shop, "2028-02-28T06:00:00Z")
    assert birthday_bonuses(shop, leapling) == [200]
    run_birthdays(shop, "2028-02-29T06:00:00Z")
    run_birthdays(shop, "2028-03-01T06:00:00Z")
    assert birthday_bonuses(shop, leapling) == [200, 200]


def test_staff_turn_the_birthday_bonus_off_or_change_its_points(shop: LoyaltyShop) -> None:
    rules = {
        "rates": [
            {
                "currencyCode": "USD",
                "earnPerUnit": 1,
                "redeemPoints": 100,
                "redeemValue": {"amount": "1.00", "currencyCode": "USD"},
            }
        ],
        "tiers": [],
        "bonuses": [{"rule": "SIGN_UP", "points": 100}, {"rule": "BIRTHDAY", "points": 0}],
    }
    query = (
        "mutation ($input: LoyaltySettingsUpdateInput!) { loyaltySettingsUpdate(input: $input) "
        "{ userErrors { code } } }"
    )
    reader = shop.sign_up()
    set_birthday(shop, reader, {"month": 11, "day": 20})
    try:
        assert shop.payload(query, {"input": rules}, admin=True)["userErrors"] == []
        run_birthdays(shop, "2027-11-20T06:00:00Z")
        assert birthday_bonuses(shop, reader) == []
        rules["bonuses"] = [{"rule": "SIGN_UP", "points": 100}, {"rule": "BIRTHDAY", "points": 75}]
        assert shop.payload(query, {"input": rules}, admin=True)["userErrors"] == []
        run_birthdays(shop, "2027-11-20T18:00:00Z")
        assert birthday_bonuses(shop, reader) == [75]
    finally:
        rules["bonuses"] = [
            {"rule": "SIGN_UP", "points": 100},
            {"rule": "FIRST_REVIEW", "points": 50},
            {"rule": "BIRTHDAY", "points": 200},
            {"rule": "REFERRAL", "points": 500},
        ]
        shop.payload(query, {"input": rules}, admin=True)


# -- the history, a page at a time ---------------------------------------------------------


def page(shop: LoyaltyShop, customer: Customer, first: int, after: str | None) -> dict[str, Any]:
    body = shop.gql(ENTRIES, {"first": first, "after": after}, headers=customer.headers)
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["customer"]["loyalty"]["entries"]
    return found


def test_the_history_pages_newest_first_to_the_end(shop: LoyaltyShop) -> None:
    reader = shop.sign_up()
    for points in (1, 2, 3, 4, 5):
        assert shop.adjust(reader, points, f"gift {points}")["userErrors"] == []
    seen: list[int] = []
    after = None
    pages = 0
    while True:
        found = page(shop, reader, 2, after)
        pages += 1
        seen += [edge["node"]["points"] for edge in found["edges"]]
        assert [n["points"] for n in found["nodes"]] == [
            e["node"]["points"] for e in found["edges"]
        ]
        if not found["pageInfo"]["hasNextPage"]:
            break
        after = found["pageInfo"]["endCursor"]
        assert after == found["edges"][-1]["cursor"]
    # newest first, the sign-up bonus last, every entry once, adding up to the balance
    assert seen == [5, 4, 3, 2, 1, 100]
    assert pages == 3
    assert sum(seen) == shop.loyalty(reader)["balance"]
    # a page read after a new entry continues where the last one ended
    first = page(shop, reader, 2, None)
    shop.adjust(reader, 7, "later")
    rest = page(shop, reader, 10, first["pageInfo"]["endCursor"])
    assert [e["node"]["points"] for e in rest["edges"]] == [3, 2, 1, 100]
    # the capped list stays for clients that have not moved yet
    assert [h["points"] for h in shop.loyalty(reader, first=2)["history"]] == [7, 5]


@pytest.mark.parametrize(
    ("first", "after"),
    [(0, None), (101, None), (-1, None), (5, "not a cursor"), (5, "cG9pbnRzOm5vLXN1Y2gta2V5")],
)
def test_a_bad_page_request_is_a_top_level_error(
    shop: LoyaltyShop, first: int, after: str | None
) -> None:
    reader = shop.sign_up()
    body = shop.gql(ENTRIES, {"first": first, "after": after}, headers=reader.headers)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["data"]["customer"] is None


# -- staff adjustments with an idempotency key ---------------------------------------------


def adjust(
    shop: LoyaltyShop, customer: Customer, points: int, key: str, reason: str = "goodwill"
) -> dict[str, Any]:
    variables = {
        "input": {
            "customerId": customer.gid,
            "points": points,
            "reason": reason,
            "idempotencyKey": key,
        }
    }
    return shop.payload(ADJUST, variables, admin=True)


def test_a_retried_adjustment_adds_its_points_once(shop: LoyaltyShop) -> None:
    reader = shop.sign_up()
    first = adjust(shop, reader, 40, "ticket-1")
    retry = adjust(shop, reader, 40, "ticket-1")
    assert first["userErrors"] == retry["userErrors"] == []
    assert first["account"] == retry["account"]
    assert retry["account"]["balance"] == 140
    assert [n["points"] for n in retry["account"]["entries"]["nodes"]] == [40, 100]
    # a new key is a new change; the same key for another customer is theirs alone
    assert adjust(shop, reader, 40, "ticket-2")["account"]["balance"] == 180
    other = shop.sign_up()
    assert adjust(shop, other, 40, "ticket-1")["account"]["balance"] == 140
    # without a key every request is a change of its own (as before)
    shop.adjust(reader, 1)
    shop.adjust(reader, 1)
    assert shop.loyalty(reader)["balance"] == 182


def test_a_key_sent_again_with_another_change_is_refused(shop: LoyaltyShop) -> None:
    reader = shop.sign_up()
    adjust(shop, reader, 25, "ticket-9")
    other_amount = adjust(shop, reader, 30, "ticket-9")
    other_reason = adjust(shop, reader, 25, "ticket-9", reason="another story")
    for refused in (other_amount, other_reason):
        assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
            ("IDEMPOTENCY_KEY_REUSED", ["idempotencyKey"])
        ]
        assert refused["account"] is None
    assert shop.loyalty(reader)["balance"] == 125


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "ünïcode", "a/b"])
def test_a_malformed_key_is_refused_and_changes_nothing(shop: LoyaltyShop, key: str) -> None:
    reader = shop.sign_up()
    refused = adjust(shop, reader, 10, key)
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("INVALID_IDEMPOTENCY_KEY", ["idempotencyKey"])
    ]
    assert shop.loyalty(reader)["balance"] == 100


def test_a_taking_retried_after_the_balance_moved_is_still_one_taking(shop: LoyaltyShop) -> None:
    reader = shop.sign_up()
    first = adjust(shop, reader, -60, "take-1")
    assert first["account"]["balance"] == 40
    # the retry would be over the balance as a new change; as the same change it is fine
    retry = adjust(shop, reader, -60, "take-1")
    assert retry["userErrors"] == []
    assert retry["account"]["balance"] == 40


def test_the_year_of_the_schedule_is_the_bonus_year(shop: LoyaltyShop) -> None:
    reader = shop.sign_up()
    set_birthday(shop, reader, {"month": 12, "day": 31})
    # the 31 December bonus, caught up on 1 January, is the old year's
    run_birthdays(shop, "2027-01-01T06:00:00Z")
    run_birthdays(shop, "2027-12-31T06:00:00Z")
    assert birthday_bonuses(shop, reader) == [200, 200]
    run_birthdays(shop, "2028-01-01T06:00:00Z")
    assert birthday_bonuses(shop, reader) == [200, 200]


# -- referrals -------------------------------------------------------------------------------

REFERRAL = "{ customer { loyalty { referralCode referralLink referred balance } } }"
APPLY_CODE = """
mutation ($input: LoyaltyReferralApplyInput!) {
  loyaltyReferralApply(input: $input) {
    account { referred balance }
    userErrors { field code message }
  }
}"""
SETTINGS = (
    "mutation ($input: LoyaltySettingsUpdateInput!) { loyaltySettingsUpdate(input: $input) "
    "{ settings { referralHoldDays bonuses { rule points } } userErrors { code field } } }"
)


def bonus_rules(referred: int = 0, hold_days: int = 30) -> dict[str, Any]:
    return {
        "rates": [
            {
                "currencyCode": "USD",
                "earnPerUnit": 1,
                "redeemPoints": 100,
                "redeemValue": {"amount": "1.00", "currencyCode": "USD"},
            }
        ],
        "tiers": [],
        "bonuses": [
            {"rule": "SIGN_UP", "points": 100},
            {"rule": "FIRST_REVIEW", "points": 50},
            {"rule": "BIRTHDAY", "points": 200},
            {"rule": "REFERRAL", "points": 500},
            {"rule": "REFERRED", "points": referred},
        ],
        "referralHoldDays": hold_days,
    }


@pytest.fixture
def welcome_bonus(shop: LoyaltyShop) -> Iterator[None]:
    """Staff give the referred customer 50 points too (back to none afterwards)."""
    set_rules = shop.payload(SETTINGS, {"input": bonus_rules(referred=50)}, admin=True)
    assert set_rules["userErrors"] == []
    assert set_rules["settings"]["referralHoldDays"] == 30
    yield
    shop.payload(SETTINGS, {"input": bonus_rules()}, admin=True)


def code_of(shop: LoyaltyShop, customer: Customer) -> str:
    found: str = shop.gql(REFERRAL, headers=customer.headers)["data"]["customer"]["loyalty"][
        "referralCode"
    ]
    return found


def apply_code(shop: LoyaltyShop, customer: Customer, code: str) -> dict[str, Any]:
    return shop.payload(APPLY_CODE, {"input": {"code": code}}, headers=customer.headers)


def referral_entries(shop: LoyaltyShop, customer: Customer) -> list[tuple[str, int]]:
    history = shop.loyalty(customer)["history"]
    return [
        (h["kind"], h["points"])
        for h in history
        if h["reason"].startswith(("REFERRAL", "REFERRED"))
    ]


def buy(shop: LoyaltyShop, customer: Customer, price: str = "10.00") -> str:
    """A paid order of one book at ``price`` (5.00 shipping); its id."""
    placed = shop.checkout(customer, shop.cart(customer, shop.book(price)))
    assert placed["userErrors"] == [], placed
    order_id: str = placed["order"]["id"]
    shop.pay(order_id)
    return order_id


def test_a_referred_customers_first_paid_order_earns_the_referrer_the_bonus_once(
    shop: LoyaltyShop,
) -> None:
    referrer, friend = shop.sign_up(), shop.sign_up()
    # the referrer reads their code and link
    mine = shop.gql(REFERRAL, headers=referrer.headers)["data"]["customer"]["loyalty"]
    assert mine["referralCode"]
    assert mine["referralLink"].endswith(f"/?ref={mine['referralCode']}")
    assert mine["referred"] is False
    # the friend applies it (in any case, with spaces)
    applied = apply_code(shop, friend, f"  {mine['referralCode'].lower()} ")
    assert applied["userErrors"] == []
    assert applied["account"]["referred"] is True
    # nothing before the friend's order is paid
    assert referral_entries(shop, referrer) == []
    order = buy(shop, friend)
    assert referral_entries(shop, referrer) == [("BONUS", 500)]
    # the friend gets none (staff did not set one)
    assert referral_entries(shop, friend) == []
    # the payment's record again, and a second order: nothing more
    shop.pay(order)
    buy(shop, friend)
    assert referral_entries(shop, referrer) == [("BONUS", 500)]
    assert shop.loyalty(referrer)["balance"] == 100 + 500


def test_a_full_refund_within_the_hold_takes_both_bonuses_back_once(
    shop: LoyaltyShop, welcome_bonus: None
) -> None:
    referrer, friend = shop.sign_up(), shop.sign_up()
    apply_code(shop, friend, code_of(shop, referrer))
    order = buy(shop, friend)
    assert referral_entries(shop, referrer) == [("BONUS", 500)]
    assert referral_entries(shop, friend) == [("BONUS", 50)]
    # a partial refund takes back earned points pro rata, not the referral bonuses
    shop.refund(order, 500)
    assert referral_entries(shop, referrer) == [("BONUS", 500)]
    # the full refund (15.00) takes both back; its record again changes nothing
    shop.refund(order, 1500)
    record = shop.refund(order, 1500)
    shop.stream(record)
    assert referral_entries(shop, referrer) == [("REVERSED", -500), ("BONUS", 500)]
    assert referral_entries(shop, friend) == [("REVERSED", -50), ("BONUS", 50)]
    assert shop.loyalty(referrer)["balance"] == 100
    # a later order is not a first order: no bonus again
    buy(shop, friend)
    assert referral_entries(shop, referrer) == [("REVERSED", -500), ("BONUS", 500)]


def test_a_full_refund_after_the_hold_leaves_the_bonus(shop: LoyaltyShop) -> None:
    referrer, friend = shop.sign_up(), shop.sign_up()
    apply_code(shop, friend, code_of(shop, referrer))
    order = buy(shop, friend)
    try:
        shop.clock.advance(31)
        shop.refund(order, 1500)
    finally:
        shop.clock.offset = timedelta()
    assert referral_entries(shop, referrer) == [("BONUS", 500)]


def test_codes_that_cannot_refer_are_refused_with_a_reason_and_change_nothing(
    shop: LoyaltyShop,
) -> None:
    referrer, friend = shop.sign_up(), shop.sign_up()
    code = code_of(shop, referrer)
    # one's own code
    own = apply_code(shop, referrer, code)
    # no account's code, and not a code at all
    unknown = apply_code(shop, friend, "0" * 26)
    garbage = apply_code(shop, friend, "not a code")
    empty = apply_code(shop, friend, "")
    for refused, reason in (
        (own, "SELF_REFERRAL"),
        (unknown, "INVALID_REFERRAL_CODE"),
        (garbage, "INVALID_REFERRAL_CODE"),
        (empty, "INVALID_REFERRAL_CODE"),
    ):
        assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [(reason, ["code"])]
        assert refused["account"] is None
    # a second code, once one is applied
    other = shop.sign_up()
    assert apply_code(shop, friend, code)["userErrors"] == []
    again = apply_code(shop, friend, code_of(shop, other))
    assert [e["code"] for e in again["userErrors"]] == ["ALREADY_REFERRED"]
    # a customer who has paid an order already
    buyer = shop.sign_up()
    buy(shop, buyer)
    existing = apply_code(shop, buyer, code)
    assert [e["code"] for e in existing["userErrors"]] == ["EXISTING_CUSTOMER"]
    seen = shop.gql(REFERRAL, headers=buyer.headers)["data"]["customer"]["loyalty"]
    assert seen["referred"] is False
    # and a guest may not apply one at all
    guest = shop.gql(APPLY_CODE, {"input": {"code": code}})
    assert guest["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # the referrer got nothing from any of it
    assert referral_entries(shop, referrer) == []
    assert referral_entries(shop, other) == []


def test_unusable_referral_rules_are_refused(shop: LoyaltyShop) -> None:
    for days in (-1, 366):
        refused = shop.payload(SETTINGS, {"input": bonus_rules(hold_days=days)}, admin=True)
        assert [e["code"] for e in refused["userErrors"]] == ["INVALID_SETTINGS"]
        assert refused["settings"] is None
    rules = shop.payload("{ loyaltySettings { referralHoldDays } }", {}, admin=True)
    assert rules["referralHoldDays"] == 30


SIGN_UP_WITH_CODE = """
mutation ($input: CustomerSignUpInput!) {
  customerSignUp(input: $input) {
    session { accessToken }
    customer { id }
    userErrors { field code message }
  }
}"""


def test_a_customer_who_signs_up_with_a_code_is_referred(shop: LoyaltyShop) -> None:
    referrer = shop.sign_up()
    email = f"friend-{uuid.uuid4().hex[:8]}@example.com"
    signed = shop.payload(
        SIGN_UP_WITH_CODE,
        {
            "input": {
                "email": email,
                "password": "a friend's passphrase",
                "referralCode": code_of(shop, referrer),
            }
        },
    )
    assert signed["userErrors"] == []
    headers = {"Authorization": f"Bearer {signed['session']['accessToken']}"}
    friend = Customer(
        headers, local(signed["customer"]["id"], "Customer"), signed["customer"]["id"]
    )
    assert shop.gql(REFERRAL, headers=headers)["data"]["customer"]["loyalty"]["referred"] is True
    buy(shop, friend)
    assert referral_entries(shop, referrer) == [("BONUS", 500)]


def test_a_sign_up_with_a_code_of_no_account_opens_nothing(shop: LoyaltyShop) -> None:
    email = f"friend-{uuid.uuid4().hex[:8]}@example.com"
    sign_up = {"email": email, "password": "a friend's passphrase"}
    refused = shop.payload(SIGN_UP_WITH_CODE, {"input": {**sign_up, "referralCode": "Z" * 26}})
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("INVALID_REFERRAL_CODE", ["referralCode"])
    ]
    assert refused["session"] is None
    # nothing was opened: the email is still free
    again = shop.payload(SIGN_UP_WITH_CODE, {"input": sign_up})
    assert again["userErrors"] == []
