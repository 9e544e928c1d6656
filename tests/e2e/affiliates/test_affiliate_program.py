"""The affiliate program end to end over the API: a cashback partner paid 30 % of every
sale of a customer it referred, a partial refund taken back once, the approval job, the
payout and its report; and every refusal a staff input can meet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from affiliate_helpers import (
    approve,
    call,
    data,
    deliver,
    ebook,
    partner_with_key,
    pay,
    place,
    refund,
    refund_event,
    sign_up,
    stripe_post,
)
from starlette.testclient import TestClient

from commerce.composition import Services
from commerce.events.consumers import Consumers
from commerce.graphql.ids import local_id_or_none
from commerce.observability.metrics import Metrics

RULE_SET = """
mutation ($input: CommissionRuleSetInput!) {
  commissionRuleSet(input: $input) {
    rule { firstOrderPercent repeatPercent repeatMonths holdingDays }
    userErrors { field code message }
  }
}
"""
PORTAL = """
query ($state: CommissionState) {
  partnerPortal {
    trackingLink
    balances {
      currencyCode pending { amount } approved { amount } paid { amount } total { amount }
    }
    commissions(state: $state) {
      id orderNumber kind state percent amount { amount } base { amount }
    }
    payouts { id status total { amount } externalReference }
    referredCustomers { pseudonym }
  }
}
"""
BINDING = """
query ($id: ID!) {
  affiliateBinding(customerId: $id) {
    partnerId rule { repeatPercent } history { fromPartnerId toPartnerId reason }
  }
}
"""
BINDING_CHANGE = """
mutation ($input: AffiliateBindingChangeInput!) {
  affiliateBindingChange(input: $input) {
    binding { partnerId history { reason } } userErrors { field code message }
  }
}
"""
PAYOUT_CREATE = """
mutation ($input: AffiliatePayoutCreateInput!) {
  affiliatePayoutCreate(input: $input) {
    payout { id status total { amount currencyCode } lines { kind amount { amount } } }
    userErrors { field code message }
  }
}
"""
PAYOUT_PAID = """
mutation ($input: AffiliatePayoutMarkPaidInput!) {
  affiliatePayoutMarkPaid(input: $input) {
    payout { id status externalReference paidAt } userErrors { field code message }
  }
}
"""
CSV = "query ($id: ID!) { affiliatePayoutCsv(id: $id) }"


@pytest.fixture(scope="module")
def consumers(affiliate_services: Services) -> Consumers:
    return Consumers(affiliate_services, Metrics("Commerce", "events"))


def portal(client: TestClient, key: str, state: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = data(client, PORTAL, {"state": state}, api_key=key)["partnerPortal"]
    return found


def test_a_referred_customer_earns_the_partner_30_percent_of_every_sale_net_of_refunds(
    affiliate_client: TestClient,
    affiliate_services: Services,
    consumers: Consumers,
    staff_key: str,
) -> None:
    client, services = affiliate_client, affiliate_services
    partner, partner_key = partner_with_key(services, "Cashback Club")
    other, other_key = partner_with_key(services, "Other Blog")
    variant = ebook(services)
    rule = data(
        client,
        RULE_SET,
        {
            "input": {
                "partnerId": partner,
                "firstOrderPercent": "30",
                "repeatPercent": "30",
                "holdingDays": 30,
            }
        },
        api_key=staff_key,
    )["commissionRuleSet"]
    assert rule == {
        "rule": {
            "firstOrderPercent": "30.00",
            "repeatPercent": "30.00",
            "repeatMonths": None,
            "holdingDays": 30,
        },
        "userErrors": [],
    }

    # Given a customer who came through the partner's link and paid a first order,
    customer, token = sign_up(client)
    first = place(client, variant, token=token, affiliate=partner)
    pay(client, services, consumers, first)
    # and then twice more from another device, without the link,
    second = place(client, variant, token=token)
    third = place(client, variant, token=token)
    pay(client, services, consumers, second)
    third_paid = pay(client, services, consumers, third)
    # and the staff raising the partner's rate later (the binding keeps 30 %),
    data(
        client,
        RULE_SET,
        {"input": {"partnerId": partner, "firstOrderPercent": "50", "repeatPercent": "50"}},
        api_key=staff_key,
    )
    # when the third order is half refunded by Stripe, and the event and record come twice,
    refunded = refund_event(services, third, 999)
    record = refund(client, consumers, third, refunded)
    stripe_post(client, refunded)
    deliver(consumers, record)
    deliver(consumers, third_paid)

    # then the partner sees three 30 % commissions of 6.00 (19.99 paid) and one reversal
    # of 3.00 (999/1999 of 6.00), all pending.
    seen = portal(client, partner_key)
    amounts = sorted((c["kind"], c["amount"]["amount"], c["state"]) for c in seen["commissions"])
    assert amounts == [
        ("COMMISSION", "6.00", "PENDING"),
        ("COMMISSION", "6.00", "PENDING"),
        ("COMMISSION", "6.00", "PENDING"),
        ("REVERSAL", "-3.00", "PENDING"),
    ]
    assert {c["percent"] for c in seen["commissions"]} == {"30.00"}
    assert {c["base"]["amount"] for c in seen["commissions"]} == {"19.99"}
    assert seen["balances"] == [
        {
            "currencyCode": "USD",
            "pending": {"amount": "15.00"},
            "approved": {"amount": "0.00"},
            "paid": {"amount": "0.00"},
            "total": {"amount": "15.00"},
        }
    ]
    assert len(seen["referredCustomers"]) == 1
    assert customer not in str(seen)
    assert seen["trackingLink"].endswith(f"?ref={partner}")
    # The binding is on the customer's account, staff can read it.
    binding = data(client, BINDING, {"id": customer}, api_key=staff_key)["affiliateBinding"]
    assert binding == {"partnerId": partner, "rule": {"repeatPercent": "30.00"}, "history": []}
    # The other partner sees nothing of it.
    assert portal(client, other_key) == {
        "trackingLink": portal(client, other_key)["trackingLink"],
        "balances": [],
        "commissions": [],
        "payouts": [],
        "referredCustomers": [],
    }

    # Nothing is payable inside the holding period: no payout.
    early = data(
        client,
        PAYOUT_CREATE,
        {"input": {"partnerId": partner, "currencyCode": "USD"}},
        api_key=staff_key,
    )["affiliatePayoutCreate"]
    assert early["payout"] is None
    assert [e["code"] for e in early["userErrors"]] == ["NOTHING_TO_PAY"]

    # When the approval job runs after 30 days (twice: a retried schedule),
    later = datetime.now(UTC) + timedelta(days=31)
    assert approve(services, later)["approved"] == 3
    assert approve(services, later)["approved"] == 0
    approved = portal(client, partner_key, "APPROVED")
    assert len(approved["commissions"]) == 4
    assert approved["balances"][0]["approved"] == {"amount": "15.00"}

    # then staff pay 15.00 out, export it and mark it paid with the bank's reference.
    created = data(
        client,
        PAYOUT_CREATE,
        {"input": {"partnerId": partner, "currencyCode": "USD"}},
        api_key=staff_key,
    )["affiliatePayoutCreate"]
    assert created["userErrors"] == []
    payout = created["payout"]
    assert payout["total"] == {"amount": "15.00", "currencyCode": "USD"}
    assert sorted(line["amount"]["amount"] for line in payout["lines"]) == [
        "-3.00",
        "6.00",
        "6.00",
        "6.00",
    ]
    csv_text = data(client, CSV, {"id": payout["id"]}, api_key=staff_key)["affiliatePayoutCsv"]
    rows = csv_text.strip().splitlines()
    assert rows[0].startswith("payout_id,partner_id,status,entry_id,order_number")
    assert len(rows) == 6
    assert rows[-1].split(",")[-2:] == ["15.00", "USD"]
    paid = data(
        client,
        PAYOUT_PAID,
        {"input": {"payoutId": payout["id"], "externalReference": "BANK-2026-001"}},
        api_key=staff_key,
    )["affiliatePayoutMarkPaid"]
    assert paid["userErrors"] == []
    assert paid["payout"]["status"] == "PAID"
    again = data(
        client,
        PAYOUT_PAID,
        {"input": {"payoutId": payout["id"], "externalReference": "BANK-2026-002"}},
        api_key=staff_key,
    )["affiliatePayoutMarkPaid"]
    assert [e["code"] for e in again["userErrors"]] == ["PAYOUT_ALREADY_PAID"]

    after = portal(client, partner_key)
    assert after["balances"][0]["paid"] == {"amount": "15.00"}
    assert after["balances"][0]["approved"] == {"amount": "0.00"}
    assert [(p["status"], p["externalReference"]) for p in after["payouts"]] == [
        ("PAID", "BANK-2026-001")
    ]

    # A refund after the payout is a negative entry carried into the next payout.
    second_refund = refund_event(services, second, 1999)
    refund(client, consumers, second, second_refund)
    carried = portal(client, partner_key, "APPROVED")["commissions"]
    assert [(c["kind"], c["amount"]["amount"]) for c in carried] == [("REVERSAL", "-6.00")]
    nothing = data(
        client,
        PAYOUT_CREATE,
        {"input": {"partnerId": partner, "currencyCode": "USD"}},
        api_key=staff_key,
    )["affiliatePayoutCreate"]
    assert [e["code"] for e in nothing["userErrors"]] == ["NOTHING_TO_PAY"]

    # Staff move the customer to the other partner, saying why; its rule of today applies.
    moved = data(
        client,
        BINDING_CHANGE,
        {"input": {"customerId": customer, "partnerId": other, "reason": "Customer asked"}},
        api_key=staff_key,
    )["affiliateBindingChange"]
    assert moved == {
        "binding": {"partnerId": other, "history": [{"reason": "Customer asked"}]},
        "userErrors": [],
    }


def test_a_guest_order_earns_the_first_order_rate_and_binds_nobody(
    affiliate_client: TestClient,
    affiliate_services: Services,
    consumers: Consumers,
    staff_key: str,
) -> None:
    client, services = affiliate_client, affiliate_services
    partner, key = partner_with_key(services, "Coupon Site")
    data(
        client,
        RULE_SET,
        {
            "input": {
                "partnerId": partner,
                "firstOrderPercent": "10",
                "fixedPerOrder": {"amount": "1.50", "currencyCode": "USD"},
            }
        },
        api_key=staff_key,
    )
    order = place(client, ebook(services), token=None, affiliate=partner)
    pay(client, services, consumers, order)
    seen = portal(client, key)
    assert sorted(c["amount"]["amount"] for c in seen["commissions"]) == ["1.50", "2.00"]
    assert seen["referredCustomers"] == []


def test_a_full_refund_inside_the_holding_period_leaves_nothing_to_approve(
    affiliate_client: TestClient,
    affiliate_services: Services,
    consumers: Consumers,
    staff_key: str,
) -> None:
    client, services = affiliate_client, affiliate_services
    partner, key = partner_with_key(services, "Refund Watch")
    data(
        client,
        RULE_SET,
        {"input": {"partnerId": partner, "firstOrderPercent": "30"}},
        api_key=staff_key,
    )
    _, token = sign_up(client)
    order = place(client, ebook(services), token=token, affiliate=partner)
    pay(client, services, consumers, order)
    refund(client, consumers, order, refund_event(services, order, 1999))
    approve(services, datetime.now(UTC) + timedelta(days=31))
    balance = portal(client, key)["balances"][0]
    assert balance["approved"] == {"amount": "0.00"}
    assert balance["total"] == {"amount": "0.00"}


@pytest.mark.parametrize(
    ("rule_input", "code", "field"),
    [
        ({"firstOrderPercent": "30"}, "INVALID", ["partnerId"]),
        (
            {"partnerId": "$PARTNER", "group": "g", "firstOrderPercent": "30"},
            "INVALID",
            ["partnerId"],
        ),
        (
            {"partnerId": "$PARTNER", "firstOrderPercent": "130"},
            "INVALID_RATE",
            ["firstOrderPercent"],
        ),
        ({"partnerId": "$PARTNER", "repeatPercent": "-1"}, "INVALID_RATE", ["repeatPercent"]),
        ({"partnerId": "$PARTNER", "repeatPercent": "1.234"}, "INVALID_RATE", ["repeatPercent"]),
        ({"partnerId": "$PARTNER", "holdingDays": 400}, "INVALID", ["holdingDays"]),
        ({"partnerId": "$PARTNER", "repeatMonths": -1}, "INVALID", ["repeatMonths"]),
        ({"partnerId": "Z2lkOi8vbm90"}, "INVALID_ID", ["partnerId"]),
        ({"partnerId": "$NOBODY"}, "PARTNER_NOT_FOUND", ["partnerId"]),
        (
            {"partnerId": "$PARTNER", "productRates": [{"productId": "x", "percent": "5"}]},
            "INVALID_ID",
            ["productRates", "0", "productId"],
        ),
        (
            {"partnerId": "$PARTNER", "fixedPerOrder": {"amount": "1.001", "currencyCode": "USD"}},
            "INVALID_AMOUNT",
            ["fixedPerOrder"],
        ),
    ],
)
def test_a_bad_rule_is_refused_with_its_code_and_nothing_is_stored(  # noqa: PLR0917
    affiliate_client: TestClient,
    affiliate_services: Services,
    staff_key: str,
    rule_input: dict[str, Any],
    code: str,
    field: list[str],
) -> None:
    from commerce.graphql.ids import to_global_id

    partner, _ = partner_with_key(affiliate_services, "Bad Rules")
    swapped = {
        k: (
            partner
            if v == "$PARTNER"
            else to_global_id("Partner", "nobody")
            if v == "$NOBODY"
            else v
        )
        for k, v in rule_input.items()
    }
    result = data(affiliate_client, RULE_SET, {"input": swapped}, api_key=staff_key)[
        "commissionRuleSet"
    ]
    assert result["rule"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [(code, field)]
    stored = data(
        affiliate_client,
        "query ($id: ID) { commissionRule(partnerId: $id) { holdingDays } }",
        {"id": partner},
        api_key=staff_key,
    )
    assert stored["commissionRule"] is None


def test_staff_refusals_for_bindings_and_payouts(
    affiliate_client: TestClient, affiliate_services: Services, staff_key: str
) -> None:
    client = affiliate_client
    partner, _ = partner_with_key(affiliate_services, "Refusals")
    customer, _ = sign_up(client)
    unbound = data(
        client,
        BINDING_CHANGE,
        {"input": {"customerId": customer, "partnerId": partner, "reason": "move"}},
        api_key=staff_key,
    )["affiliateBindingChange"]
    assert [e["code"] for e in unbound["userErrors"]] == ["CUSTOMER_NOT_BOUND"]
    no_reason = data(
        client,
        BINDING_CHANGE,
        {"input": {"customerId": customer, "partnerId": partner, "reason": "  "}},
        api_key=staff_key,
    )["affiliateBindingChange"]
    assert [(e["code"], e["field"]) for e in no_reason["userErrors"]] == [
        ("REASON_REQUIRED", ["reason"])
    ]
    bad_payout = data(client, PAYOUT_PAID, {"input": {"payoutId": partner}}, api_key=staff_key)[
        "affiliatePayoutMarkPaid"
    ]
    assert [(e["code"], e["field"]) for e in bad_payout["userErrors"]] == [
        ("INVALID_ID", ["payoutId"])
    ]
    from commerce.graphql.ids import to_global_id

    unknown = data(
        client,
        PAYOUT_PAID,
        {"input": {"payoutId": to_global_id("AffiliatePayout", "nope"), "externalReference": "x"}},
        api_key=staff_key,
    )["affiliatePayoutMarkPaid"]
    assert [e["code"] for e in unknown["userErrors"]] == ["PAYOUT_NOT_FOUND"]
    feed = call(
        client,
        '{ affiliatePortal(partnerId: "nope") { balances { currencyCode } } }',
        api_key=staff_key,
    )
    assert feed["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert local_id_or_none(partner, "Partner") is not None


def test_the_product_feed_carries_the_partner_link_and_pages(
    affiliate_client: TestClient, affiliate_services: Services
) -> None:
    _, key = partner_with_key(affiliate_services, "Feed Partner")
    for _ in range(3):
        ebook(affiliate_services)
    affiliate_services.catalog.invalidate()
    query = """
    query ($first: Int!, $after: String) {
      partnerPortal { productFeed(currency: USD, first: $first, after: $after) {
        products { handle link price { amount currencyCode } } endCursor hasNextPage } }
    }
    """
    page = data(affiliate_client, query, {"first": 2}, api_key=key)["partnerPortal"]["productFeed"]
    assert len(page["products"]) == 2
    assert page["hasNextPage"] is True
    for product in page["products"]:
        assert f"/products/{product['handle']}?ref=" in product["link"]
        assert product["price"]["currencyCode"] == "USD"
    rest = data(affiliate_client, query, {"first": 2, "after": page["endCursor"]}, api_key=key)[
        "partnerPortal"
    ]["productFeed"]
    assert {p["handle"] for p in rest["products"]}.isdisjoint(
        {p["handle"] for p in page["products"]}
    )
    too_many = call(affiliate_client, query, {"first": 500}, api_key=key)
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
