"""One table and one app per test module: the affiliate tests share their set-up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from commerce.access.model import Scope
from commerce.app import create_app
from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.payments.local import LocalStripe
from table_settings import fresh_settings

WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture(scope="module")
def affiliate_services(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Services:
    built = build_services(
        fresh_settings(dynamodb_endpoint, stripe_server.endpoint, WEBHOOK_SECRET)
    )
    create_table_if_missing()
    return built


@pytest.fixture(scope="module")
def affiliate_client(affiliate_services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(affiliate_services)) as client:
        yield client


@pytest.fixture(scope="module")
def staff_key(affiliate_services: Services) -> str:
    return affiliate_services.access.create_key("staff", frozenset({Scope.ADMIN})).plaintext
