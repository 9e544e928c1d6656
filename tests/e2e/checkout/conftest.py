"""Checkout and order e2e fixtures: the app with a recording payment port and a clock."""

from __future__ import annotations

import dataclasses

import pytest
from checkout_helpers import Clock, RecordingGateway

from commerce.checkout.service import CheckoutService
from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.orders.service import OrdersService
from commerce.orders.settlement import ReleaseDownloads
from commerce.settings import Settings


@pytest.fixture
def clock() -> Clock:
    """The orders' and checkout's clock."""
    return Clock()


@pytest.fixture
def gateway() -> RecordingGateway:
    """The payment port checkout and orders call."""
    return RecordingGateway()


@pytest.fixture
def services(settings: Settings, clock: Clock, gateway: RecordingGateway) -> Services:
    """Every service over a fresh table; orders and checkout use ``gateway`` and ``clock``."""
    built = build_services(settings)
    create_table_if_missing()
    orders = OrdersService(
        built.inventory,
        gateway,
        promotions=built.promotions,
        purchases=built.customer_marketing,
        clock=clock,
    )
    settlement = ReleaseDownloads(orders, built.downloads)
    checkout = CheckoutService(
        built.cart,
        built.inventory,
        orders,
        gateway,
        reservation_seconds=settings.reservation_seconds,
        promotions=built.promotions,
        settle_free=settlement.settle_free,
        clock=clock,
    )
    return dataclasses.replace(
        built, orders=orders, checkout=checkout, gateway=gateway, settlement=settlement
    )
