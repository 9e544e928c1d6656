"""A tracking-link click binds the visitor to the partner and counts the partner's day:
storefront events recorded through eventsRecord, their stream records delivered to the
events function (twice), orders checked out with the visitor's token and paid through
signed Stripe events, and the partner's portal."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from affiliate_helpers import (
    CART,
    CHECKOUT,
    call,
    data,
    deliver,
    ebook,
    partner_with_key,
    pay,
    place,
    sign_up,
)
from starlette.testclient import TestClient

from commerce.composition import Services
from commerce.events.consumers import Consumers
from commerce.graphql.ids import local_id_or_none
from commerce.journeys.store import events as event_store
from commerce.journeys.store.visitors import visitor_pk
from commerce.observability.metrics import Metrics
from stream_records import stream_record

RECORD = """
mutation ($input: EventsRecordInput!) {
  eventsRecord(input: $input) { visitorToken stored userErrors { field code message } }
}
"""
RULE_SET = """
mutation ($input: CommissionRuleSetInput!) {
  commissionRuleSet(input: $input) { userErrors { field code message } }
}
"""
PORTAL = """
query ($from: Date!, $to: Date!) {
  partnerPortal {
    commissions { orderNumber kind percent amount { amount } }
    clicks(fromDay: $from, toDay: $to) { day clicks }
  }
}
"""


@pytest.fixture(scope="module")
def consumers(affiliate_services: Services) -> Consumers:
    return Consumers(affiliate_services, Metrics("Commerce", "events"))


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def portal(client: TestClient, key: str) -> dict[str, Any]:
    found: dict[str, Any] = data(client, PORTAL, {"from": today(), "to": today()}, api_key=key)[
        "partnerPortal"
    ]
    return found


def click(
    client: TestClient,
    services: Services,
    consumers: Consumers,
    partner: str,
    visitor_token: str | None = None,
) -> str:
    """A page view from the partner's link; its stream record delivered twice."""
    event_id = uuid.uuid4().hex
    recorded = data(
        client,
        RECORD,
        {
            "input": {
                "visitorToken": visitor_token,
                "events": [
                    {
                        "eventId": event_id,
                        "kind": "PAGE_VIEW",
                        "occurredAt": datetime.now(UTC).isoformat(),
                        "path": "/",
                        "touch": {"affiliateId": partner},
                    }
                ],
            }
        },
    )["eventsRecord"]
    assert recorded["userErrors"] == [], recorded
    token: str = recorded["visitorToken"]
    visitor = services.journeys.visitor_of(token)
    assert visitor is not None
    [item] = [
        i for i in event_store.EventItem.query(visitor_pk(visitor)) if str(i.sk).endswith(event_id)
    ]
    record = stream_record("INSERT", new=item.serialize())
    deliver(consumers, record)
    deliver(consumers, record)
    return token


def checkout(
    client: TestClient, variant: str, *, visitor_token: str, token: str | None = None
) -> str:
    """An order without a ref on its cart, checked out with the visitor's token."""
    cart = data(
        client,
        CART,
        {
            "input": {
                "lines": [{"merchandiseId": variant}],
                "buyerIdentity": {"email": "reader@example.com"},
            }
        },
        token=token,
    )["cartCreate"]
    placed = data(
        client,
        CHECKOUT,
        {
            "input": {
                "cartId": cart["cart"]["id"],
                "idempotencyKey": str(uuid.uuid4()),
                "visitorToken": visitor_token,
            }
        },
        token=token,
    )["checkoutComplete"]
    assert placed["userErrors"] == [], placed
    local = local_id_or_none(placed["order"]["id"], "Order")
    assert local is not None
    return local


def thirty_percent(client: TestClient, staff_key: str, partner: str) -> None:
    rule = {"partnerId": partner, "firstOrderPercent": "30", "repeatPercent": "30"}
    answer = data(client, RULE_SET, {"input": rule}, api_key=staff_key)["commissionRuleSet"]
    assert answer["userErrors"] == []


def test_a_visitor_who_clicked_a_link_credits_the_partner_once_and_the_last_click_wins(
    affiliate_client: TestClient,
    affiliate_services: Services,
    consumers: Consumers,
    staff_key: str,
) -> None:
    client, services = affiliate_client, affiliate_services
    first, first_key = partner_with_key(services, "First Link")
    last, last_key = partner_with_key(services, "Last Link")
    for partner in (first, last):
        thirty_percent(client, staff_key, partner)
    variant = ebook(services, 2000)

    # Given a visitor who clicked the first partner's link twice, then the last one's,
    visitor = click(client, services, consumers, first)
    click(client, services, consumers, first, visitor)
    click(client, services, consumers, last, visitor)
    # when it orders later without the ref on its cart,
    order = checkout(client, variant, visitor_token=visitor)
    pay(client, services, consumers, order)

    # then the last click's partner earns the order, the first one nothing,
    assert [c["amount"]["amount"] for c in portal(client, last_key)["commissions"]] == ["6.00"]
    assert portal(client, first_key)["commissions"] == []
    # and each click counted once (its stream record came twice).
    assert portal(client, first_key)["clicks"] == [{"day": today(), "clicks": 2}]
    assert portal(client, last_key)["clicks"] == [{"day": today(), "clicks": 1}]

    # The binding was the visitor's until its first order: the next one credits nobody.
    again = checkout(client, variant, visitor_token=visitor)
    pay(client, services, consumers, again)
    assert len(portal(client, last_key)["commissions"]) == 1
    assert services.affiliates.visitor_binding(str(services.journeys.visitor_of(visitor))) is None


def test_a_customers_binding_wins_over_the_partner_their_visitor_clicked_later(
    affiliate_client: TestClient,
    affiliate_services: Services,
    consumers: Consumers,
    staff_key: str,
) -> None:
    client, services = affiliate_client, affiliate_services
    owner, owner_key = partner_with_key(services, "Lifetime Owner")
    other, other_key = partner_with_key(services, "Later Link")
    for partner in (owner, other):
        thirty_percent(client, staff_key, partner)
    variant = ebook(services, 2000)
    _, token = sign_up(client)
    bound = place(client, variant, token=token, affiliate=owner)
    pay(client, services, consumers, bound)

    visitor = click(client, services, consumers, other)
    repeat = checkout(client, variant, visitor_token=visitor, token=token)
    pay(client, services, consumers, repeat)

    assert [c["amount"]["amount"] for c in portal(client, owner_key)["commissions"]] == [
        "6.00",
        "6.00",
    ]
    assert portal(client, other_key)["commissions"] == []
    assert portal(client, other_key)["clicks"] == [{"day": today(), "clicks": 1}]


def test_a_clicks_range_out_of_bounds_is_a_bad_argument(
    affiliate_client: TestClient, affiliate_services: Services
) -> None:
    _, key = partner_with_key(affiliate_services, "Range Blog")
    for first, last in (("2026-12-07", "2026-12-01"), ("2025-01-01", "2026-12-31")):
        answer = call(affiliate_client, PORTAL, {"from": first, "to": last}, api_key=key)
        assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", answer
    week = data(affiliate_client, PORTAL, {"from": "2026-01-01", "to": "2026-01-03"}, api_key=key)[
        "partnerPortal"
    ]["clicks"]
    assert week == [
        {"day": "2026-01-01", "clicks": 0},
        {"day": "2026-01-02", "clicks": 0},
        {"day": "2026-01-03", "clicks": 0},
    ]


PAGES = """
query ($first: Int, $after: String) {
  partnerPortal {
    commissionsConnection(first: $first, after: $after) {
      edges { cursor node { orderNumber amount { amount } } }
      pageInfo { hasNextPage endCursor }
    }
    payoutsConnection(first: $first) { nodes { id } pageInfo { hasNextPage } }
    referredCustomersConnection(first: $first) { nodes { pseudonym } }
  }
}
"""


def test_the_portal_lists_page_as_connections_and_refuse_bad_pages(
    affiliate_client: TestClient,
    affiliate_services: Services,
    consumers: Consumers,
    staff_key: str,
) -> None:
    client, services = affiliate_client, affiliate_services
    partner, key = partner_with_key(services, "Paged Blog")
    _, other_key = partner_with_key(services, "Other Paged Blog")
    thirty_percent(client, staff_key, partner)
    variant = ebook(services, 2000)
    numbers = []
    for _ in range(3):
        order_id = place(client, variant, token=None, affiliate=partner)
        pay(client, services, consumers, order_id)
        order = services.orders.order(order_id)
        assert order is not None
        numbers.append(order.number)

    first = data(client, PAGES, {"first": 2}, api_key=key)["partnerPortal"]
    page = first["commissionsConnection"]
    assert [e["node"]["orderNumber"] for e in page["edges"]] == [numbers[2], numbers[1]]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = data(client, PAGES, {"first": 2, "after": page["pageInfo"]["endCursor"]}, api_key=key)[
        "partnerPortal"
    ]["commissionsConnection"]
    assert [e["node"]["orderNumber"] for e in rest["edges"]] == [numbers[0]]
    assert rest["pageInfo"] == {"hasNextPage": False, "endCursor": rest["edges"][0]["cursor"]}
    assert first["payoutsConnection"] == {"nodes": [], "pageInfo": {"hasNextPage": False}}
    assert first["referredCustomersConnection"] == {"nodes": []}
    # Another partner's pages are its own (empty), and bad pages are bad arguments.
    theirs = data(client, PAGES, {"first": 2}, api_key=other_key)["partnerPortal"]
    assert theirs["commissionsConnection"]["edges"] == []
    for variables in ({"first": 0}, {"first": 101}, {"first": 2, "after": "bm90LWEtY3Vyc29y"}):
        answer = call(client, PAGES, variables, api_key=key)
        assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", answer
    # A partner cannot page through another's list with its cursor.
    stolen = call(
        client, PAGES, {"first": 2, "after": page["edges"][0]["cursor"]}, api_key=other_key
    )
    assert stolen["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
