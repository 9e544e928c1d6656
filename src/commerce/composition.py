"""The composition root: the one place that wires settings into services.

Tests build their own ``Services`` from their own ``Settings``; nothing below
this module reads the environment or builds its own dependencies.
"""

from __future__ import annotations

from dataclasses import dataclass

from commerce.access.service import AccessService
from commerce.cart.service import CartService
from commerce.catalog.service import CatalogService
from commerce.db.table import configure_table
from commerce.limits.service import LimitsService, budgets_from_settings
from commerce.operations.service import OperationsService
from commerce.settings import Settings
from commerce.shipping.service import ShippingService
from commerce.tax.service import TaxService


@dataclass(frozen=True, slots=True)
class Services:
    """Every context's use cases, ready to call."""

    settings: Settings
    catalog: CatalogService
    access: AccessService
    cart: CartService
    shipping: ShippingService
    tax: TaxService
    limits: LimitsService
    operations: OperationsService


def build_services(settings: Settings) -> Services:
    """Point storage at the configured table and build the services over it."""
    configure_table(settings.table_name, settings.region, settings.dynamodb_endpoint)
    catalog = CatalogService(
        cache_seconds=settings.catalog_cache_seconds,
        stale_seconds=settings.catalog_stale_seconds,
        max_page_size=settings.max_page_size,
    )
    # Zones and tax rates are read by every cart with an address: cached as long as the
    # catalog view, and dropped by this process's own changes.
    shipping = ShippingService(cache_seconds=settings.catalog_cache_seconds)
    tax = TaxService(
        cache_seconds=settings.catalog_cache_seconds,
        prices_include_tax=settings.prices_include_tax,
    )
    return Services(
        settings=settings,
        catalog=catalog,
        access=AccessService(),
        cart=CartService(
            catalog,
            shipping,
            tax,
            ttl_seconds=settings.cart_ttl_seconds,
            default_currency=settings.default_currency,
        ),
        shipping=shipping,
        tax=tax,
        limits=LimitsService(budgets_from_settings(settings)),
        operations=OperationsService(),
    )
