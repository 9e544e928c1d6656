"""Cart changes over HTTP: `python -m bench --only cart-flow`.

The peer comparison's cart flow (``docs/decisions/0013-request-path-costs.md``): 200
sequential flows, each adding a hardcover to a fresh cart (``cartLinesAdd``) and then
setting its shipping address (``cartShippingAddressUpdate``), over HTTP against the app
under uvicorn with rate limits on, uvicorn and DynamoDB Local pinned together to CPU 0
and the client on CPU 1 (the set-up the peer was measured in). Each flow's cart is made
beforehand with ``cartCreate``, outside the timings, as the peer's order is. Every
answer is checked (no ``errors``, no ``userErrors``, the line and the address there);
the DynamoDB calls of one flow are counted in process, through the same app.
Figures, never asserts.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import time
import uuid
from typing import Any

Row = tuple[str, str, str]
FLOWS = 200
# The peer (Vendure 3.7 on SQLite, one core) on this machine kind: add + address, address.
PEER_FLOW_MS = (40.0, 46.0)
PEER_ADDRESS_MS = 12.0

CART_FIELDS = """
  cart {
    id
    totalQuantity
    lines { id quantity merchandise { id } cost { totalAmount { amount currencyCode } } }
    shippingAddress { city countryCode }
    cost { subtotalAmount { amount } totalAmount { amount currencyCode } }
  }
  userErrors { field code message }
"""
CREATE = (
    "mutation ($input: CartCreateInput!) "
    "{ cartCreate(input: $input) { cart { id } userErrors { code } } }"
)
ADD = f"mutation ($input: CartLinesAddInput!) {{ cartLinesAdd(input: $input) {{ {CART_FIELDS} }} }}"
ADDRESS = (
    "mutation ($input: CartShippingAddressUpdateInput!) "
    f"{{ cartShippingAddressUpdate(input: $input) {{ {CART_FIELDS} }} }}"
)
ZONE = """
mutation ($input: ShippingZoneCreateInput!) {
  shippingZoneCreate(input: $input) { shippingZone { id } userErrors { code } }
}"""
RATE = """
mutation ($input: ShippingRateCreateInput!) {
  shippingRateCreate(input: $input) { shippingRate { id } userErrors { code } }
}"""
TAX = """
mutation ($input: TaxRateSetInput!) {
  taxRateSet(input: $input) { taxRate { rate } userErrors { code } }
}"""
PRODUCT = """
mutation ($input: ProductCreateInput!) {
  productCreate(input: $input) { product { variants { id } } userErrors { code } }
}"""
ADDRESS_INPUT = {
    "firstName": "Ada",
    "lastName": "Reader",
    "address1": "1 Main St",
    "city": "Springfield",
    "province": "IL",
    "zip": "62701",
    "countryCode": "US",
}


def _payload(body: dict[str, Any]) -> dict[str, Any]:
    if "errors" in body:
        raise RuntimeError(f"benchmark request failed: {body['errors']}")
    (payload,) = body["data"].values()
    if payload["userErrors"]:
        raise RuntimeError(f"benchmark change refused: {payload['userErrors']}")
    result: dict[str, Any] = payload
    return result


def _seed(endpoint: str, table: str) -> str:
    """A shipping zone with a rate, a tax rate and a hardcover, through the API; its variant."""
    from starlette.testclient import TestClient

    from bench.catalog_data import seed_bench_catalog
    from commerce.access.model import Scope
    from commerce.app import create_app
    from commerce.composition import build_services
    from commerce.db.table import create_table_if_missing
    from commerce.settings import Settings

    settings = Settings(table_name=table, dynamodb_endpoint=endpoint, rate_limits=False)
    services = build_services(settings)
    create_table_if_missing()
    # The bench catalog too, so the cart's product is read from a catalog of some size.
    seed_bench_catalog(services.catalog)
    admin = services.access.create_key("bench", frozenset({Scope.ADMIN})).plaintext
    with TestClient(create_app(services)) as client:

        def call(query: str, input: dict[str, Any]) -> dict[str, Any]:
            response = client.post(
                "/graphql",
                json={"query": query, "variables": {"input": input}},
                headers={"X-API-Key": admin},
            )
            return _payload(response.json())

        zone = call(ZONE, {"name": "US", "countries": ["US"]})["shippingZone"]["id"]
        price = [{"amount": "4.00", "currencyCode": "USD"}]
        call(RATE, {"zoneId": zone, "title": "Standard", "kind": "FLAT", "prices": price})
        call(TAX, {"countryCode": "US", "rate": "0.0625"})
        draft = {
            "sku": "CART-FLOW-HC",
            "prices": [{"amount": "18.00", "currencyCode": "USD"}],
            "kind": "PHYSICAL",
            "initialStock": 1_000_000,
            "weightGrams": 600,
        }
        product = call(
            PRODUCT, {"title": "Cart Flow Novel", "variants": [draft], "published": True}
        )
    variant: str = product["product"]["variants"][0]["id"]
    return variant


async def _flows(base_url: str, variant: str, count: int) -> tuple[list[float], list[float]]:
    """``count`` sequential flows: (add latencies, address latencies), in seconds."""
    import httpx2

    adds: list[float] = []
    addresses: list[float] = []
    async with httpx2.AsyncClient(base_url=base_url, timeout=30) as client:

        async def post(query: str, input: dict[str, Any]) -> dict[str, Any]:
            response = await client.post(
                "/graphql", json={"query": query, "variables": {"input": input}}
            )
            if response.status_code != 200:
                raise RuntimeError(response.text[:300])
            return _payload(response.json())

        for _ in range(count):
            created = await post(CREATE, {})
            cart_id = created["cart"]["id"]
            lines = [{"merchandiseId": variant, "quantity": 1}]
            started = time.perf_counter()
            added = await post(ADD, {"cartId": cart_id, "lines": lines})
            adds.append(time.perf_counter() - started)
            started = time.perf_counter()
            shipped = await post(ADDRESS, {"cartId": cart_id, "address": ADDRESS_INPUT})
            addresses.append(time.perf_counter() - started)
            if added["cart"]["totalQuantity"] != 1 or shipped["cart"]["shippingAddress"] is None:
                raise RuntimeError(f"unexpected cart: {shipped}")
    return adds, addresses


def _dynamodb_calls(endpoint: str, table: str, variant: str) -> str:
    """The DynamoDB calls of one warm flow's two changes, through the same app in process."""
    from starlette.testclient import TestClient

    from bench.__main__ import BENCH_BUDGETS, counting_dynamodb_calls
    from commerce.app import create_app
    from commerce.composition import build_services
    from commerce.settings import Settings

    settings = Settings(table_name=table, dynamodb_endpoint=endpoint, **BENCH_BUDGETS)
    with TestClient(create_app(build_services(settings))) as client:

        def post(query: str, input: dict[str, Any]) -> dict[str, Any]:
            body = {"query": query, "variables": {"input": input}}
            return _payload(client.post("/graphql", json=body).json())

        figures: list[str] = []
        for _ in range(3):  # warm: caches of zones, rates, promotions and the lease
            cart_id = post(CREATE, {})["cart"]["id"]
            with counting_dynamodb_calls() as add_calls:
                post(ADD, {"cartId": cart_id, "lines": [{"merchandiseId": variant, "quantity": 1}]})
            with counting_dynamodb_calls() as address_calls:
                post(ADDRESS, {"cartId": cart_id, "address": ADDRESS_INPUT})
            figures = [
                f"{name}: " + (", ".join(f"{n} {op}" for op, n in sorted(calls.items())) or "none")
                for name, calls in (("add", add_calls), ("address", address_calls))
            ]
    return "; ".join(figures)


def _median_p95(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"{statistics.median(ordered) * 1000:.1f} ms / {p95 * 1000:.1f} ms"


def cart_flow_rows(endpoint: str, java_pid: int, flows: int = FLOWS) -> list[Row]:
    """The cart-flow benchmark's rows, over DynamoDB Local at ``endpoint``."""
    from bench.__main__ import pinned_server

    table = f"bench-cart-{uuid.uuid4().hex[:8]}"
    variant = _seed(endpoint, table)
    calls = _dynamodb_calls(endpoint, table, variant)
    subprocess.run(["taskset", "-a", "-p", "-c", "0", str(java_pid)], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    os.sched_setaffinity(0, {1})
    try:
        with pinned_server(endpoint, table, response_cache=True, rate_limits=True) as url:
            asyncio.run(_flows(url, variant, 20))  # warm up: caches, leases, the JIT
            adds, addresses = asyncio.run(_flows(url, variant, flows))
    finally:
        os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
    both = [a + b for a, b in zip(adds, addresses, strict=True)]
    low, high = PEER_FLOW_MS
    flow_median = statistics.median(both) * 1000
    return [
        (f"cart flow: add to cart ({flows} flows)", _median_p95(adds), "median / p95"),
        (
            "cart flow: set shipping address",
            _median_p95(addresses),
            f"peer {PEER_ADDRESS_MS:.0f} ms",
        ),
        (
            "cart flow: add + address",
            _median_p95(both),
            f"peer {low:.0f}-{high:.0f} ms: {low / flow_median:.1f}-{high / flow_median:.1f}x "
            "faster (aim: 2x, under 20 ms); rate limits on, one core, machine shared",
        ),
        ("cart flow: DynamoDB calls per change", calls, "warm, counted in process"),
    ]
