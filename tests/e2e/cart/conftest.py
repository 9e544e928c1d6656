"""Cart e2e fixtures: the usual app, with a cart service whose clock the test moves."""

from __future__ import annotations

import dataclasses

import pytest
from cart_helpers import Clock

from commerce.cart.service import CartService
from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.settings import Settings


@pytest.fixture
def clock() -> Clock:
    """The cart service's clock."""
    return Clock()


@pytest.fixture
def services(settings: Settings, clock: Clock) -> Services:
    """Every service over a fresh table; carts tell time by ``clock``."""
    built = build_services(settings)
    create_table_if_missing()
    carts = CartService(
        built.catalog,
        built.shipping,
        built.tax,
        built.promotions,
        ttl_seconds=settings.cart_ttl_seconds,
        default_currency=settings.default_currency,
        clock=clock,
    )
    return dataclasses.replace(built, cart=carts)
