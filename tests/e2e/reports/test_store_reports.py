"""Store reports through the API: orders placed and paid through checkout and the payment
events, a refund, a cancel and a reservation's TTL release, fed to the events function as
the table's stream delivers them (with replays); hand-computed figures."""

from __future__ import annotations

import csv
import dataclasses
import io
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from commerce.access.model import Scope
from commerce.app import create_app
from commerce.catalog import store as catalog_store
from commerce.catalog.commands import CollectionDraft
from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.events.consumers import Consumers
from commerce.events.handler import consume_batch
from commerce.graphql.ids import local_id_or_none, to_global_id, variant_ref_or_none
from commerce.inventory.model import MovementKind
from commerce.money import Currency, Money
from commerce.observability.metrics import Metrics
from commerce.orders.model import OrderStatus
from commerce.orders.service import OrdersService
from commerce.payments.local import LocalStripe
from placed_orders import order_image, reservation_image
from stream_records import batch, image_of, stream_record
from table_settings import fresh_settings

WEBHOOK_SECRET = "whsec_test_secret"
TODAY = datetime.now(UTC).date()

PRODUCT_CREATE = """
mutation ($input: ProductCreateInput!) {
  productCreate(input: $input) { product { id variants { id } } userErrors { code } }
}"""
CART = """
mutation ($input: CartCreateInput!) {
  cartCreate(input: $input) { cart { id deliveryOptions { id title } } userErrors { code } }
}"""
ADDRESS = """
mutation ($input: CartShippingAddressUpdateInput!) {
  cartShippingAddressUpdate(input: $input) { cart { deliveryOptions { id title } } }
}"""
OPTION = """
mutation ($input: CartDeliveryOptionSelectInput!) {
  cartDeliveryOptionSelect(input: $input) { userErrors { code } }
}"""
CHECKOUT = """
mutation ($input: CheckoutCompleteInput!) {
  checkoutComplete(input: $input) { order { id } userErrors { field code message } }
}"""
ZONE = """
mutation ($input: ShippingZoneCreateInput!) {
  shippingZoneCreate(input: $input) { shippingZone { id } userErrors { code } }
}"""
RATE = """
mutation ($input: ShippingRateCreateInput!) {
  shippingRateCreate(input: $input) { shippingRate { id } userErrors { code } }
}"""
ADJUST = """
mutation ($input: InventoryAdjustInput!) {
  inventoryAdjust(input: $input) { userErrors { code } }
}"""
CANCEL = """
mutation ($input: OrderCancelInput!) { orderCancel(input: $input) { userErrors { code } } }
"""
SPEND = """
mutation ($input: AdSpendImportInput!) { adSpendImport(input: $input) { imported } }
"""
FIGURES = """
  period currencyCode key label orders units gross { amount } discounts { amount }
  refunds { amount } net { amount } cost { amount } grossMargin { amount } uncostedUnits
"""
SALES = f"""
query ($range: ReportRangeInput!, $granularity: ReportGranularity!, $groupBy: SalesGroupBy!) {{
  salesReport(range: $range, granularity: $granularity, groupBy: $groupBy) {{ {FIGURES} }}
  salesReportCsv(range: $range, granularity: $granularity, groupBy: $groupBy)
}}"""
BEST = """
query ($range: ReportRangeInput!, $by: BestSellerRanking!) {
  bestSellers(range: $range, by: $by, first: 5, currency: USD) {
    rank variantId label units revenue { amount } orders
  }
  bestSellersCsv(range: $range, by: $by, first: 5, currency: USD)
}"""
MARGIN = """
query ($range: ReportRangeInput!) {
  marginReport(range: $range, currency: USD) {
    currencyCode netSales { amount } refunds { amount } cost { amount }
    grossMargin { amount } marginRate uncostedUnits adSpend { amount }
    marginAfterAdSpend { amount } roas
  }
  marginReportCsv(range: $range, currency: USD)
}"""
STOCK = """
query ($asOf: DateTime, $low: Int) {
  stockReport(asOf: $asOf, lowStockBelow: $low) {
    variantId title sku available unitsSold daysOfCover low
  }
  stockReportCsv(asOf: $asOf, lowStockBelow: $low)
}"""
PRICES = """
query ($id: ID!) {
  priceHistory(variantId: $id) { at currencyCode price { amount } }
  priceHistoryCsv(variantId: $id)
}"""


@pytest.fixture(scope="module")
def services(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Services:
    built = build_services(
        fresh_settings(dynamodb_endpoint, stripe_server.endpoint, WEBHOOK_SECRET)
    )
    create_table_if_missing()
    return built


@pytest.fixture(scope="module")
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def staff(services: Services) -> str:
    return services.access.create_key("staff", frozenset({Scope.ADMIN})).plaintext


@pytest.fixture(scope="module")
def consumers(services: Services) -> Consumers:
    return Consumers(services, Metrics("Commerce", "events"))


def call(
    client: TestClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    key: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    sent = dict(headers or {})
    if key:
        sent["X-API-Key"] = key
    answer = client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=sent
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def data(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]
    return found


def deliver(consumers: Consumers, *records: dict[str, Any], times: int = 1) -> None:
    """The records as the stream delivers them, ``times`` over (at least once)."""
    for _ in range(times):
        answer = consume_batch(batch(*records), consumers, Metrics("Commerce", "events"))
        assert answer == {"batchItemFailures": []}


def counter_image(product_id: str, variant_id: str) -> dict[str, Any]:
    item = catalog_store.StockItem.get(
        catalog_store.product_pk(product_id), catalog_store.stock_sk(variant_id)
    )
    return image_of(item)


def at_time(record: dict[str, Any], when: datetime) -> dict[str, Any]:
    record["dynamodb"]["ApproximateCreationDateTime"] = when.timestamp()
    return record


class Shop:
    """The store the tests share: one physical book in one collection, and its orders."""

    def __init__(self, client: TestClient, services: Services, staff: str, consumers: Consumers):
        self.client, self.services, self.staff, self.consumers = client, services, staff, consumers
        self.moments: dict[str, datetime] = {}
        self.orders: dict[str, str] = {}

    def moment(self, name: str) -> None:
        time.sleep(0.01)
        self.moments[name] = datetime.now(UTC)
        time.sleep(0.01)

    def place(self, quantity: int, *, channel: str = "WEB") -> str:
        headers = {"X-Commerce-Channel": channel}
        lines = [{"merchandiseId": self.variant, "quantity": quantity}]
        cart = data(
            call(
                self.client,
                CART,
                {"input": {"lines": lines, "buyerIdentity": {"email": "r@example.com"}}},
                headers=headers,
            )
        )["cartCreate"]["cart"]["id"]
        address = {"address1": "1 Main St", "city": "Springfield", "countryCode": "US"}
        options = data(call(self.client, ADDRESS, {"input": {"cartId": cart, "address": address}}))[
            "cartShippingAddressUpdate"
        ]["cart"]["deliveryOptions"]
        chosen = {"cartId": cart, "deliveryOptionId": options[0]["id"]}
        assert (
            data(call(self.client, OPTION, {"input": chosen}))["cartDeliveryOptionSelect"][
                "userErrors"
            ]
            == []
        )
        before = counter_image(self.product_id, self.variant_id)
        placed = data(
            call(
                self.client,
                CHECKOUT,
                {"input": {"cartId": cart, "idempotencyKey": str(uuid.uuid4())}},
                headers=headers,
            )
        )["checkoutComplete"]
        assert placed["userErrors"] == [], placed
        after = counter_image(self.product_id, self.variant_id)
        # The counter's change reaches the events function, which stamps the level it left.
        deliver(self.consumers, stream_record("MODIFY", new=after, old=before), times=2)
        order_id = local_id_or_none(placed["order"]["id"], "Order")
        assert order_id is not None
        return order_id

    def order_change(self, order_id: str, change: Any, *, replays: int = 1) -> None:
        before = order_image(order_id)
        change()
        deliver(
            self.consumers,
            stream_record("MODIFY", new=order_image(order_id), old=before),
            times=replays,
        )

    def pay(self, order_id: str) -> None:
        order = self.services.orders.order(order_id)
        assert order is not None
        assert order.payment_intent_id is not None
        intent = order.payment_intent_id
        self.order_change(
            order_id,
            lambda: self.services.settlement.payment_succeeded(
                order_id=order_id, intent_id=intent, amount=order.total
            ),
            replays=2,
        )

    def refund(self, order_id: str, total: int) -> None:
        order = self.services.orders.order(order_id)
        assert order is not None
        assert order.payment_intent_id is not None
        intent = order.payment_intent_id
        self.order_change(
            order_id,
            lambda: self.services.settlement.refunded(
                order_id=order_id, intent_id=intent, amount_refunded=Money(total, Currency.USD)
            ),
            replays=3,
        )


@pytest.fixture(scope="module")
def shop(client: TestClient, services: Services, staff: str, consumers: Consumers) -> Shop:
    """Ten books at creation, two added by staff; order A (2, mobile) paid then refunded
    10.00 of 45.00; order B (1) cancelled; order C (3) released by its reservation's TTL;
    order D (1, web) paid. Stock: 10, 12, 10 (A), 9 (B), 10, 7 (C), 10, 9 (D)."""
    s = Shop(client, services, staff, consumers)
    zone = data(call(client, ZONE, {"input": {"name": "US", "countries": ["US"]}}, key=staff))
    rate = {
        "zoneId": zone["shippingZoneCreate"]["shippingZone"]["id"],
        "title": "Standard",
        "kind": "FLAT",
        "prices": [{"amount": "5.00", "currencyCode": "USD"}],
    }
    assert (
        data(call(client, RATE, {"input": rate}, key=staff))["shippingRateCreate"]["userErrors"]
        == []
    )
    shelf = services.catalog.create_collection(CollectionDraft(title="Space operas"))
    s.collection_id = shelf.id
    sku = f"BOOK-{uuid.uuid4().hex[:6]}"
    variant = {
        "sku": sku,
        "prices": [{"amount": "20.00", "currencyCode": "USD"}],
        "costPrice": {"amount": "8.00", "currencyCode": "USD"},
        "initialStock": 10,
        "options": [{"name": "Format", "value": "Hardcover"}],
    }
    product = {
        "title": "Leviathan Wakes",
        "variants": [variant],
        "published": True,
        "collectionIds": [to_global_id("Collection", shelf.id)],
    }
    created = data(call(client, PRODUCT_CREATE, {"input": product}, key=staff))["productCreate"]
    assert created["userErrors"] == [], created
    s.variant = created["product"]["variants"][0]["id"]
    ref = variant_ref_or_none(s.variant)
    assert ref is not None
    s.product_id, s.variant_id, s.sku = ref.product_id, ref.variant_id, sku
    # The catalog made the counter (opening stock): the stream brings its INSERT.
    opened = stream_record("INSERT", new=counter_image(s.product_id, s.variant_id))
    deliver(consumers, at_time(opened, datetime(2026, 11, 23, tzinfo=UTC)), times=2)
    s.moment("opened")
    adjusted = data(
        call(
            client,
            ADJUST,
            {"input": {"variantId": s.variant, "delta": 2, "reason": "found a box"}},
            key=staff,
        )
    )
    assert adjusted["inventoryAdjust"]["userErrors"] == []
    s.moment("adjusted")
    s.orders["A"] = s.place(2, channel="MOBILE")
    s.moment("after A")
    s.pay(s.orders["A"])
    s.orders["B"] = s.place(1)
    s.moment("after B")
    cancel = {"id": _order_gid(s.orders["B"]), "reason": "changed their mind"}
    assert (
        data(call(client, CANCEL, {"input": cancel}, key=staff))["orderCancel"]["userErrors"] == []
    )
    s.moment("after cancel")
    s.orders["C"] = s.place(3)
    s.moment("after C")
    gone = stream_record("REMOVE", old=reservation_image(s.orders["C"]), by_ttl=True)
    # DynamoDB removes a reservation only once its window is over: the events function
    # runs then, on a clock past the window.
    placed_c = services.orders.order(s.orders["C"])
    assert placed_c is not None
    later = placed_c.reserved_until + timedelta(seconds=1)
    expiring = OrdersService(
        services.inventory, services.gateway, promotions=services.promotions, clock=lambda: later
    )
    deliver(Consumers(dataclasses.replace(services, orders=expiring), Metrics("C", "e")), gone)
    expired = services.orders.order(s.orders["C"])
    assert expired is not None
    assert expired.status is OrderStatus.EXPIRED
    s.moment("after TTL")
    s.orders["D"] = s.place(1)
    s.pay(s.orders["D"])
    s.refund(s.orders["A"], 1000)
    return s


def _order_gid(order_id: str) -> str:
    return to_global_id("Order", order_id)


def week_range() -> dict[str, str]:
    return {"from": (TODAY - timedelta(days=6)).isoformat(), "to": TODAY.isoformat()}


def sales(shop: Shop, group: str, granularity: str = "DAY") -> dict[str, Any]:
    variables = {"range": week_range(), "granularity": granularity, "groupBy": group}
    return data(call(shop.client, SALES, variables, key=shop.staff))


def amounts(row: dict[str, Any]) -> dict[str, Any]:
    money = ("gross", "discounts", "refunds", "net", "cost", "grossMargin")
    return {
        "orders": row["orders"],
        "units": row["units"],
        **{name: row[name]["amount"] for name in money},
        "uncostedUnits": row["uncostedUnits"],
    }


# Paid: A (2 x 20.00) and D (1 x 20.00); refunded 10.00 of A; cost 8.00 a book.
EXPECTED = {
    "orders": 2,
    "units": 3,
    "gross": "60.00",
    "discounts": "0.00",
    "refunds": "10.00",
    "net": "50.00",
    "cost": "24.00",
    "grossMargin": "26.00",
    "uncostedUnits": 0,
}


def test_sales_by_currency_count_each_paid_order_once_with_its_refund(shop: Shop) -> None:
    found = sales(shop, "CURRENCY")
    (row,) = found["salesReport"]
    assert row["period"] == TODAY.isoformat()
    assert (row["currencyCode"], row["key"]) == ("USD", "USD")
    assert amounts(row) == EXPECTED
    lines = list(csv.reader(io.StringIO(found["salesReportCsv"])))
    assert lines[0][:4] == ["period", "currency", "key", "label"]
    assert lines[1] == [
        TODAY.isoformat(),
        "USD",
        "USD",
        "USD",
        "2",
        "3",
        "60.00",
        "0.00",
        "10.00",
        "50.00",
        "24.00",
        "26.00",
        "0",
    ]


def test_sales_by_channel_split_the_mobile_order_from_the_web_one(shop: Shop) -> None:
    rows = {r["key"]: amounts(r) for r in sales(shop, "CHANNEL")["salesReport"]}
    # A's refund (10.00) is A's, so the mobile channel's.
    assert rows["MOBILE"]["units"] == 2
    assert rows["MOBILE"]["net"] == "30.00"
    assert rows["WEB"]["units"] == 1
    assert rows["WEB"]["net"] == "20.00"
    assert set(rows) == {"MOBILE", "WEB"}


def test_sales_by_collection_product_and_variant_name_what_was_sold(shop: Shop) -> None:
    (collection,) = sales(shop, "COLLECTION")["salesReport"]
    assert (collection["key"], collection["label"]) == (shop.collection_id, "Space operas")
    (product,) = sales(shop, "PRODUCT")["salesReport"]
    assert (product["key"], product["label"]) == (shop.product_id, "Leviathan Wakes")
    (variant,) = sales(shop, "VARIANT")["salesReport"]
    assert variant["key"] == f"{shop.product_id}.{shop.variant_id}"
    assert variant["label"] == f"Leviathan Wakes (Hardcover) {shop.sku}"
    for row in (collection, product, variant):
        assert amounts(row) == EXPECTED


def test_weeks_and_months_sum_their_days(shop: Shop) -> None:
    (week,) = sales(shop, "CURRENCY", "WEEK")["salesReport"]
    assert week["period"] == (TODAY - timedelta(days=TODAY.weekday())).isoformat()
    months = sales(shop, "CURRENCY", "MONTH")["salesReport"]
    assert TODAY.replace(day=1).isoformat() in {m["period"] for m in months}
    assert sum(m["units"] for m in months) == 3
    assert amounts(week) == EXPECTED


def test_best_sellers_rank_by_units_and_by_revenue(shop: Shop) -> None:
    for by in ("UNITS", "REVENUE"):
        found = data(call(shop.client, BEST, {"range": week_range(), "by": by}, key=shop.staff))
        (best,) = found["bestSellers"]
        assert best["rank"] == 1
        assert best["variantId"] == shop.variant
        assert (best["units"], best["revenue"]["amount"], best["orders"]) == (3, "50.00", 2)
        lines = list(csv.reader(io.StringIO(found["bestSellersCsv"])))
        assert lines[1][0:2] == ["1", shop.variant]
        assert lines[1][3:6] == ["3", "50.00", "USD"]


def test_margin_is_net_of_refunds_and_shows_ad_spend_and_roas(shop: Shop) -> None:
    rows = [
        {
            "day": TODAY.isoformat(),
            "channel": "paid_search",
            "campaign": "launch",
            "amount": {"amount": "12.50", "currencyCode": "USD"},
        }
    ]
    assert (
        data(call(shop.client, SPEND, {"input": {"rows": rows}}, key=shop.staff))["adSpendImport"][
            "imported"
        ]
        == 1
    )
    found = data(call(shop.client, MARGIN, {"range": week_range()}, key=shop.staff))
    (margin,) = found["marginReport"]
    assert margin["netSales"]["amount"] == "50.00"
    assert margin["refunds"]["amount"] == "10.00"
    assert margin["cost"]["amount"] == "24.00"
    assert margin["grossMargin"]["amount"] == "26.00"
    assert margin["marginRate"] == "0.5200"
    assert margin["adSpend"]["amount"] == "12.50"
    assert margin["marginAfterAdSpend"]["amount"] == "13.50"
    assert margin["roas"] == "4.0000"
    lines = list(csv.reader(io.StringIO(found["marginReportCsv"])))
    assert lines[1] == [
        "USD",
        "50.00",
        "10.00",
        "24.00",
        "26.00",
        "0.5200",
        "0",
        "12.50",
        "13.50",
        "4.0000",
    ]


def stock_at(shop: Shop, when: datetime | None, low: int | None = None) -> dict[str, Any]:
    variables = {"asOf": None if when is None else when.isoformat(), "low": low}
    found = data(call(shop.client, STOCK, variables, key=shop.staff))
    (row,) = [r for r in found["stockReport"] if r["variantId"] == shop.variant]
    row["csv"] = found["stockReportCsv"]
    return row


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("opened", 10),
        ("adjusted", 12),
        ("after A", 10),
        ("after B", 9),
        ("after cancel", 10),
        ("after C", 7),
        ("after TTL", 10),
    ],
)
def test_stock_as_of_a_past_moment_sums_the_movements_up_to_it(
    shop: Shop, moment: str, expected: int
) -> None:
    assert stock_at(shop, shop.moments[moment])["available"] == expected


def test_stock_before_the_variant_existed_is_zero_and_now_is_the_counter(shop: Shop) -> None:
    assert stock_at(shop, datetime(2026, 11, 1, tzinfo=UTC))["available"] == 0
    now = stock_at(shop, None, low=10)
    assert now["available"] == 9
    # 3 sold in the last 28 days: 9 books last 9 x 28 / 3 = 84 days.
    assert (now["unitsSold"], now["daysOfCover"], now["low"]) == (3, "84.0", True)
    lines = list(csv.reader(io.StringIO(now["csv"])))
    assert [shop.variant, "Leviathan Wakes (Hardcover)", shop.sku, "9", "3", "84.0", "yes"] in lines


def test_every_counter_change_is_one_movement_with_its_reason(shop: Shop) -> None:
    movements = shop.services.inventory.movements(shop.product_id, shop.variant_id)
    kinds = [(m.kind, m.delta) for m in movements]
    assert kinds == [
        (MovementKind.CATALOG, 10),
        (MovementKind.STAFF_ADJUST, 2),
        (MovementKind.CHECKOUT, -2),
        (MovementKind.CHECKOUT, -1),
        (MovementKind.RELEASE, 1),
        (MovementKind.CHECKOUT, -3),
        (MovementKind.RELEASE, 3),
        (MovementKind.CHECKOUT, -1),
    ]
    # Checkouts' levels were stamped from the counter's stream records; releases not yet.
    assert [m.level for m in movements if m.kind is MovementKind.CHECKOUT] == [10, 9, 7, 9]
    assert movements[4].order_id == shop.orders["B"]
    assert movements[6].order_id == shop.orders["C"]


def test_price_history_logs_each_change_once_from_the_product_stream(shop: Shop) -> None:
    pk, sk = catalog_store.product_pk(shop.product_id), "PRODUCT"
    first = image_of(catalog_store.ProductItem.get(pk, sk))
    deliver(shop.consumers, stream_record("INSERT", new=first), times=2)
    shop.services.catalog.set_prices(
        shop.product_id, shop.variant_id, [Money(2200, Currency.USD), Money(1900, Currency.EUR)]
    )
    second = image_of(catalog_store.ProductItem.get(pk, sk))
    deliver(shop.consumers, stream_record("MODIFY", new=second, old=first), times=2)
    found = data(call(shop.client, PRICES, {"id": shop.variant}, key=shop.staff))
    history = [(h["currencyCode"], h["price"]["amount"]) for h in found["priceHistory"]]
    assert history == [("USD", "20.00"), ("EUR", "19.00"), ("USD", "22.00")]
    lines = list(csv.reader(io.StringIO(found["priceHistoryCsv"])))
    assert [line[1:] for line in lines] == [
        ["currency", "price"],
        ["USD", "20.00"],
        ["EUR", "19.00"],
        ["USD", "22.00"],
    ]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (TODAY, TODAY - timedelta(days=1)),
        (TODAY - timedelta(days=400), TODAY),
    ],
)
def test_a_range_backwards_or_over_400_days_is_refused(shop: Shop, start: date, end: date) -> None:
    variables = {
        "range": {"from": start.isoformat(), "to": end.isoformat()},
        "granularity": "DAY",
        "groupBy": "CURRENCY",
    }
    body = call(shop.client, SALES, variables, key=shop.staff)
    assert body["data"] is None
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}


def test_best_sellers_refuse_a_count_out_of_bounds_and_price_history_a_bad_id(
    shop: Shop,
) -> None:
    body = call(
        shop.client,
        "query ($r: ReportRangeInput!) { bestSellers(range: $r, first: 0) { rank } }",
        {"r": week_range()},
        key=shop.staff,
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = call(shop.client, PRICES, {"id": "not-a-variant"}, key=shop.staff)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_shoppers_see_no_reports(shop: Shop) -> None:
    body = call(shop.client, STOCK, {"asOf": None, "low": None})
    assert body["data"] is None
    assert body["errors"]
