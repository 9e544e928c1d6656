"""Collection rates, monthly volume tiers and card disputes, end to end over the API:
rules set by staff through GraphQL, orders placed and paid through checkout and signed
Stripe events, the order's stream records delivered to the events function (twice), and
what the partner sees in its portal."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from affiliate_helpers import (
    call,
    data,
    deliver,
    partner_with_key,
    pay,
    place,
    refund,
    refund_event,
    stripe_post,
)
from starlette.testclient import TestClient

from commerce.catalog.commands import CollectionDraft, ProductDraft, VariantDraft
from commerce.catalog.model import VariantKind
from commerce.composition import Services
from commerce.events.consumers import Consumers
from commerce.graphql.ids import to_global_id
from commerce.money import Currency, Money
from commerce.observability.metrics import Metrics
from placed_orders import order_image
from stream_records import stream_record
from stripe_events import dispute_object, event_body

RULE_SET = """
mutation ($input: CommissionRuleSetInput!) {
  commissionRuleSet(input: $input) {
    rule {
      repeatPercent
      collectionRates { collectionId percent }
      tiers { threshold { amount currencyCode } percent }
    }
    userErrors { field code message }
  }
}
"""
RULE = """
query ($id: ID!) {
  commissionRule(partnerId: $id) { collectionRates { percent } tiers { percent } }
}
"""
PORTAL = """
query ($month: String!) {
  partnerPortal {
    commissions { orderNumber kind state percent amount { amount } }
    balances { total { amount } }
    monthlyVolume(month: $month, currencyCode: USD) { amount currencyCode }
  }
}
"""


@pytest.fixture(scope="module")
def consumers(affiliate_services: Services) -> Consumers:
    return Consumers(affiliate_services, Metrics("Commerce", "events"))


def this_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


def portal(client: TestClient, key: str) -> dict[str, Any]:
    found: dict[str, Any] = data(client, PORTAL, {"month": this_month()}, api_key=key)[
        "partnerPortal"
    ]
    return found


def book(services: Services, cents: int, collection_id: str | None = None) -> str:
    """A published digital product's variant id, in the collection when given."""
    sku = f"AFF-{uuid.uuid4().hex[:8]}"
    product = services.catalog.create_product(
        ProductDraft(
            title=f"Book {sku}",
            published=True,
            variants=(
                VariantDraft(
                    sku=sku, prices=(Money(cents, Currency.USD),), kind=VariantKind.DIGITAL
                ),
            ),
        )
    )
    if collection_id is not None:
        services.catalog.add_to_collection(collection_id, [product.id])
    return to_global_id("ProductVariant", f"{product.id}.{product.variants[0].id}")


def set_rule(client: TestClient, staff_key: str, **rule: Any) -> dict[str, Any]:
    found: dict[str, Any] = data(client, RULE_SET, {"input": rule}, api_key=staff_key)[
        "commissionRuleSet"
    ]
    return found


def entries(client: TestClient, key: str) -> list[tuple[str, str, str]]:
    return sorted(
        (c["kind"], c["percent"], c["amount"]["amount"]) for c in portal(client, key)["commissions"]
    )


def test_a_collection_rate_and_a_volume_tier_price_each_line_and_refunds_lower_the_volume(
    affiliate_client: TestClient,
    affiliate_services: Services,
    consumers: Consumers,
    staff_key: str,
) -> None:
    client, services = affiliate_client, affiliate_services
    partner, key = partner_with_key(services, "Tiered Blog")
    shelf = services.catalog.create_collection(CollectionDraft(title=f"Sci-fi {uuid.uuid4().hex}"))
    shelved = book(services, 2000, shelf.id)
    plain = book(services, 2000)
    # Given 20 % of every order, 50 % of the shelf's books, and 25 % once the month's
    # referred net sales reached 30.00,
    stored = set_rule(
        client,
        staff_key,
        partnerId=partner,
        firstOrderPercent="20",
        repeatPercent="20",
        collectionRates=[{"collectionId": to_global_id("Collection", shelf.id), "percent": "50"}],
        tiers=[{"threshold": {"amount": "30.00", "currencyCode": "USD"}, "percent": "25"}],
    )
    assert stored["userErrors"] == []
    assert stored["rule"]["collectionRates"] == [
        {"collectionId": to_global_id("Collection", shelf.id), "percent": "50.00"}
    ]
    assert stored["rule"]["tiers"] == [
        {"threshold": {"amount": "30.00", "currencyCode": "USD"}, "percent": "25.00"}
    ]

    # when guests referred by the partner buy a shelf book and two plain ones,
    first = place(client, shelved, token=None, affiliate=partner)
    pay(client, services, consumers, first)
    second = place(client, plain, token=None, affiliate=partner)
    second_paid = pay(client, services, consumers, second)
    # (the second order's record delivered again changes nothing)
    deliver(consumers, second_paid)
    third = place(client, plain, token=None, affiliate=partner)
    pay(client, services, consumers, third)

    # then the shelf book earns 50 %, the second order 20 % (volume 20.00 before it), and
    # the third 25 % (volume 40.00 before it); the month's volume is 60.00.
    seen = portal(client, key)
    assert sorted((c["percent"], c["amount"]["amount"]) for c in seen["commissions"]) == [
        ("20.00", "4.00"),
        ("25.00", "5.00"),
        ("50.00", "10.00"),
    ]
    assert seen["monthlyVolume"] == {"amount": "60.00", "currencyCode": "USD"}

    # When two orders are refunded in full (the events twice), the volume drops to 20.00
    # and the next order is back at 20 %: the tier is decided on net sales.
    for order_id in (first, second):
        body = refund_event(services, order_id, 2000)
        record = refund(client, consumers, order_id, body)
        stripe_post(client, body)
        deliver(consumers, record)
    assert portal(client, key)["monthlyVolume"]["amount"] == "20.00"
    fourth = place(client, plain, token=None, affiliate=partner)
    pay(client, services, consumers, fourth)
    assert entries(client, key) == [
        ("COMMISSION", "20.00", "4.00"),
        ("COMMISSION", "20.00", "4.00"),
        ("COMMISSION", "25.00", "5.00"),
        ("COMMISSION", "50.00", "10.00"),
        ("REVERSAL", "20.00", "-4.00"),
        ("REVERSAL", "50.00", "-10.00"),
    ]
    assert portal(client, key)["monthlyVolume"]["amount"] == "40.00"


def test_bad_collection_rates_and_tiers_are_refused_with_their_field_and_nothing_is_stored(
    affiliate_client: TestClient, affiliate_services: Services, staff_key: str
) -> None:
    client = affiliate_client
    partner, _ = partner_with_key(affiliate_services, "Careful Blog")
    usd = "USD"
    refused = set_rule(
        client,
        staff_key,
        partnerId=partner,
        collectionRates=[
            {"collectionId": "not-a-collection", "percent": "10"},
            {"collectionId": to_global_id("Collection", "c1"), "percent": "101"},
            {"collectionId": to_global_id("Collection", "c2"), "percent": "1.234"},
        ],
        tiers=[
            {"threshold": {"amount": "0", "currencyCode": usd}, "percent": "10"},
            {"threshold": {"amount": "-5.00", "currencyCode": usd}, "percent": "10"},
            {"threshold": {"amount": "1.001", "currencyCode": usd}, "percent": "10"},
            {"threshold": {"amount": "100.00", "currencyCode": usd}, "percent": "-1"},
            {"threshold": {"amount": "50.00", "currencyCode": usd}, "percent": "10"},
            {"threshold": {"amount": "50.00", "currencyCode": usd}, "percent": "12"},
        ],
    )
    assert refused["rule"] is None
    assert sorted((tuple(e["field"]), e["code"]) for e in refused["userErrors"]) == [
        (("collectionRates", "0", "collectionId"), "INVALID_ID"),
        (("collectionRates", "1", "percent"), "INVALID_RATE"),
        (("collectionRates", "2", "percent"), "INVALID_RATE"),
        (("tiers", "0", "threshold"), "INVALID_AMOUNT"),
        (("tiers", "1", "threshold"), "INVALID_AMOUNT"),
        (("tiers", "2", "threshold"), "INVALID_AMOUNT"),
        (("tiers", "3", "percent"), "INVALID_RATE"),
        (("tiers", "5", "threshold"), "INVALID"),
    ]
    too_many = set_rule(
        client,
        staff_key,
        partnerId=partner,
        tiers=[
            {"threshold": {"amount": f"{n}.00", "currencyCode": usd}, "percent": "10"}
            for n in range(1, 12)
        ],
    )
    assert [e["field"] for e in too_many["userErrors"]] == [["tiers"]]
    body = call(client, RULE, {"id": partner}, api_key=staff_key)
    assert body["data"]["commissionRule"] is None
    # A month that is not one is a bad argument, not an empty volume.
    _, key = partner_with_key(affiliate_services, "Month Blog")
    for month in ("2026-13", "December", "2026-1"):
        answer = call(client, PORTAL, {"month": month}, api_key=key)
        assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", answer


def dispute(
    client: TestClient,
    consumers: Consumers,
    order_id: str,
    event_type: str,
    obj: dict[str, Any],
) -> None:
    """A signed dispute event (posted twice, then again under a new event id, as Stripe may
    send it), and the order's stream record delivered twice."""
    before = order_image(order_id)
    body = event_body(event_type, obj)
    stripe_post(client, body)
    stripe_post(client, body)
    record = stream_record("MODIFY", new=order_image(order_id), old=before)
    deliver(consumers, record)
    deliver(consumers, record)
    stripe_post(client, event_body(event_type, obj))


def test_a_dispute_is_reversed_once_a_won_one_given_back_and_a_lost_one_kept(
    affiliate_client: TestClient,
    affiliate_services: Services,
    consumers: Consumers,
    staff_key: str,
) -> None:
    client, services = affiliate_client, affiliate_services
    partner, key = partner_with_key(services, "Disputed Blog")
    variant = book(services, 2000)
    set_rule(client, staff_key, partnerId=partner, firstOrderPercent="30", repeatPercent="30")
    won_order = place(client, variant, token=None, affiliate=partner)
    lost_order = place(client, variant, token=None, affiliate=partner)
    for order_id in (won_order, lost_order):
        pay(client, services, consumers, order_id)

    def intent(order_id: str) -> str:
        order = services.orders.order(order_id)
        assert order is not None
        assert order.payment_intent_id is not None
        return order.payment_intent_id

    # When the first order's bank disputes half of it and the store wins,
    won = dispute_object(intent(won_order), 1000, dispute_id=f"dp_{uuid.uuid4().hex[:20]}")
    dispute(client, consumers, won_order, "charge.dispute.created", won)
    assert entries(client, key) == [
        ("COMMISSION", "30.00", "6.00"),
        ("COMMISSION", "30.00", "6.00"),
        ("DISPUTE", "30.00", "-3.00"),
    ]
    assert portal(client, key)["monthlyVolume"]["amount"] == "30.00"
    dispute(client, consumers, won_order, "charge.dispute.closed", {**won, "status": "won"})
    # and the second order is refunded 5.00, then disputed for the rest, and lost,
    body = refund_event(services, lost_order, 500)
    refund(client, consumers, lost_order, body)
    lost = dispute_object(intent(lost_order), 1500, dispute_id=f"dp_{uuid.uuid4().hex[:20]}")
    dispute(client, consumers, lost_order, "charge.dispute.created", lost)
    dispute(client, consumers, lost_order, "charge.dispute.closed", {**lost, "status": "lost"})

    # then the won dispute's 3.00 came back, and the lost order gave back everything once.
    assert entries(client, key) == [
        ("COMMISSION", "30.00", "6.00"),
        ("COMMISSION", "30.00", "6.00"),
        ("DISPUTE", "30.00", "-3.00"),
        ("DISPUTE", "30.00", "-4.50"),
        ("DISPUTE_WON", "30.00", "3.00"),
        ("REVERSAL", "30.00", "-1.50"),
    ]
    seen = portal(client, key)
    assert seen["balances"] == [{"total": {"amount": "6.00"}}]
    assert seen["monthlyVolume"]["amount"] == "20.00"
    # The order records its disputes, for staff and reports.
    disputes = services.orders.order(lost_order)
    assert disputes is not None
    assert [(d.amount.amount, d.status.value) for d in disputes.disputes] == [(1500, "LOST")]


def test_a_dispute_of_an_unpaid_order_changes_nothing(
    affiliate_client: TestClient, affiliate_services: Services, consumers: Consumers
) -> None:
    client, services = affiliate_client, affiliate_services
    partner, key = partner_with_key(services, "Early Blog")
    order_id = place(client, book(services, 2000), token=None, affiliate=partner)
    order = services.orders.order(order_id)
    assert order is not None
    assert order.payment_intent_id is not None
    before = order_image(order_id)
    stripe_post(
        client, event_body("charge.dispute.created", dispute_object(order.payment_intent_id, 2000))
    )
    assert order_image(order_id) == before
    assert portal(client, key)["commissions"] == []
