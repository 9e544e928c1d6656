"""Webhook figures over DynamoDB Local and a receiver on 127.0.0.1: ``python -m bench --only
webhooks``.

1. fan-out: one ``WebhooksService.publish`` to 20 staff and 20 partner endpoints (two GSI1
   Queries, 40 conditional puts into the outbox), p50 and p95;
2. one delivery as the events function makes it (read, claim, open the sealed secret,
   sign, POST to a loopback receiver that answers 200, record the attempt), p50 and p95;
3. signing alone (``standardwebhooks`` HMAC-SHA256 of a 1 KB order payload), per message.

Network time to a real receiver comes on top of the second figure; the timeout caps it.
"""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from commerce.composition import build_services
from commerce.db.table import create_table_if_missing
from commerce.settings import Settings
from commerce.webhooks.commands import CreateEndpoint
from commerce.webhooks.model import Caller, EventType
from commerce.webhooks.signing import new_secret, signed_headers

Row = tuple[str, str, str]
EVENTS = 60
ENDPOINTS_PER_OWNER = 20


class _Ok(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return None


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def webhooks_rows(endpoint: str, events: int = EVENTS) -> list[Row]:
    """Seed 40 endpoints, publish ``events`` events, deliver them, and time it."""
    services = build_services(
        Settings(table_name=f"bench-webhooks-{uuid.uuid4().hex[:8]}", dynamodb_endpoint=endpoint)
    )
    create_table_if_missing()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    webhooks = services.webhooks
    partner = services.access.create_partner("Bench partner", "bench@example.com")
    staff, mine = Caller(staff=True), Caller(staff=False, partner_id=partner.id)
    for caller in (staff, mine):
        for _ in range(ENDPOINTS_PER_OWNER):
            webhooks.create_endpoint(
                CreateEndpoint(url, frozenset({EventType.ORDER_PAID}), "", "ops@example.com"),
                caller,
            )
    data = {"order": {"id": "T3JkZXI6MQ", "lines": [{"sku": "X" * 40, "quantity": 1}] * 12}}
    fan_out: list[float] = []
    for n in range(events):
        started = time.perf_counter()
        webhooks.publish("order.paid", f"bench:{n}", data, partner.id)
        fan_out.append(time.perf_counter() - started)
    endpoints = webhooks.endpoints(staff)[:3]
    deliveries = []
    for found in endpoints:
        page = webhooks.deliveries(found.id, staff, 100, None)
        assert page is not None
        deliveries += [d.id for d in page.deliveries]
    sent: list[float] = []
    for delivery_id in deliveries:
        started = time.perf_counter()
        webhooks.deliver(delivery_id)
        sent.append(time.perf_counter() - started)
    server.shutdown()
    secret, body = new_secret(), str(data).ljust(1024)
    now = datetime.now(UTC)
    started = time.perf_counter()
    for n in range(2_000):
        signed_headers([secret], f"msg_{n}", now, body)
    signing = (time.perf_counter() - started) / 2_000
    ms = 1000
    return [
        (
            "webhooks: fan-out to 40 endpoints",
            f"p50 {_p(fan_out, 50) * ms:.0f} ms, p95 {_p(fan_out, 95) * ms:.0f} ms",
            f"{events} events",
        ),
        (
            "webhooks: one delivery (sign, POST, record)",
            f"p50 {_p(sent, 50) * ms:.1f} ms, p95 {_p(sent, 95) * ms:.1f} ms",
            f"{len(sent)} deliveries to 127.0.0.1",
        ),
        ("webhooks: signing one 1 KB message", f"{signing * 1_000_000:.0f} µs", "2,000 messages"),
    ]
