"""Customer e2e fixtures: the usual app, with customers and identity on a clock the test moves."""

from __future__ import annotations

import dataclasses

import pytest
from customers_helpers import JWT_SECRET, Clock, RecordingOutbox

from commerce.composition import Services, build_services
from commerce.customers.addresses import CustomerAddressesService
from commerce.customers.identity.service import IdentityService
from commerce.customers.service import CustomersService
from commerce.db.table import create_table_if_missing
from commerce.settings import Secret, Settings


@pytest.fixture
def clock() -> Clock:
    """The customers and identity services' clock (consents, tokens, throttling, reset codes)."""
    return Clock()


@pytest.fixture
def outbox(services: Services) -> RecordingOutbox:
    """The notifications the identity service enqueued (also written to the real outbox)."""
    found = services.identity._outbox
    assert isinstance(found, RecordingOutbox)
    return found


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared test settings with a known JWT secret, so tests can forge tokens."""
    return dataclasses.replace(settings, jwt_secret=Secret(JWT_SECRET))


@pytest.fixture
def services(settings: Settings, clock: Clock) -> Services:
    """Every service over a fresh table; customers tell time by ``clock``."""
    built = build_services(settings)
    create_table_if_missing()
    customers = CustomersService(built.cart, clock=clock)
    identity = IdentityService(
        customers,
        jwt_secret=JWT_SECRET,
        outbox=RecordingOutbox(built.notifications),
        clock=clock,
    )
    return dataclasses.replace(
        built,
        customers=customers,
        customer_addresses=CustomerAddressesService(customers),
        identity=identity,
    )
