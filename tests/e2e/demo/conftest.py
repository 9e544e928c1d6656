"""The demo store as ``commerce serve`` seeds it, served over HTTP once per test file.

Seeding is the slow part (the whole catalog, zones, rates, promotions, accounts), so a
file's tests share one seeded table; tests that change the store (carts, orders) make
their own carts and never rely on another test's.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from commerce.app import create_app
from commerce.catalog.demo import demo_asset_files
from commerce.composition import Services, build_services
from commerce.db.table import TableItem, create_table_if_missing
from commerce.demo_store import DemoStoreReport, seed_demo_store
from commerce.payments.local import LOCAL_SECRET_KEY, LocalStripe
from commerce.settings import Secret, Settings
from stripe_events import served

WEBHOOK_SECRET = "whsec_demo_store"


@dataclasses.dataclass
class DemoShop:
    """The seeded demo store behind a real HTTP server, with its localstripe."""

    services: Services
    report: DemoStoreReport
    http: httpx.Client
    stripe_server: LocalStripe

    def post(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str
    ) -> dict[str, Any]:
        response = self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None, **headers: str) -> Any:
        body = self.post(query, variables, **headers)
        assert "errors" not in body, body
        return body["data"]


@pytest.fixture(scope="module")
def demo_settings(
    dynamodb_endpoint: str, stripe_server: LocalStripe, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """A local stage over its own table, paying through the session's localstripe."""
    return Settings(
        table_name=f"test-demo-{uuid.uuid4().hex[:12]}",
        dynamodb_endpoint=dynamodb_endpoint,
        data_dir=Path(tmp_path_factory.mktemp("demo-store")),
        catalog_cache_seconds=0,
        catalog_stale_seconds=0,
        rate_limits=False,
        max_query_cost=1_000_000,
        stripe_secret_key=Secret(LOCAL_SECRET_KEY),
        stripe_webhook_secret=Secret(WEBHOOK_SECRET),
        stripe_api_base=stripe_server.endpoint,
    )


@pytest.fixture(scope="module")
def demo_shop(demo_settings: Settings, stripe_server: LocalStripe) -> Iterator[DemoShop]:
    """The demo store, seeded once for the file and served on 127.0.0.1."""
    files = demo_settings.data_dir / "files"
    for key, text in demo_asset_files().items():
        (files / key).parent.mkdir(parents=True, exist_ok=True)
        (files / key).write_text(text, encoding="utf-8")
    services = build_services(demo_settings)
    create_table_if_missing()
    report = seed_demo_store(services, accounts=True)
    with served(create_app(services)) as base_url:
        webhook_id = f"demo-{uuid.uuid4().hex[:8]}"
        stripe_server.register_webhook(webhook_id, f"{base_url}/webhooks/stripe", WEBHOOK_SECRET)
        with httpx.Client(base_url=base_url, timeout=15) as http:
            yield DemoShop(services, report, http, stripe_server)
    TableItem.delete_table()
