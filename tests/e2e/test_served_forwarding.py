"""The app as ``commerce serve`` runs it (uvicorn on loopback) trusts proxies only as told."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from commerce.app import create_app
from commerce.composition import build_services
from commerce.db.table import create_table_if_missing
from commerce.local_server import free_port
from commerce.settings import Settings
from commerce.web.serving import uvicorn_options

QUERY = {"query": "{ products(first: 5) { nodes { title } } }"}
QUERY_COST = 6


@pytest.fixture(scope="module")
def served(dynamodb_endpoint: str) -> Iterator[str]:
    """The app with production budgets and no trusted proxies, served on 127.0.0.1."""
    settings = Settings(
        table_name=f"test-{uuid.uuid4().hex[:12]}",
        dynamodb_endpoint=dynamodb_endpoint,
        trusted_proxy_hops=0,
    )
    services = build_services(settings)
    create_table_if_missing()
    port = free_port()
    config = uvicorn.Config(
        create_app(services),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        **uvicorn_options(settings),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def available(base: str, forwarded_for: str) -> Any:
    request = urllib.request.Request(  # noqa: S310 (http only)
        f"{base}/graphql",
        data=json.dumps(QUERY).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (http only)
        body = json.loads(response.read())
    return body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]


def test_a_forged_forwarded_for_header_draws_from_the_same_budget(served: str) -> None:
    # when one loopback client claims five different addresses
    left = [available(served, f"198.51.100.{n}") for n in range(1, 6)]
    # then they share one budget: a fresh caller would see a full bucket less one query
    fresh = 1000 - QUERY_COST
    assert left[0] == fresh
    assert min(left[1:]) < fresh


def test_the_serve_options_trust_no_forwarding_header_without_proxies() -> None:
    options = uvicorn_options(Settings(trusted_proxy_hops=0))
    assert (options["proxy_headers"], options["forwarded_allow_ips"]) == (False, "")
