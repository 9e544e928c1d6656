"""Rule segments through the GraphQL API: staff define them, promotions name them, carts
price with them; each criterion is shown with a customer inside it and one outside.

One demo bookstore for the whole file (module scope). Ann bought the first Emberfall
e-book (paid through the services, counted by the events function from the stream's
MODIFY record), lives in Great Britain, was born in 1990 and is tagged vip; Bo has
bought nothing, lives in Germany and was born in 2004.
"""

from __future__ import annotations

import itertools
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from commerce.access.model import Scope
from commerce.app import create_app
from commerce.cart.commands import CreateCart
from commerce.cart.model import BuyerIdentity, LineRequest
from commerce.catalog.demo import seed_demo_catalog
from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.events.consumers import Consumers
from commerce.events.handler import consume_batch
from commerce.graphql.ids import from_global_id, to_global_id
from commerce.observability.metrics import Metrics
from commerce.payments.local import LocalStripe
from commerce.principals import Shopper
from dynamodb_calls import count_dynamodb_calls
from placed_orders import order_image
from stream_records import batch, stream_record
from table_settings import fresh_settings

SIGN_UP = """
mutation ($input: CustomerSignUpInput!) {
  customerSignUp(input: $input) { customer { id } session { accessToken } userErrors { code } }
}"""
UPDATE_ME = """
mutation ($input: CustomerUpdateInput!) { customerUpdate(input: $input) { userErrors { code } } }
"""
TAGS = """
mutation ($input: CustomerTagsUpdateInput!) {
  customerTagsUpdate(input: $input) { userErrors { code } }
}"""
SEGMENT_FIELDS = """
  segment { handle segment name match
            conditions { criterion value amount { amount currencyCode } days count } }
  userErrors { field code message }
"""
CREATE = f"""
mutation ($input: CustomerSegmentCreateInput!) {{
  customerSegmentCreate(input: $input) {{ {SEGMENT_FIELDS} }}
}}"""
UPDATE = f"""
mutation ($input: CustomerSegmentUpdateInput!) {{
  customerSegmentUpdate(input: $input) {{ {SEGMENT_FIELDS} }}
}}"""
DELETE = """
mutation ($input: CustomerSegmentDeleteInput!) {
  customerSegmentDelete(input: $input) { deletedHandle userErrors { field code } }
}"""
LIST = "{ customerSegments { handle name match conditions { criterion } } }"
PROMOTION = """
mutation ($input: PromotionInput!) {
  promotionCreate(input: $input) { promotion { id } userErrors { field code } }
}"""
CART = """
mutation ($input: CartCreateInput!) {
  cartCreate(input: $input) { cart { cost { totalAmount { amount } } } userErrors { code } }
}"""
MARKETING = """
query ($id: ID!) {
  customerMarketing(customerId: $id) {
    segments paidOrders lifetimeValue { amount currencyCode } boughtSeries boughtAuthors
  }
}"""
ERASE = """
mutation ($input: CustomerJourneyEraseInput!) {
  customerJourneyErase(input: $input) { userErrors { code } }
}"""
FOR_ME = "{ recommendations(first: 10) { nodes { reason { code } } } }"
ASH_BORN = "the-ash-born-queen"  # The Emberfall Cycle, volume 1, by Mara Vellacott
QUIET_POISON = "a-quiet-poison-on-lantern-street"
_serial = itertools.count(1)


@dataclass
class Shop:
    services: Services
    client: TestClient
    admin: dict[str, str]
    consumers: Consumers
    metrics: Metrics
    ann: dict[str, str]
    ann_id: str
    bo: dict[str, str]
    bo_id: str
    ebook: str  # a variant global id nobody's segment is about
    emberfall_collection: str

    def __call__(
        self, query: str, headers: dict[str, str] | None = None, **variables: Any
    ) -> dict[str, Any]:
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers or {}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        found: dict[str, Any] = body["data"]
        return found

    def staff(self, query: str, **variables: Any) -> dict[str, Any]:
        return self(query, self.admin, **variables)

    def total(self, headers: dict[str, str] | None) -> Decimal:
        cart = {"lines": [{"merchandiseId": self.ebook, "quantity": 1}]}
        created = self(CART, headers, input=cart)["cartCreate"]
        return Decimal(created["cart"]["cost"]["totalAmount"]["amount"])

    def paid_order(self, customer_id: str, handle: str) -> dict[str, Any]:
        services = self.services
        found = services.catalog.product_by_handle(handle, include_unpublished=True)
        assert found is not None
        variant = next(v for v in found.product.variants if v.title == "E-book")
        cart = services.cart.create(
            CreateCart(
                lines=[LineRequest(found.product.id, variant.id, 1)],
                buyer_identity=BuyerIdentity(email="reader@example.com"),
            ),
            Shopper(customer_id),
        ).cart
        order = services.checkout.complete(
            cart.id, f"key-{uuid.uuid4()}", Shopper(customer_id)
        ).order
        awaiting = order_image(order.id)
        services.orders.payment_succeeded(
            order_id=order.id, intent_id=str(order.payment_intent_id), amount=order.total
        )
        return stream_record("MODIFY", new=order_image(order.id), old=awaiting)

    def stream(self, *records: dict[str, Any]) -> None:
        assert consume_batch(batch(*records), self.consumers, self.metrics) == {
            "batchItemFailures": []
        }


def _sign_up(client: TestClient) -> tuple[dict[str, str], str]:
    email = f"segments-{uuid.uuid4().hex[:8]}@example.com"
    body = client.post(
        "/graphql",
        json={
            "query": SIGN_UP,
            "variables": {"input": {"email": email, "password": "a reader's passphrase"}},
        },
    ).json()["data"]["customerSignUp"]
    headers = {"Authorization": f"Bearer {body['session']['accessToken']}"}
    return headers, body["customer"]["id"]


@pytest.fixture(scope="module")
def shop(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Iterator[Shop]:
    settings = fresh_settings(dynamodb_endpoint, stripe_server.endpoint, "whsec_segments")
    services = build_services(settings)
    create_table_if_missing()
    seed_demo_catalog(services.catalog)
    metrics = Metrics(namespace="Commerce", service="events")
    key = services.access.create_key("segments admin", frozenset({Scope.ADMIN})).plaintext
    admin = {"X-Api-Key": key}
    with TestClient(create_app(services)) as client:
        ann, ann_id = _sign_up(client)
        bo, bo_id = _sign_up(client)
        ash = services.catalog.product_by_handle(ASH_BORN, include_unpublished=True)
        poison = services.catalog.product_by_handle(QUIET_POISON, include_unpublished=True)
        assert ash is not None
        assert poison is not None
        ebook = next(v for v in poison.product.variants if v.title == "E-book")
        shop = Shop(
            services,
            client,
            admin,
            Consumers(services, metrics),
            metrics,
            ann,
            ann_id,
            bo,
            bo_id,
            to_global_id("ProductVariant", f"{poison.product.id}.{ebook.id}"),
            ash.product.collection_ids[0],
        )
        shop(UPDATE_ME, ann, input={"demographics": {"country": "GB", "birthYear": 1990}})
        shop(UPDATE_ME, bo, input={"demographics": {"country": "DE", "birthYear": 2004}})
        shop.staff(TAGS, input={"customerId": ann_id, "add": ["vip"]})
        shop.stream(shop.paid_order(from_global_id(ann_id, "Customer"), ASH_BORN))
        yield shop


def _segment(shop: Shop, match: str, *conditions: dict[str, Any]) -> str:
    """A new segment and a 10% promotion naming it; the segment's name."""
    handle = f"rule-{next(_serial)}"
    created = shop.staff(
        CREATE,
        input={"handle": handle, "name": f"Rule {handle}", "match": match,
               "conditions": list(conditions)},
    )["customerSegmentCreate"]  # fmt: skip
    assert created["userErrors"] == [], created
    promotion = {
        "name": f"Ten for {handle}",
        "kind": "ITEMS_OFF",
        "percent": "10",
        "customerSegments": [f"segment:{handle}"],
    }
    made = shop.staff(PROMOTION, input=promotion)["promotionCreate"]
    assert made["userErrors"] == [], made
    return f"segment:{handle}"


def _who_saves(shop: Shop) -> tuple[bool, bool]:
    """Whether Ann and Bo get 10% off the one e-book a guest pays in full for."""
    full = shop.total(None)
    ten_off = (full * Decimal("0.9")).quantize(Decimal("0.01"))
    saves = {ten_off: True, full: False}
    return saves[shop.total(shop.ann)], saves[shop.total(shop.bo)]


@pytest.fixture
def clean_promotions(shop: Shop) -> Iterator[None]:
    yield
    for promotion in shop.services.promotions.promotions():
        shop.services.promotions.delete_promotion(promotion.id)


@pytest.mark.parametrize(
    ("condition", "ann_in", "bo_in"),
    [
        ({"criterion": "BOUGHT_FROM_SERIES", "value": "the EMBERFALL cycle"}, True, False),
        ({"criterion": "BOUGHT_FROM_AUTHOR", "value": "Mara Vellacott"}, True, False),
        ({"criterion": "BOUGHT_FROM_SERIES", "value": "The Lantern Street Mysteries"},
         False, False),
        ({"criterion": "LIFETIME_VALUE_AT_LEAST",
          "amount": {"amount": "5.00", "currencyCode": "USD"}}, True, False),
        ({"criterion": "LIFETIME_VALUE_AT_LEAST",
          "amount": {"amount": "500.00", "currencyCode": "USD"}}, False, False),
        ({"criterion": "LIFETIME_VALUE_AT_LEAST",
          "amount": {"amount": "5.00", "currencyCode": "EUR"}}, False, False),
        ({"criterion": "NO_PAID_ORDER_FOR_DAYS", "days": 60}, False, True),
        ({"criterion": "LAST_PAID_ORDER_WITHIN_DAYS", "days": 30}, True, False),
        ({"criterion": "COUNTRY", "value": "de"}, False, True),
        ({"criterion": "AGE_BAND", "value": "35-44"}, True, False),
        ({"criterion": "TAG", "value": " VIP "}, True, False),
        ({"criterion": "PAID_ORDERS_AT_LEAST", "count": 1}, True, False),
        ({"criterion": "PAID_ORDERS_AT_LEAST", "count": 2}, False, False),
    ],
)  # fmt: skip
@pytest.mark.usefixtures("clean_promotions")
def test_each_criterion_prices_customers_inside_and_outside_the_segment(
    shop: Shop, condition: dict[str, Any], ann_in: bool, bo_in: bool
) -> None:
    # given a segment with one condition and a promotion naming it
    segment = _segment(shop, "ALL", condition)
    # then a cart is discounted exactly for the customers the rule holds
    assert _who_saves(shop) == (ann_in, bo_in)
    # and staff see the segment among each customer's segments
    ann = shop.staff(MARKETING, id=shop.ann_id)["customerMarketing"]
    assert (segment in ann["segments"]) is ann_in


def test_a_collection_criterion_and_how_all_and_any_combine(
    shop: Shop, clean_promotions: None
) -> None:
    # given the Emberfall collection Ann bought from, and Bo's country
    collection = {
        "criterion": "BOUGHT_FROM_COLLECTION",
        "value": to_global_id("Collection", shop.emberfall_collection),
    }
    german = {"criterion": "COUNTRY", "value": "DE"}
    # when one segment needs both and another either
    both = _segment(shop, "ALL", collection, german)
    either = _segment(shop, "ANY", collection, german)
    # then only the ANY segment holds anyone, and it holds both customers
    ann = shop.staff(MARKETING, id=shop.ann_id)["customerMarketing"]["segments"]
    bo = shop.staff(MARKETING, id=shop.bo_id)["customerMarketing"]["segments"]
    assert (both in ann, both in bo, either in ann, either in bo) == (False, False, True, True)
    assert _who_saves(shop) == (True, True)


def test_the_events_function_counts_value_and_series_once_per_paid_order(shop: Shop) -> None:
    # given Ann's one paid e-book order, as the stream delivered it
    before = shop.staff(MARKETING, id=shop.ann_id)["customerMarketing"]
    # when another order is paid and its record is delivered twice (a retried batch)
    record = shop.paid_order(from_global_id(shop.ann_id, "Customer"), QUIET_POISON)
    shop.stream(record)
    shop.stream(record)
    after = shop.staff(MARKETING, id=shop.ann_id)["customerMarketing"]
    # then its value and series are counted once
    assert before["lifetimeValue"] == [{"amount": "9.99", "currencyCode": "USD"}]
    assert before["boughtSeries"] == ["the emberfall cycle"]
    assert before["boughtAuthors"] == ["mara vellacott"]
    spent = Decimal(after["lifetimeValue"][0]["amount"]) - Decimal("9.99")
    assert spent > 0
    assert after["boughtSeries"] == ["the emberfall cycle", "the lantern street mysteries"]
    assert after["paidOrders"] == before["paidOrders"] + 1
    # and a refund of the whole order takes its value back off, once however often told
    order_id = record["dynamodb"]["NewImage"]["order_id"]["S"]
    order = shop.services.orders.order(order_id)
    assert order is not None
    assert order.paid_amount is not None
    paid = order_image(order_id)
    shop.services.orders.refunded(
        order_id=order_id, intent_id=str(order.payment_intent_id), amount_refunded=order.paid_amount
    )
    refunded = stream_record("MODIFY", new=order_image(order_id), old=paid)
    shop.stream(refunded)
    shop.stream(refunded)
    final = shop.staff(MARKETING, id=shop.ann_id)["customerMarketing"]
    assert final["lifetimeValue"] == before["lifetimeValue"]


def test_staff_list_change_and_delete_segments(shop: Shop, clean_promotions: None) -> None:
    # given a segment of German customers that a promotion names
    segment = _segment(shop, "ALL", {"criterion": "COUNTRY", "value": "DE"})
    handle = segment.removeprefix("segment:")
    assert _who_saves(shop) == (False, True)
    # when staff change its rule to British customers
    changed = shop.staff(
        UPDATE,
        input={"handle": handle, "name": "Britons",
               "conditions": [{"criterion": "COUNTRY", "value": "gb"}]},
    )["customerSegmentUpdate"]  # fmt: skip
    # then the next pricing follows the new rule
    assert changed["userErrors"] == []
    assert changed["segment"]["conditions"] == [
        {"criterion": "COUNTRY", "value": "gb", "amount": None, "days": None, "count": None}
    ]
    assert _who_saves(shop) == (True, False)
    listed = {s["handle"]: s for s in shop.staff(LIST)["customerSegments"]}
    assert listed[handle] == {
        "handle": handle,
        "name": "Britons",
        "match": "ALL",
        "conditions": [{"criterion": "COUNTRY"}],
    }
    # and once deleted, the promotion naming it holds nobody
    deleted = shop.staff(DELETE, input={"handle": handle})["customerSegmentDelete"]
    assert deleted == {"deletedHandle": handle, "userErrors": []}
    assert handle not in {s["handle"] for s in shop.staff(LIST)["customerSegments"]}
    assert _who_saves(shop) == (False, False)
    again = shop.staff(DELETE, input={"handle": handle})["customerSegmentDelete"]
    assert again["userErrors"] == [{"field": ["handle"], "code": "SEGMENT_NOT_FOUND"}]


def test_bad_rules_are_refused_with_typed_errors_and_change_nothing(shop: Shop) -> None:
    before = shop.staff(LIST)["customerSegments"]

    def create(**fields: Any) -> list[tuple[str, list[str]]]:
        body = {"handle": "bad-one", "name": "Bad", "conditions": [], **fields}
        payload = shop.staff(CREATE, input=body)["customerSegmentCreate"]
        assert payload["segment"] is None
        return [(e["code"], e["field"]) for e in payload["userErrors"]]

    assert create(
        handle="Not A Handle",
        name=" ",
        conditions=[
            {"criterion": "COUNTRY", "value": "XX"},
            {"criterion": "AGE_BAND", "value": "30-40"},
            {"criterion": "TAG", "value": "no<tag>"},
            {"criterion": "BOUGHT_FROM_SERIES", "value": "  "},
            {"criterion": "BOUGHT_FROM_COLLECTION", "value": "not-an-id"},
            {"criterion": "LIFETIME_VALUE_AT_LEAST", "amount": {"amount": "-1",
                                                                "currencyCode": "USD"}},
            {"criterion": "LIFETIME_VALUE_AT_LEAST", "amount": {"amount": "1.001",
                                                                "currencyCode": "USD"}},
            {"criterion": "NO_PAID_ORDER_FOR_DAYS", "days": 0},
            {"criterion": "PAID_ORDERS_AT_LEAST"},
            {"criterion": "COUNTRY", "value": "DE", "days": 3},
        ],
    ) == [
        ("INVALID", ["conditions", "4", "value"]),
        ("INVALID", ["conditions", "6", "amount"]),
        ("INVALID", ["handle"]),
        ("BLANK", ["name"]),
        ("INVALID", ["conditions", "0", "value"]),
        ("INVALID", ["conditions", "1", "value"]),
        ("INVALID", ["conditions", "2", "value"]),
        ("BLANK", ["conditions", "3", "value"]),
        ("INVALID", ["conditions", "5", "amount"]),
        ("INVALID", ["conditions", "7", "days"]),
        ("INVALID", ["conditions", "8", "count"]),
        ("INVALID", ["conditions", "9", "days"]),
    ]  # fmt: skip
    assert create() == [("BLANK", ["conditions"])]
    many = [{"criterion": "TAG", "value": "vip"}] * 21
    assert create(conditions=many) == [("INVALID", ["conditions"])]
    # a handle in use, and changes to a segment that does not exist
    taken = _segment(shop, "ALL", {"criterion": "TAG", "value": "vip"})
    assert create(
        handle=taken.removeprefix("segment:"), conditions=[{"criterion": "TAG", "value": "x"}]
    ) == [("SEGMENT_HANDLE_TAKEN", ["handle"])]
    missing = shop.staff(UPDATE, input={"handle": "nobody-here", "name": "x"})
    assert missing["customerSegmentUpdate"]["userErrors"] == [
        {"field": ["handle"], "code": "SEGMENT_NOT_FOUND", "message": "No segment has this handle"}
    ]
    after = shop.staff(LIST)["customerSegments"]
    assert [s["handle"] for s in after] == sorted(
        [s["handle"] for s in before] + [taken.removeprefix("segment:")]
    )
    for promotion in shop.services.promotions.promotions():
        shop.services.promotions.delete_promotion(promotion.id)


def test_pricing_reads_segments_in_the_one_batch_it_already_makes(
    shop: Shop, clean_promotions: None
) -> None:
    def calls_to_price(headers: dict[str, str] | None) -> Counter[str]:
        shop.total(headers)  # promotions cached, as between requests in production
        with count_dynamodb_calls() as calls:
            shop.total(headers)
        return calls.by_operation()

    _segment(shop, "ANY", {"criterion": "TAG", "value": "vip"})
    guest, one_segment = calls_to_price(None), calls_to_price(shop.ann)
    # when many more segments, each named by a promotion, are defined
    for n in range(8):
        _segment(shop, "ANY", {"criterion": "PAID_ORDERS_AT_LEAST", "count": n + 1})
    many_segments = calls_to_price(shop.ann)
    # then pricing Ann's cart costs the same calls: her facts and every rule come in the
    # one BatchGetItem a signed-in customer's pricing makes beyond a guest's (the rest of
    # the difference is her profile remembering the new cart)
    assert many_segments == one_segment
    assert one_segment - guest == Counter({"BatchGetItem": 1, "GetItem": 1, "PutItem": 1})


def test_erasing_a_customer_erases_their_segment_facts(shop: Shop) -> None:
    # given a customer with a paid order counted into their facts
    headers, customer_id = _sign_up(shop.client)
    local = from_global_id(customer_id, "Customer")
    shop.stream(shop.paid_order(local, ASH_BORN))
    counted = shop.staff(MARKETING, id=customer_id)["customerMarketing"]
    assert counted["boughtSeries"] == ["the emberfall cycle"]
    assert "NEXT_IN_SERIES" in _reasons(shop, headers)
    # when staff erase the customer
    erased = shop.staff(ERASE, input={"customerId": customer_id})["customerJourneyErase"]
    assert erased["userErrors"] == []
    # then nothing of what segments are decided from is left
    facts = shop.staff(MARKETING, id=customer_id)["customerMarketing"]
    assert "returning" not in facts["segments"]
    assert facts | {"segments": []} == {
        "segments": [],
        "paidOrders": 0,
        "lifetimeValue": [],
        "boughtSeries": [],
        "boughtAuthors": [],
    }
    # and their recommendations know nothing of them: the store's best sellers only
    assert _reasons(shop, headers) <= {"POPULAR", "POPULAR_IN_COUNTRY"}


def _reasons(shop: Shop, headers: dict[str, str]) -> set[str]:
    found = shop(FOR_ME, headers)["recommendations"]["nodes"]
    return {item["reason"]["code"] for item in found}
