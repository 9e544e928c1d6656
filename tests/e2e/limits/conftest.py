"""Fixtures for the limits suite: the app with production limits and a clock tests move."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from commerce.app import create_app
from commerce.composition import build_services
from commerce.db.table import create_table_if_missing
from commerce.limits.service import LimitsService, budgets_from_settings
from commerce.settings import Settings


class FakeClock:
    """Wall-clock seconds that only move when a test says so."""

    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def limited_settings(settings: Settings) -> Settings:
    """The test's table with the limits production runs with (Settings' defaults)."""
    defaults = Settings()
    return dataclasses.replace(
        settings,
        rate_limits=True,
        max_query_cost=defaults.max_query_cost,
        anonymous_budget=defaults.anonymous_budget,
        anonymous_restore_rate=defaults.anonymous_restore_rate,
        api_key_budget=defaults.api_key_budget,
        api_key_restore_rate=defaults.api_key_restore_rate,
    )


@pytest.fixture
def make_client(
    limited_settings: Settings, clock: FakeClock
) -> Iterator[Callable[..., TestClient]]:
    """A client for the app over ``limited_settings`` changed by keyword (and the fake clock)."""
    opened: list[TestClient] = []

    def make(**changes: Any) -> TestClient:
        settings = dataclasses.replace(limited_settings, **changes)
        built = build_services(settings)
        create_table_if_missing()
        services = dataclasses.replace(
            built, limits=LimitsService(budgets_from_settings(settings), clock=clock)
        )
        client = TestClient(create_app(services))
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def limited(make_client: Callable[..., TestClient]) -> TestClient:
    """A client of the app with production limits."""
    return make_client()
