"""A logged-in customer spends from a budget of their own, not their address's."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from customers_helpers import ME, call, signed_up
from starlette.testclient import TestClient

from commerce.app import create_app
from commerce.composition import Services
from commerce.limits.service import LimitsService, budgets_from_settings


@pytest.fixture
def limited(services: Services) -> Iterator[TestClient]:
    """The app with rate limits on (the shared settings turn them off)."""
    settings = dataclasses.replace(services.settings, rate_limits=True, max_query_cost=1_000)
    # A clock that stands still, so no points come back between requests.
    limits = LimitsService(budgets_from_settings(settings), clock=lambda: 1_750_000_000.0)
    limited_services = dataclasses.replace(services, settings=settings, limits=limits)
    with TestClient(create_app(limited_services)) as client:
        yield client


def _available(body: dict[str, object]) -> int:
    cost = body["extensions"]["cost"]  # type: ignore[index]
    return int(cost["throttleStatus"]["currentlyAvailable"])  # type: ignore[index]


def test_each_customer_has_a_budget_of_their_own(limited: TestClient, services: Services) -> None:
    # given: two customers behind one address (the test client's)
    first = signed_up(limited)["session"]["accessToken"]
    second = signed_up(limited)["session"]["accessToken"]
    capacity = services.settings.api_key_budget

    # when
    for _ in range(3):
        spent = call(limited, ME, token=first)
    other = call(limited, ME, token=second)

    # then
    cost = spent["extensions"]["cost"]["requestedQueryCost"]
    assert _available(spent) == capacity - 3 * cost
    assert _available(other) == capacity - cost
