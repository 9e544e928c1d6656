"""Staff reads of promotions and their codes."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.ids import local_id_or_none
from commerce.graphql.money import CurrencyCode
from commerce.graphql.permissions import ADMIN, IsAdmin
from commerce.graphql.relay import Node
from commerce.money import Currency
from commerce.pricing.shoppers import shopper_context
from commerce.promotions.api.types import DiscountCode, ProductOffer, Promotion


async def promotion_node(info: Info[Context, None], promotion_id: str) -> Node | None:
    """``node(id)`` for a Promotion: staff only, refused as ``promotion(id)`` refuses."""
    IsAdmin().has_permission(None, info)
    found = await info.context.run(info.context.services.promotions.promotion, promotion_id)
    return None if found is None else Promotion.from_domain(found)


@strawberry.type
class PromotionsQuery:
    @strawberry.field(
        description="Every promotion, ended ones included (staff only).",
        permission_classes=ADMIN,
    )
    async def promotions(self, info: Info[Context, None]) -> list[Promotion]:
        found = await info.context.run(info.context.services.promotions.promotions)
        return [Promotion.from_domain(p) for p in found]

    @strawberry.field(
        description="One promotion by id, or null (staff only).", permission_classes=ADMIN
    )
    async def promotion(self, info: Info[Context, None], id: strawberry.ID) -> Promotion | None:
        local = local_id_or_none(id, "Promotion")
        if local is None:
            return None
        found = await info.context.run(info.context.services.promotions.promotion, local)
        return None if found is None else Promotion.from_domain(found)

    @strawberry.field(
        description="A promotion's discount codes with their use counts (staff only).",
        permission_classes=ADMIN,
    )
    async def discount_codes(
        self, info: Info[Context, None], promotion_id: strawberry.ID
    ) -> list[DiscountCode]:
        local = local_id_or_none(promotion_id, "Promotion")
        if local is None:
            return []
        found = await info.context.run(info.context.services.promotions.codes, local)
        return [DiscountCode.from_domain(c) for c in found]

    @strawberry.field(
        description=(
            "The live offers on a product for the caller, each with what it saves on one unit "
            "and what would unlock it ('complete the series: add volumes 2 and 3 and save 15%'). "
            "Priced for this shopper as their cart is: the caller's sales channel (an API "
            "key's, or the X-Commerce-Channel header) and, signed in, the customer. "
            "Empty for an unknown or unpublished product."
        )
    )
    async def offers(
        self,
        info: Info[Context, None],
        product_id: strawberry.ID,
        currency_code: CurrencyCode | None = None,
    ) -> list[ProductOffer]:
        local = local_id_or_none(product_id, "Product")
        if local is None:
            return []
        services = info.context.services
        view = await info.context.run(services.catalog.product, local, include_unpublished=False)
        if view is None:
            return []
        currency: Currency = currency_code or info.context.default_currency
        # Priced for this shopper as their cart would be: channel and customer.
        viewer = info.context.shopper
        profile = await info.context.run(services.cart.profile, viewer.customer_id)
        pricing = shopper_context(viewer, datetime.now(UTC), currency, profile)
        found = await info.context.run(
            services.promotions.offers_for_product, view.product, pricing
        )
        return [ProductOffer.from_domain(o, currency) for o in found]
