"""Loyalty points through the API: earned when an order is paid, spent at checkout as a
discount line, taken back pro rata on refunds, expiring first-in-first-out, and the bad
inputs refused with nothing changed."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from loyalty_shop import Clock, LoyaltyShop, local
from starlette.testclient import TestClient

from commerce.access.model import Scope
from commerce.app import create_app
from commerce.composition import build_services
from commerce.db.table import create_table_if_missing
from commerce.events.consumers import Consumers
from commerce.graphql.ids import to_global_id
from commerce.ids import new_id
from commerce.loyalty.model import BonusRule
from commerce.observability.metrics import Metrics
from commerce.payments.local import LocalStripe
from table_settings import fresh_settings


@pytest.fixture(scope="module")
def shop(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Iterator[LoyaltyShop]:
    # Concurrent checkouts queue for the app's worker threads on two cores: what is
    # tested is the points, so no request is cut by the time budget.
    settings = dataclasses.replace(
        fresh_settings(dynamodb_endpoint, stripe_server.endpoint, "whsec_loyalty"),
        request_timeout_seconds=120.0,
    )
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


def kinds(history: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(h["kind"], h["points"]) for h in history]


def test_a_paid_order_earns_a_point_per_dollar_of_goods_once(shop: LoyaltyShop) -> None:
    # given a new customer (the sign-up bonus arrives with their account's record)
    reader = shop.sign_up()
    assert kinds(shop.loyalty(reader)["history"]) == [("BONUS", 100)]
    # when they buy two 12.50 books (5.00 shipping) and the payment's record comes twice
    cart = shop.cart(reader, shop.book("12.50"), quantity=2)
    placed = shop.checkout(reader, cart)
    assert placed["userErrors"] == []
    assert placed["order"]["total"] == {"amount": "30.00"}
    record = shop.pay(placed["order"]["id"])
    shop.stream(record)
    # then 25 points are earned on the goods (not the shipping), once
    seen = shop.loyalty(reader)
    assert seen["balance"] == 125
    assert kinds(seen["history"]) == [("EARNED", 25), ("BONUS", 100)]
    assert seen["history"][0]["orderId"] == placed["order"]["id"]
    assert seen["spend"] == [{"amount": "25.00", "currencyCode": "USD"}]
    assert seen["tier"]["name"] == "member"
    # and the sign-up bonus is given once however often the account's record comes
    assert shop.services.loyalty.award_bonus(reader.id, BonusRule.SIGN_UP, "account") == 0
    assert shop.loyalty(reader)["balance"] == 125


def test_points_are_a_discount_line_at_checkout_and_the_order_earns_on_what_is_paid(
    shop: LoyaltyShop,
) -> None:
    # given a customer with 100 + 1000 points
    reader = shop.sign_up()
    adjusted = shop.adjust(reader, 1000, "apology for a late parcel")
    assert adjusted["userErrors"] == []
    assert adjusted["account"]["balance"] == 1100
    assert adjusted["account"]["history"] == [
        {"kind": "ADJUSTED", "points": 1000, "reason": "apology for a late parcel"}
    ]
    cart = shop.cart(reader, shop.book("20.00"))
    # when they ask for more than they have
    refused = shop.apply(reader, cart, 1101)
    # then it is refused and the cart spends nothing
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("INSUFFICIENT_POINTS", ["points"])
    ]
    assert refused["cart"] is None
    # when they apply 600 points (6.00) to the 20.00 book
    applied = shop.apply(reader, cart, 600)
    assert applied["userErrors"] == []
    priced = applied["cart"]
    # then the cart shows a 6.00 discount line off the goods, shipping untouched
    assert priced["loyaltyPoints"] == {
        "requested": 600,
        "spent": 600,
        "discount": {"amount": "6.00"},
    }
    assert [(d["amount"]["amount"], d["explanation"]) for d in priced["orderDiscounts"]] == [
        ("6.00", "600 loyalty points")
    ]
    assert priced["cost"]["shippingAmount"] == {"amount": "5.00"}
    assert priced["cost"]["totalAmount"] == {"amount": "19.00"}
    # when they check out and pay
    placed = shop.checkout(reader, cart)
    assert placed["userErrors"] == []
    assert placed["order"]["total"] == {"amount": "19.00"}
    assert placed["order"]["discountAmount"] == {"amount": "6.00"}
    assert shop.loyalty(reader)["balance"] == 500
    shop.pay(placed["order"]["id"])
    # then the order earns on the 14.00 paid for goods after the points
    seen = shop.loyalty(reader)
    assert kinds(seen["history"])[:2] == [("EARNED", 14), ("SPENT", -600)]
    assert seen["balance"] == 514


def test_points_worth_more_than_the_goods_spend_only_what_the_goods_need(
    shop: LoyaltyShop,
) -> None:
    reader = shop.sign_up()
    shop.adjust(reader, 5000)
    cart = shop.cart(reader, shop.book("8.00"))
    priced = shop.apply(reader, cart, 5000)["cart"]
    assert priced["loyaltyPoints"] == {
        "requested": 5000,
        "spent": 800,
        "discount": {"amount": "8.00"},
    }
    # the shipping is still paid
    assert priced["cost"]["totalAmount"] == {"amount": "5.00"}


def test_two_concurrent_checkouts_never_spend_the_same_points(shop: LoyaltyShop) -> None:
    # given a customer with 1000 points and four carts each spending 400 of them
    reader = shop.sign_up()
    shop.adjust(reader, 900)
    carts = [shop.cart(reader, shop.book("10.00")) for _ in range(4)]
    for cart in carts:
        assert shop.apply(reader, cart, 400)["userErrors"] == []

    # when all four check out at once
    with ThreadPoolExecutor(max_workers=len(carts)) as pool:
        results = list(pool.map(lambda c: shop.checkout(reader, c), carts))

    # then exactly two are placed, the others refused for their points, and 200 are left
    placed = [r for r in results if r["order"] is not None]
    refused = [r for r in results if r["order"] is None]
    assert len(placed) == 2
    assert all(r["userErrors"] == [] for r in placed)
    assert [[(e["code"], e["field"]) for e in r["userErrors"]] for r in refused] == [
        [("INSUFFICIENT_POINTS", ["loyaltyPoints"])]
    ] * 2
    seen = shop.loyalty(reader)
    assert seen["balance"] == 200
    assert sorted(kinds(seen["history"])) == [
        ("ADJUSTED", 900),
        ("BONUS", 100),
        ("SPENT", -400),
        ("SPENT", -400),
    ]


def test_a_refund_takes_back_earned_and_gives_back_spent_points_pro_rata_once(
    shop: LoyaltyShop,
) -> None:
    # given an order of four 10.00 books paid with 1000 points (10.00): 35.00 paid
    reader = shop.sign_up()
    shop.adjust(reader, 900)
    cart = shop.cart(reader, shop.book("10.00"), quantity=4)
    shop.apply(reader, cart, 1000)
    placed = shop.checkout(reader, cart)
    assert placed["order"]["total"] == {"amount": "35.00"}
    shop.pay(placed["order"]["id"])
    assert shop.loyalty(reader)["balance"] == 30  # 30 earned on the 30.00 of goods paid
    # when 17.50 of the 35.00 is refunded, and that record comes twice
    refunded = shop.refund(placed["order"]["id"], 1750)
    shop.stream(refunded)
    # then half the earned points go and half the spent ones come back, once
    seen = shop.loyalty(reader)
    assert kinds(seen["history"])[:2] == [("RESTORED", 500), ("REVERSED", -15)]
    assert seen["balance"] == 515
    assert seen["spend"] == [{"amount": "15.00", "currencyCode": "USD"}]
    # when the rest is refunded
    shop.refund(placed["order"]["id"], 3500)
    # then the remaining earned points go and the remaining spent ones come back
    seen = shop.loyalty(reader)
    assert kinds(seen["history"])[:2] == [("RESTORED", 500), ("REVERSED", -15)]
    assert seen["balance"] == 1000
    assert seen["spend"] == [{"amount": "0.00", "currencyCode": "USD"}]


def test_lots_expire_first_in_first_out_by_the_clock(shop: LoyaltyShop) -> None:
    # given 100 points at sign-up and 300 more 200 days later
    reader = shop.sign_up()
    shop.clock.advance(200)
    shop.adjust(reader, 300)
    # when 150 are spent: the 100 of the first lot go first, then 50 of the second
    cart = shop.cart(reader, shop.book("30.00"))
    shop.apply(reader, cart, 150)
    placed = shop.checkout(reader, cart)
    assert placed["userErrors"] == []
    lots = shop.loyalty(reader)["lots"]
    assert [(lot["points"], lot["remaining"]) for lot in lots] == [(300, 250)]
    # when a year has passed since the 300 were given
    shop.clock.advance(366)
    # then what was left of them expired, and the history still adds up to the balance
    seen = shop.loyalty(reader)
    assert seen["balance"] == 0
    assert kinds(seen["history"])[0] == ("EXPIRED", -250)
    assert sum(h["points"] for h in seen["history"]) == 0
    shop.clock.offset = timedelta()


def test_an_order_cancelled_unpaid_gives_its_points_back_once(shop: LoyaltyShop) -> None:
    # given an order that spent the sign-up bonus
    reader = shop.sign_up()
    cart = shop.cart(reader, shop.book("10.00"))
    shop.apply(reader, cart, 100)
    placed = shop.checkout(reader, cart)
    assert shop.loyalty(reader)["balance"] == 0
    order_id = local(placed["order"]["id"], "Order")
    order = shop.services.orders.order(order_id)
    assert order is not None
    assert order.payment_intent_id is not None
    # when its payment is cancelled, and the record comes twice
    record = shop.order_changed(
        order_id,
        lambda: shop.services.orders.payment_canceled(
            order_id=order_id, intent_id=order.payment_intent_id
        ),
    )
    shop.stream(record)
    # then the points are back, once
    seen = shop.loyalty(reader)
    assert seen["balance"] == 100
    assert kinds(seen["history"])[0] == ("RESTORED", 100)


def test_bad_inputs_are_refused_and_change_nothing(shop: LoyaltyShop) -> None:
    reader, other = shop.sign_up(), shop.sign_up()
    cart = shop.cart(reader, shop.book("10.00"))
    # another customer's cart is not theirs to spend points on
    theirs = shop.apply(other, cart, 50)
    assert [e["code"] for e in theirs["userErrors"]] == ["CART_NOT_FOUND"]
    # negative points, and a made-up cart id
    negative = shop.apply(reader, cart, -5)
    assert [(e["code"], e["field"]) for e in negative["userErrors"]] == [
        ("INVALID_POINTS", ["points"])
    ]
    made_up = shop.apply(reader, "not-a-cart", 5)
    assert [e["code"] for e in made_up["userErrors"]] == ["INVALID_ID"]
    # a guest may not apply points at all
    guest = shop.gql(
        "mutation ($i: CartLoyaltyPointsApplyInput!) { cartLoyaltyPointsApply(input: $i) "
        "{ userErrors { code } } }",
        {"i": {"cartId": cart, "points": 5}},
    )
    assert guest["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # staff may not take more than the balance, nor give without a reason
    too_much = shop.adjust(reader, -101)
    assert [(e["code"], e["field"]) for e in too_much["userErrors"]] == [
        ("INSUFFICIENT_POINTS", ["points"])
    ]
    no_reason = shop.adjust(reader, 10, "  ")
    assert [e["code"] for e in no_reason["userErrors"]] == ["REASON_REQUIRED"]
    unknown = shop.payload(
        "mutation ($i: LoyaltyPointsAdjustInput!) { loyaltyPointsAdjust(input: $i) "
        "{ userErrors { code } } }",
        {"i": {"customerId": to_global_id("Customer", new_id()), "points": 5, "reason": "x"}},
        admin=True,
    )
    assert [e["code"] for e in unknown["userErrors"]] == ["CUSTOMER_NOT_FOUND"]
    # and nothing changed: both still hold their sign-up bonus, and the cart spends none
    assert shop.loyalty(reader)["balance"] == shop.loyalty(other)["balance"] == 100
    assert shop.apply(reader, cart, 0)["cart"]["loyaltyPoints"] is None


SETTINGS = """
mutation ($input: LoyaltySettingsUpdateInput!) {
  loyaltySettingsUpdate(input: $input) {
    settings { lotDays tiers { name segment earnMultiplier thresholds { amount currencyCode } } }
    userErrors { field code message }
  }
}"""
READ_SETTINGS = "{ loyaltySettings { lotDays rates { currencyCode earnPerUnit redeemPoints } } }"
MARKETING = "query ($id: ID!) { customerMarketing(customerId: $id) { segments } }"
STAFF_ACCOUNT = "query ($id: ID!) { loyaltyAccount(customerId: $id) { balance tier { name } } }"


def rules(*tiers: dict[str, Any], lot_days: int = 365) -> dict[str, Any]:
    return {
        "lotDays": lot_days,
        "rates": [
            {
                "currencyCode": "USD",
                "earnPerUnit": 1,
                "redeemPoints": 100,
                "redeemValue": {"amount": "1.00", "currencyCode": "USD"},
            }
        ],
        "tiers": list(tiers),
        "bonuses": [{"rule": "SIGN_UP", "points": 100}],
    }


def test_a_tier_reached_by_spend_multiplies_points_and_is_a_segment(shop: LoyaltyShop) -> None:
    # given staff rules: gold from 40.00 of goods a year, earning double
    gold = {
        "name": "Gold",
        "earnMultiplier": "2",
        "thresholds": [{"amount": "40.00", "currencyCode": "USD"}],
    }
    updated = shop.payload(
        SETTINGS, {"input": rules({"name": "member", "earnMultiplier": "1"}, gold)}, admin=True
    )
    assert updated["userErrors"] == []
    assert [t["segment"] for t in updated["settings"]["tiers"]] == ["tier:member", "tier:gold"]
    try:
        reader = shop.sign_up()
        # when they pay for 50.00 of goods
        first = shop.checkout(reader, shop.cart(reader, shop.book("50.00")))
        shop.pay(first["order"]["id"])
        # then that order earned at the member rate, and they are gold now
        seen = shop.loyalty(reader)
        assert kinds(seen["history"])[0] == ("EARNED", 50)
        assert seen["tier"] == {"name": "gold", "segment": "tier:gold", "earnMultiplier": "2"}
        segments = shop.payload(MARKETING, {"id": reader.gid}, admin=True)["segments"]
        assert "tier:gold" in segments
        staff_view = shop.payload(STAFF_ACCOUNT, {"id": reader.gid}, admin=True)
        assert staff_view == {"balance": 150, "tier": {"name": "gold"}}
        # and their next order earns double
        second = shop.checkout(reader, shop.cart(reader, shop.book("10.00")))
        shop.pay(second["order"]["id"])
        assert kinds(shop.loyalty(reader)["history"])[0] == ("EARNED", 20)
        # when the first order is refunded in full, they drop back to member
        shop.refund(first["order"]["id"], 5500)
        assert shop.loyalty(reader)["tier"]["name"] == "member"
        segments = shop.payload(MARKETING, {"id": reader.gid}, admin=True)["segments"]
        assert "tier:member" in segments
        assert "tier:gold" not in segments
    finally:
        shop.payload(
            SETTINGS, {"input": rules({"name": "member", "earnMultiplier": "1"})}, admin=True
        )


def test_unusable_rules_are_refused_and_the_old_ones_stay(shop: LoyaltyShop) -> None:
    before = shop.gql(READ_SETTINGS, admin=True)["data"]["loyaltySettings"]
    bad = rules(
        {"name": "gold!", "earnMultiplier": "11"},
        {"name": "gold!", "earnMultiplier": "1"},
        lot_days=0,
    )
    refused = shop.payload(SETTINGS, {"input": bad}, admin=True)
    assert refused["settings"] is None
    assert {e["code"] for e in refused["userErrors"]} == {"INVALID_SETTINGS"}
    assert len(refused["userErrors"]) == 5
    too_precise = rules()
    too_precise["rates"][0]["redeemValue"] = {"amount": "1.005", "currencyCode": "USD"}
    refused = shop.payload(SETTINGS, {"input": too_precise}, admin=True)
    assert [e["field"] for e in refused["userErrors"]] == [["rates", "0", "redeemValue"]]
    assert shop.gql(READ_SETTINGS, admin=True)["data"]["loyaltySettings"] == before
