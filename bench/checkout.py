"""Checkout throughput and DynamoDB cost: `python -m bench --only checkout`.

N buyers (1, 10, 50) each check out their own ready cart (one hardcover, shipped,
email set) at the same time, over the GraphQL endpoint of the in-process ASGI app,
against DynamoDB Local (in memory, 127.0.0.1). Every DynamoDB call is counted and
asked for ``ReturnConsumedCapacity=INDEXES``, so the capacity figures include the
orders' and reservations' GSI writes as DynamoDB Local reports them. Then each order
is paid (``OrdersService.payment_succeeded``, what the webhook calls), so the cost per
1,000 orders covers placing and paying.

The payment gateway is a recorder satisfying ``PaymentGateway`` (no network): Stripe
is not what is measured here. Figures, never asserts.
"""

from __future__ import annotations

import dataclasses
import itertools
import statistics
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from commerce.money import Money
from commerce.payments.ports import IntentStatus, PaymentIntent, Refund

Row = tuple[str, str, str]
BUYERS = (1, 10, 50)
# Checkouts per buyer in each round: enough for a stable rate, short enough for a laptop.
ROUNDS = {1: 30, 10: 8, 50: 3}
# DynamoDB on-demand list prices used (us-east-1, per million request units). AWS halved
# them in November 2024 (to 0.625 / 0.125); the older figures are kept as the stated basis.
WRITE_PRICE_PER_MILLION = 1.25
READ_PRICE_PER_MILLION = 0.25
_READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
_WITH_CAPACITY = _READS | {
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "TransactWriteItems",
    "BatchWriteItem",
}

_intents = itertools.count(1)

PRODUCT = """
mutation ($input: ProductCreateInput!) {
  productCreate(input: $input) { product { variants { id } } userErrors { code } }
}"""
ZONE = """
mutation ($input: ShippingZoneCreateInput!) {
  shippingZoneCreate(input: $input) { shippingZone { id } userErrors { code } }
}"""
RATE = """
mutation ($input: ShippingRateCreateInput!) {
  shippingRateCreate(input: $input) { shippingRate { id } userErrors { code } }
}"""
CART = """
mutation ($input: CartCreateInput!) {
  cartCreate(input: $input) { cart { id } userErrors { code } }
}"""
ADDRESS = """
mutation ($input: CartShippingAddressUpdateInput!) {
  cartShippingAddressUpdate(input: $input) { cart { deliveryOptions { id } } userErrors { code } }
}"""
OPTION = """
mutation ($input: CartDeliveryOptionSelectInput!) {
  cartDeliveryOptionSelect(input: $input) { cart { id } userErrors { code } }
}"""
CHECKOUT = """
mutation ($input: CheckoutCompleteInput!) {
  checkoutComplete(input: $input) {
    order { id number total { amount } } paymentIntentClientSecret userErrors { code }
  }
}"""


class RecordingGateway:
    """A ``PaymentGateway`` that answers at once and counts its calls (no Stripe)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def _count(self, name: str) -> None:
        with self._lock:
            self.calls[name] += 1

    def create_intent(
        self, *, order_id: str, amount: Money, idempotency_key: str, email: str | None
    ) -> PaymentIntent:
        self._count("create_intent")
        intent_id = f"pi_bench_{next(_intents)}"
        return PaymentIntent(
            intent_id, f"{intent_id}_secret", amount, IntentStatus.REQUIRES_PAYMENT_METHOD
        )

    def retrieve_intent(self, intent_id: str) -> PaymentIntent:
        raise NotImplementedError("checkout replays are not benchmarked")

    def cancel_intent(self, intent_id: str) -> None:
        self._count("cancel_intent")

    def refund(self, *, payment_intent_id: str, amount: Money, idempotency_key: str) -> Refund:
        raise NotImplementedError("refunds are not benchmarked")


@dataclasses.dataclass
class Meter:
    """DynamoDB calls and consumed capacity seen while a block runs."""

    calls: Counter[str] = dataclasses.field(default_factory=Counter)
    read_units: float = 0.0
    write_units: float = 0.0
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def add(self, operation: str, response: dict[str, Any]) -> None:
        consumed = response.get("ConsumedCapacity") or []
        if isinstance(consumed, dict):
            consumed = [consumed]
        units = sum(float(c.get("CapacityUnits", 0)) for c in consumed)
        with self.lock:
            self.calls[operation] += 1
            if operation in _READS:
                self.read_units += units
            else:
                self.write_units += units


@contextmanager
def metering() -> Iterator[Meter]:
    """Count every DynamoDB call (any thread, any client) and ask each for its capacity."""
    from botocore.client import BaseClient

    meter = Meter()
    original = BaseClient._make_api_call

    def metered(self: Any, operation: str, params: dict[str, Any]) -> Any:
        if operation in _WITH_CAPACITY:
            params = {**params, "ReturnConsumedCapacity": "INDEXES"}
        try:
            response = original(self, operation, params)
        except Exception:
            meter.add(operation, {})
            raise
        meter.add(operation, response)
        return response

    BaseClient._make_api_call = metered  # type: ignore[method-assign]
    try:
        yield meter
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


class Shop:
    """The app over a fresh table, with a shippable hardcover and a recording gateway."""

    def __init__(self, endpoint: str) -> None:
        from starlette.testclient import TestClient

        from commerce.access.model import Scope
        from commerce.app import create_app
        from commerce.checkout.service import CheckoutService
        from commerce.composition import build_services
        from commerce.db.table import create_table_if_missing
        from commerce.orders.service import OrdersService
        from commerce.settings import Settings

        settings = Settings(
            table_name=f"bench-checkout-{uuid.uuid4().hex[:8]}",
            dynamodb_endpoint=endpoint,
            rate_limits=False,
            max_query_cost=1_000_000,
        )
        built = build_services(settings)
        create_table_if_missing()
        self.gateway = RecordingGateway()
        orders = OrdersService(built.inventory, self.gateway, promotions=built.promotions)
        checkout = CheckoutService(
            built.cart,
            built.inventory,
            orders,
            self.gateway,
            reservation_seconds=settings.reservation_seconds,
            promotions=built.promotions,
        )
        self.services = dataclasses.replace(
            built, orders=orders, checkout=checkout, gateway=self.gateway
        )
        self.client = TestClient(create_app(self.services))
        self.client.__enter__()
        self.admin = self.services.access.create_key("bench", frozenset({Scope.ADMIN})).plaintext
        zone = self.call(ZONE, {"name": "US", "countries": ["US"]}, admin=True)
        self.call(
            RATE,
            {
                "zoneId": zone["shippingZone"]["id"],
                "title": "Standard",
                "kind": "FLAT",
                "prices": [{"amount": "4.00", "currencyCode": "USD"}],
            },
            admin=True,
        )
        draft = {
            "sku": "BENCH-HC",
            "prices": [{"amount": "18.00", "currencyCode": "USD"}],
            "kind": "PHYSICAL",
            "initialStock": 100_000,
            "weightGrams": 600,
        }
        product = self.call(
            PRODUCT,
            {"title": "Bench Novel", "variants": [draft], "published": True},
            admin=True,
        )
        self.variant = product["product"]["variants"][0]["id"]

    def close(self) -> None:
        self.client.__exit__(None, None, None)

    def call(self, query: str, input: dict[str, Any], *, admin: bool = False) -> dict[str, Any]:
        headers = {"X-API-Key": self.admin} if admin else {}
        response = self.client.post(
            "/graphql", json={"query": query, "variables": {"input": input}}, headers=headers
        )
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body
        (payload,) = body["data"].values()
        assert payload["userErrors"] == [], payload
        result: dict[str, Any] = payload
        return result

    def ready_cart(self) -> str:
        lines = [{"merchandiseId": self.variant, "quantity": 1}]
        created = self.call(CART, {"lines": lines, "buyerIdentity": {"email": "b@example.com"}})
        cart_id: str = created["cart"]["id"]
        address = {"address1": "1 Main St", "city": "Springfield", "countryCode": "US"}
        cart = self.call(ADDRESS, {"cartId": cart_id, "address": address})["cart"]
        option = cart["deliveryOptions"][0]["id"]
        self.call(OPTION, {"cartId": cart_id, "deliveryOptionId": option})
        return cart_id


def _per(value: float, count: int) -> str:
    return f"{value / count:.2f}"


def _calls(meter: Meter, count: int) -> str:
    return ", ".join(f"{op} {n / count:.2f}" for op, n in sorted(meter.calls.items()))


@dataclasses.dataclass
class Round:
    """What one round of concurrent checkouts measured."""

    meter: Meter
    seconds: float
    latencies: list[float]
    order_ids: list[str]


def _round(shop: Shop, buyers: int, count: int) -> Round:
    """``count`` checkouts by ``buyers`` threads at once, carts prepared beforehand."""
    carts = [shop.ready_cart() for _ in range(count)]
    latencies: list[float] = []
    order_ids: list[str] = []
    lock = threading.Lock()

    def buy(i: int) -> None:
        started = time.perf_counter()
        payload = shop.call(CHECKOUT, {"cartId": carts[i], "idempotencyKey": f"bench-{i}"})
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append(elapsed)
            order_ids.append(payload["order"]["id"])

    with metering() as meter, ThreadPoolExecutor(max_workers=buyers) as pool:
        started = time.perf_counter()
        list(pool.map(buy, range(count)))
        seconds = time.perf_counter() - started
    return Round(meter, seconds, latencies, order_ids)


def checkout_rows(endpoint: str) -> list[Row]:
    """The checkout benchmark's table rows, over DynamoDB Local at ``endpoint``."""
    rows: list[Row] = []
    totals = Meter()
    placed = 0
    for buyers in BUYERS:
        shop = Shop(endpoint)
        try:
            count = buyers * ROUNDS[buyers]
            measured = _round(shop, buyers, count)
            meter = measured.meter
            rows.append(
                (
                    f"checkout, {buyers} concurrent buyer(s), {count} orders",
                    f"{count / measured.seconds:.1f} checkouts/s",
                    f"median {statistics.median(measured.latencies) * 1000:.0f} ms; "
                    f"per checkout: {_calls(meter, count)}; "
                    f"RCU {_per(meter.read_units, count)}, WCU {_per(meter.write_units, count)}",
                )
            )
            totals.read_units += meter.read_units
            totals.write_units += meter.write_units
            placed += count
            if buyers == BUYERS[-1]:
                rows.append(_payment_row(shop, measured.order_ids, totals, placed))
        finally:
            shop.close()
    return rows


def _payment_row(shop: Shop, order_ids: list[str], totals: Meter, placed: int) -> Row:
    """Pay every order of the last round; then the cost of placing and paying 1,000."""
    from commerce.graphql.ids import parse_global_id

    orders = shop.services.orders
    with metering() as meter:
        for global_id in order_ids:
            parsed = parse_global_id(global_id)
            assert parsed is not None
            order = orders.order(parsed[1])
            assert order is not None
            orders.payment_succeeded(
                order_id=order.id, intent_id=order.payment_intent_id or "", amount=order.total
            )
    count = len(order_ids)
    read = totals.read_units / placed + meter.read_units / count
    write = totals.write_units / placed + meter.write_units / count
    cost = 1000 * (read * READ_PRICE_PER_MILLION + write * WRITE_PRICE_PER_MILLION) / 1e6
    return (
        "cost per 1,000 orders (checkout + payment)",
        f"${cost:.4f}",
        f"payment per order: {_calls(meter, count)}, RCU {_per(meter.read_units, count)}, "
        f"WCU {_per(meter.write_units, count)} (includes one order read by the bench); "
        f"{read:.1f} RRU + {write:.1f} WRU an order at ${READ_PRICE_PER_MILLION}/M RRU, "
        f"${WRITE_PRICE_PER_MILLION}/M WRU (on-demand, us-east-1); capacity as DynamoDB "
        "Local reports it, GSIs included; gateway: a recorder, not Stripe",
    )


def main() -> int:
    """Run the checkout benchmark alone: `python -m bench.checkout`."""
    from bench.__main__ import dynamodb_local, print_rows

    with dynamodb_local() as (endpoint, _):
        print_rows(checkout_rows(endpoint))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
