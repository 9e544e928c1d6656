"""Orders placed through the checkout service, for the events and jobs functions' tests."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from commerce.cart.commands import CreateCart
from commerce.cart.model import BuyerIdentity, LineRequest
from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.catalog.model import VariantKind
from commerce.checkout.service import CheckoutService
from commerce.composition import Services
from commerce.money import Currency, Money
from commerce.orders import store as orders_store
from commerce.orders.model import Order
from commerce.orders.service import OrdersService
from commerce.principals import Shopper


def place_ebook_order(services: Services, placed_at: datetime | None = None) -> Order:
    """A guest's unpaid order for one e-book at 19.99 USD (placed at ``placed_at``)."""
    sku = f"EBOOK-{uuid.uuid4().hex[:8]}"
    product = services.catalog.create_product(
        ProductDraft(
            title=f"E-book {sku}",
            published=True,
            variants=(
                VariantDraft(
                    sku=sku, prices=(Money(1999, Currency.USD),), kind=VariantKind.DIGITAL
                ),
            ),
        )
    )
    cart = services.cart.create(
        CreateCart(
            lines=[LineRequest(product.id, product.variants[0].id, 1)],
            buyer_identity=BuyerIdentity(email="ada@example.com"),
        )
    ).cart
    checkout = services.checkout
    if placed_at is not None:
        # Wired as composition.build_services does, on a clock set to ``placed_at``.
        orders = OrdersService(
            services.inventory,
            services.gateway,
            promotions=services.promotions,
            clock=lambda: placed_at,
        )
        checkout = CheckoutService(
            services.cart,
            services.inventory,
            orders,
            services.gateway,
            reservation_seconds=services.settings.reservation_seconds,
            promotions=services.promotions,
            clock=lambda: placed_at,
        )
    return checkout.complete(cart.id, f"key-{uuid.uuid4()}", Shopper(None)).order


def order_image(order_id: str) -> dict[str, Any]:
    """The stored order in DynamoDB's JSON, as a stream image carries it."""
    image: dict[str, Any] = orders_store.OrderItem.get(
        orders_store.order_pk(order_id), orders_store.ORDER_SK
    ).serialize()
    return image


def reservation_image(order_id: str) -> dict[str, Any]:
    image: dict[str, Any] = orders_store.ReservationItem.get(
        orders_store.order_pk(order_id), orders_store.RESERVATION_SK
    ).serialize()
    return image
