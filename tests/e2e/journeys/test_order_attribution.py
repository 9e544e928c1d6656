"""Paid orders credited to their journeys from the table's stream, refunds taken back, and
the reports staff read: hand-computed credits, through the API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from journey_helpers import ago, call, event, record, sign_up
from starlette.testclient import TestClient

from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.catalog.model import VariantKind
from commerce.composition import Services
from commerce.events.consumers import Consumers
from commerce.events.handler import consume_batch
from commerce.graphql.ids import to_global_id
from commerce.money import Currency, Money
from commerce.observability.metrics import Metrics
from placed_orders import order_image
from stream_records import batch, stream_record
from stripe_events import event_body, intent_object, sign

WEBHOOK_SECRET = "whsec_test_secret"

CHECKOUT = """
mutation ($input: CheckoutCompleteInput!) {
  checkoutComplete(input: $input) { order { id } userErrors { field code message } }
}
"""
CART = """
mutation ($input: CartCreateInput!) {
  cartCreate(input: $input) { cart { id } userErrors { code } }
}
"""
ATTRIBUTION = """
query ($id: ID!) {
  orderAttribution(orderId: $id) {
    value { amount } refunded { amount } paymentMethod
    touches { touchId channel campaign credits { model amount { amount } } }
  }
}
"""
REPORT = """
query ($model: AttributionModel!, $dimension: AttributionDimension!, $start: Date!, $end: Date!) {
  attributionReport(model: $model, dimension: $dimension, start: $start, end: $end, currency: USD) {
    value orders conversions revenue { amount } averageOrderValue { amount }
    spend { amount } roas cac { amount } roi
  }
  attributionReportCsv(
    model: $model, dimension: $dimension, start: $start, end: $end, currency: USD
  )
}
"""
SPEND = """
mutation ($input: AdSpendImportInput!) {
  adSpendImport(input: $input) { imported userErrors { field code } }
}
"""
COHORT = """
query ($id: ID) {
  affiliateCohortReport(affiliateId: $id, orders: 2, currency: USD) {
    orderNumber customers repeatRate revenue { amount } withAppTouch
  }
}
"""


@pytest.fixture(scope="module")
def ebook(journey_services: Services) -> str:
    """A 19.99 USD e-book's variant id."""
    sku = f"EB-{uuid.uuid4().hex[:8]}"
    product = journey_services.catalog.create_product(
        ProductDraft(
            title=f"E-book {sku}",
            published=True,
            variants=(
                VariantDraft(
                    sku=sku, prices=(Money(1999, Currency.USD),), kind=VariantKind.DIGITAL
                ),
            ),
        )
    )
    return to_global_id("ProductVariant", f"{product.id}.{product.variants[0].id}")


@pytest.fixture(scope="module")
def consumers(journey_services: Services) -> Consumers:
    return Consumers(journey_services, Metrics("Commerce", "events"))


def place(
    client: TestClient, variant: str, visitor: str, affiliate: str | None = None, **kw: Any
) -> str:
    lines = [{"merchandiseId": variant}]
    cart_input: dict[str, Any] = {"lines": lines, "buyerIdentity": {"email": "reader@example.com"}}
    if affiliate is not None:
        cart_input["affiliateId"] = affiliate
    cart = call(client, CART, {"input": cart_input}, **kw)
    cart_id = cart["data"]["cartCreate"]["cart"]["id"]
    placed = call(
        client,
        CHECKOUT,
        {
            "input": {
                "cartId": cart_id,
                "idempotencyKey": str(uuid.uuid4()),
                "visitorToken": visitor,
            }
        },
        **kw,
    )
    result = placed["data"]["checkoutComplete"]
    assert result["userErrors"] == [], result
    order_id: str = result["order"]["id"]
    return order_id


def local(order_gid: str) -> str:
    from commerce.graphql.ids import local_id_or_none

    found = local_id_or_none(order_gid, "Order")
    assert found is not None
    return found


ORDER_PAYMENT_METHOD = "query ($id: ID!) { order(id: $id) { status paymentMethod } }"

APPLE_PAY_CHARGE = {
    "id": "ch_3QexampleApplePay",
    "object": "charge",
    "payment_method_details": {
        "type": "card",
        "card": {"brand": "visa", "last4": "4242", "wallet": {"type": "apple_pay"}},
    },
}


def pay(
    services: Services, consumers: Consumers, order_id: str, client: TestClient | None = None
) -> dict[str, Any]:
    """Pay the order (through a signed webhook carrying an Apple Pay charge when given the
    client), and deliver the order's stream record."""
    before = order_image(order_id)
    order = services.orders.order(order_id)
    assert order is not None
    assert order.payment_intent_id is not None
    if client is None:
        services.settlement.payment_succeeded(
            order_id=order_id, intent_id=order.payment_intent_id, amount=order.total
        )
    else:
        body = event_body(
            "payment_intent.succeeded",
            intent_object(
                order_id,
                amount=order.total.amount,
                intent_id=order.payment_intent_id,
                latest_charge=APPLE_PAY_CHARGE,
            ),
        )
        answer = client.post(
            "/webhooks/stripe",
            content=body,
            headers={
                "Stripe-Signature": sign(body, WEBHOOK_SECRET),
                "Content-Type": "application/json",
            },
        )
        assert answer.status_code == 200, answer.text
    record = stream_record("MODIFY", new=order_image(order_id), old=before)
    assert consume_batch(batch(record), consumers, Metrics("Commerce", "events")) == {
        "batchItemFailures": []
    }
    return record


def refund(services: Services, consumers: Consumers, order_id: str, total: int) -> dict[str, Any]:
    before = order_image(order_id)
    order = services.orders.order(order_id)
    assert order is not None
    assert order.payment_intent_id is not None
    services.settlement.refunded(
        order_id=order_id,
        intent_id=order.payment_intent_id,
        amount_refunded=Money(total, Currency.USD),
    )
    record = stream_record("MODIFY", new=order_image(order_id), old=before)
    consume_batch(batch(record), consumers, Metrics("Commerce", "events"))
    return record


def credits_by_model(attribution: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for touch in attribution["touches"]:
        for credit in touch["credits"]:
            found.setdefault(credit["model"], []).append(credit["amount"]["amount"])
    return found


def test_a_paid_order_credits_its_journey_under_every_model_and_refunds_come_back_once(
    journey_client: TestClient,
    journey_services: Services,
    consumers: Consumers,
    ebook: str,
    staff_key: str,
) -> None:
    # given a visitor who clicked a search ad, came back from an email, then directly
    visitor = record(
        journey_client,
        [
            event(at=ago(days=2), eventId="t1-ad", touch={"gclid": "abc", "utmCampaign": "spring"}),
            event(
                at=ago(days=1), eventId="t2-mail", touch={"utmSource": "news", "utmMedium": "email"}
            ),
            event(at=ago(hours=1), eventId="t3-direct", touch={}),
        ],
    )["visitorToken"]
    # when it buys the 19.99 e-book and the payment's stream record arrives twice
    order_gid = place(journey_client, ebook, visitor)
    order_id = local(order_gid)
    paid = pay(journey_services, consumers, order_id, journey_client)
    consume_batch(batch(paid), consumers, Metrics("Commerce", "events"))
    # then each touch holds its hand-computed credit (Markov and Shapley, unfitted, are linear)
    body = call(journey_client, ATTRIBUTION, {"id": order_gid}, api_key=staff_key)
    seen = body["data"]["orderAttribution"]
    assert seen["paymentMethod"] == "apple_pay"
    shown = call(journey_client, ORDER_PAYMENT_METHOD, {"id": order_gid}, api_key=staff_key)
    assert shown["data"]["order"] == {"status": "PAID", "paymentMethod": "apple_pay"}
    assert [t["channel"] for t in seen["touches"]] == ["paid_search", "email", "direct"]
    credits = credits_by_model(seen)
    assert credits["FIRST_TOUCH"] == ["19.99", "0.00", "0.00"]
    assert credits["LAST_TOUCH"] == ["0.00", "0.00", "19.99"]
    assert credits["LAST_NON_DIRECT"] == ["0.00", "19.99", "0.00"]
    assert credits["LINEAR"] == ["6.67", "6.66", "6.66"]
    # 40/20/40 of 1999: 799.6, 399.8, 799.6; the largest remainders take the two cents left
    assert credits["POSITION_BASED"] == ["8.00", "4.00", "7.99"]
    assert credits["MARKOV"] == credits["LINEAR"] == credits["SHAPLEY"]
    time_decay = [int(a.replace(".", "")) for a in credits["TIME_DECAY"]]
    assert sum(time_decay) == 1999
    assert time_decay[0] < time_decay[1] < time_decay[2]

    # when 5.00 is refunded, and that record too arrives twice
    refunded = refund(journey_services, consumers, order_id, 500)
    consume_batch(batch(refunded), consumers, Metrics("Commerce", "events"))
    # then 500 is taken from the credits once, pro rata: linear 166.83, 166.58, 166.58
    seen = call(journey_client, ATTRIBUTION, {"id": order_gid}, api_key=staff_key)["data"][
        "orderAttribution"
    ]
    assert seen["refunded"]["amount"] == "5.00"
    credits = credits_by_model(seen)
    assert credits["LINEAR"] == ["5.00", "4.99", "5.00"]
    assert credits["FIRST_TOUCH"] == ["14.99", "0.00", "0.00"]

    # and the channel report shows revenue net of the refund, with spend, ROAS, CAC, ROI
    today = datetime.now(UTC).date()
    spent = call(
        journey_client,
        SPEND,
        {
            "input": {
                "rows": [
                    {
                        "day": today.isoformat(),
                        "channel": "paid_search",
                        "campaign": "spring",
                        "amount": {"amount": "2.50", "currencyCode": "USD"},
                    }
                ]
            }
        },
        api_key=staff_key,
    )
    assert spent["data"]["adSpendImport"] == {"imported": 1, "userErrors": []}
    variables = {
        "model": "LINEAR",
        "dimension": "CHANNEL",
        "start": today.isoformat(),
        "end": (today + timedelta(days=1)).isoformat(),
    }
    report = call(journey_client, REPORT, variables, api_key=staff_key)["data"]
    rows = {r["value"]: r for r in report["attributionReport"]}
    assert rows["paid_search"]["revenue"]["amount"] == "5.00"
    assert rows["paid_search"]["conversions"] == "0.3337"
    assert rows["paid_search"]["spend"]["amount"] == "2.50"
    assert rows["paid_search"]["roas"] == "2.0000"
    assert rows["paid_search"]["roi"] == "1.0000"
    assert rows["paid_search"]["cac"]["amount"] == "7.49"
    assert (rows["email"]["revenue"]["amount"], rows["direct"]["revenue"]["amount"]) == (
        "4.99",
        "5.00",
    )
    assert report["attributionReportCsv"].splitlines()[0].startswith("value,orders,conversions")
    assert "paid_search,1,0.3337,5.00," in report["attributionReportCsv"]
    by_method = call(
        journey_client, REPORT, {**variables, "dimension": "PAYMENT_METHOD"}, api_key=staff_key
    )["data"]["attributionReport"]
    assert [(r["value"], r["orders"], r["revenue"]["amount"]) for r in by_method] == [
        ("apple_pay", 1, "14.99")
    ]


def test_an_order_without_touches_is_direct_and_reports_cut_by_app_touch(
    journey_client: TestClient,
    journey_services: Services,
    consumers: Consumers,
    ebook: str,
    staff_key: str,
) -> None:
    visitor = record(journey_client, [event("SEARCH", query="tea")])["visitorToken"]
    order_gid = place(journey_client, ebook, visitor)
    pay(journey_services, consumers, local(order_gid))
    seen = call(journey_client, ATTRIBUTION, {"id": order_gid}, api_key=staff_key)["data"][
        "orderAttribution"
    ]
    assert [(t["channel"], credits_by_model(seen)["LINEAR"]) for t in seen["touches"]] == [
        ("direct", ["19.99"])
    ]


def test_referred_customers_form_a_cohort_over_their_orders(
    journey_client: TestClient,
    journey_services: Services,
    consumers: Consumers,
    ebook: str,
    staff_key: str,
) -> None:
    partner = journey_services.access.create_partner("Cashback Co", "team@cashback.example")
    partner_gid = to_global_id("Partner", partner.id)
    customer_id, access = sign_up(journey_client)
    visitor = record(
        journey_client,
        [event(touch={"affiliateId": partner_gid, "utmMedium": "cashback"})],
        token=access,
        headers={"X-Commerce-Channel": "MOBILE"},
    )["visitorToken"]
    for _ in range(2):
        pay(journey_services, consumers, local(place(journey_client, ebook, visitor, token=access)))
    rows = call(journey_client, COHORT, {"id": partner_gid}, api_key=staff_key)["data"][
        "affiliateCohortReport"
    ]
    assert rows == [
        {
            "orderNumber": 1,
            "customers": 1,
            "repeatRate": "1.0000",
            "revenue": {"amount": "19.99"},
            "withAppTouch": 1,
        },
        {
            "orderNumber": 2,
            "customers": 1,
            "repeatRate": "1.0000",
            "revenue": {"amount": "19.99"},
            "withAppTouch": 1,
        },
    ]
    assert customer_id


COMMISSION_COHORT = """
query ($id: ID) {
  affiliateCohortReport(affiliateId: $id, orders: 3, currency: USD) {
    orderNumber customers revenue { amount } commission { amount }
    revenueAfterCommission { amount }
  }
  affiliateCohortReportCsv(affiliateId: $id, orders: 3, currency: USD)
}
"""
RULE_SET = """
mutation ($input: CommissionRuleSetInput!) {
  commissionRuleSet(input: $input) { userErrors { field code message } }
}
"""


def test_the_cohort_shows_what_its_partner_costs_net_of_reversals_and_what_it_earned(
    journey_client: TestClient,
    journey_services: Services,
    consumers: Consumers,
    ebook: str,
    staff_key: str,
) -> None:
    """30 % of first and repeat orders; the second order is refunded 10.00 of 19.99.

    Hand-computed: each order's goods are 19.99, so each commission is 30 % of 1999 =
    599.7, rounded to 6.00. The refund reverses 6.00 x 1000 / 1999 = 3.0015, rounded to
    3.00, leaving 3.00; the order's revenue is 19.99 - 10.00 = 9.99. What the referrals
    earned the store: 19.99 - 6.00 = 13.99 and 9.99 - 3.00 = 6.99.
    """
    partner = journey_services.access.create_partner("Thirty Percent", "team@thirty.example")
    partner_gid = to_global_id("Partner", partner.id)
    rule = {"partnerId": partner_gid, "firstOrderPercent": "30", "repeatPercent": "30"}
    set_rule = call(journey_client, RULE_SET, {"input": rule}, api_key=staff_key)
    assert set_rule["data"]["commissionRuleSet"]["userErrors"] == []
    _, access = sign_up(journey_client)
    visitor = record(journey_client, [event(touch={"affiliateId": partner_gid})], token=access)[
        "visitorToken"
    ]
    first = local(place(journey_client, ebook, visitor, partner_gid, token=access))
    pay(journey_services, consumers, first)
    second = local(place(journey_client, ebook, visitor, token=access))
    paid = pay(journey_services, consumers, second)
    refunded = refund(journey_services, consumers, second, 1000)
    expected = [
        {
            "orderNumber": 1,
            "customers": 1,
            "revenue": {"amount": "19.99"},
            "commission": {"amount": "6.00"},
            "revenueAfterCommission": {"amount": "13.99"},
        },
        {
            "orderNumber": 2,
            "customers": 1,
            "revenue": {"amount": "9.99"},
            "commission": {"amount": "3.00"},
            "revenueAfterCommission": {"amount": "6.99"},
        },
        {
            "orderNumber": 3,
            "customers": 0,
            "revenue": {"amount": "0.00"},
            "commission": {"amount": "0.00"},
            "revenueAfterCommission": {"amount": "0.00"},
        },
    ]
    csv_text = (
        "order_number,customers,repeat_rate,revenue,commission,revenue_after_commission,"
        "with_app_touch\r\n"
        "1,1,1.0000,19.99,6.00,13.99,0\r\n"
        "2,1,1.0000,9.99,3.00,6.99,0\r\n"
        "3,0,0.0000,0.00,0.00,0.00,0\r\n"
    )
    seen = call(journey_client, COMMISSION_COHORT, {"id": partner_gid}, api_key=staff_key)
    assert seen["data"]["affiliateCohortReport"] == expected
    assert seen["data"]["affiliateCohortReportCsv"] == csv_text
    # The ledger says the same: two commissions and one reversal.
    assert journey_services.affiliates.net_commission(second) == Money(300, Currency.USD)
    # Stream records delivered again move nothing.
    for again in (paid, refunded, paid):
        consume_batch(batch(again), consumers, Metrics("Commerce", "events"))
    seen = call(journey_client, COMMISSION_COHORT, {"id": partner_gid}, api_key=staff_key)
    assert seen["data"]["affiliateCohortReport"] == expected
    assert seen["data"]["affiliateCohortReportCsv"] == csv_text


def test_the_cohort_report_refuses_what_it_cannot_read(
    journey_client: TestClient, staff_key: str
) -> None:
    for variables, argument in (
        ({"id": to_global_id("Order", "x")}, "affiliateId"),
        ({"id": "garbled"}, "affiliateId"),
    ):
        seen = call(journey_client, COMMISSION_COHORT, variables, api_key=staff_key)
        assert seen["data"] is None
        assert {e["extensions"].get("argument") for e in seen["errors"]} == {argument}


def test_checkout_refuses_a_visitor_token_the_store_did_not_issue(
    journey_client: TestClient, ebook: str
) -> None:
    lines, buyer = [{"merchandiseId": ebook}], {"email": "reader@example.com"}
    cart = call(journey_client, CART, {"input": {"lines": lines, "buyerIdentity": buyer}})
    cart_id = cart["data"]["cartCreate"]["cart"]["id"]
    forged = "v1.01jexampze0000000000000000.forged"
    placed = call(
        journey_client,
        CHECKOUT,
        {"input": {"cartId": cart_id, "idempotencyKey": str(uuid.uuid4()), "visitorToken": forged}},
    )["data"]["checkoutComplete"]
    assert placed["order"] is None
    assert [(e["field"], e["code"]) for e in placed["userErrors"]] == [
        (["visitorToken"], "INVALID_ID")
    ]
