"""One schema for storefront and staff: admin fields carry a permission check.

Each context contributes a query and a mutation class and the node types it owns;
this module merges them, and answers ``node(id)`` / ``nodes(ids)`` for every type with a
global id. See ``docs/decisions/0001-one-schema.md`` for why one schema, not two.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

from commerce import (
    access,
    cart,
    catalog,
    customers,
    loyalty,
    orders,
    promotions,
    recommendations,
    reviews,
    shipping,
    tax,
)
from commerce.access.api import AccessMutation, AccessQuery
from commerce.affiliates.api import AffiliatesMutation, AffiliatesQuery
from commerce.cart.api import CartMutation, CartQuery
from commerce.catalog.api import CatalogMutation, CatalogQuery
from commerce.catalog.api.types import CollectionType, ProductType, ProductVariantType
from commerce.catalog_exchange.api import CatalogExchangeMutation, CatalogExchangeQuery
from commerce.checkout.api import CheckoutMutation
from commerce.customers.api import CustomerMutation, CustomerQuery
from commerce.graphql.context import Context
from commerce.graphql.depth import depth_limit_rule
from commerce.graphql.documents import MAX_QUERY_TOKENS, DocumentsOffTheLoop
from commerce.graphql.literals import IntLiteralSizeRule
from commerce.graphql.relay import Node, NodeType, resolve_nodes
from commerce.inventory.api import InventoryMutation, InventoryQuery
from commerce.journeys.api import (
    JourneysMutation,
    JourneysQuery,
    OrderAttributionQuery,
    ReportsMutation,
    ReportsQuery,
)
from commerce.loyalty.api import LoyaltyMutation, LoyaltyQuery
from commerce.orders.api import OrderMutation, OrderQuery
from commerce.promotions.api import PromotionsMutation, PromotionsQuery
from commerce.recommendations.api import RecommendationsQuery
from commerce.recovery.api import RecoveryMutation, RecoveryQuery
from commerce.reports.api import StoreReportsQuery
from commerce.reviews.api import ReviewsMutation, ReviewsQuery
from commerce.shipping.api import ShippingMutation, ShippingQuery
from commerce.tax.api import TaxMutation, TaxQuery
from commerce.webhooks.api import WebhooksMutation, WebhooksQuery

MAX_QUERY_DEPTH = 12


def _node_types(*contexts: list[NodeType]) -> dict[str, NodeType]:
    """Every context's node types by global-id type name; a name owned twice is a bug."""
    found: dict[str, NodeType] = {}
    for node_type in (t for listed in contexts for t in listed):
        if node_type.type_name in found:
            raise ValueError(f"Two contexts claim the node type {node_type.type_name}")
        found[node_type.type_name] = node_type
    return found


NODE_TYPES = _node_types(
    catalog.api.NODES,
    cart.api.NODES,
    customers.api.NODES,
    access.api.NODES,
    orders.api.NODES,
    promotions.api.NODES,
    recommendations.api.NODES,
    reviews.api.NODES,
    shipping.api.NODES,
    tax.api.NODES,
    loyalty.api.NODES,
)


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description=(
            "Any object by its global id; null when there is none or the caller may not "
            "see it (each type keeps its own rule: staff-only types refuse other callers)."
        )
    )
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        return (await resolve_nodes(info, [id], NODE_TYPES))[0]

    @strawberry.field(description="Several objects by global id (up to 100), in the same order.")
    async def nodes(self, info: Info[Context, None], ids: list[strawberry.ID]) -> list[Node | None]:
        return await resolve_nodes(info, ids, NODE_TYPES)


@strawberry.type(description="Everything a client can read.")
class Query(
    CatalogQuery,
    NodeQuery,
    CartQuery,
    ShippingQuery,
    TaxQuery,
    InventoryQuery,
    CustomerQuery,
    AccessQuery,
    OrderQuery,
    PromotionsQuery,
    CatalogExchangeQuery,
    RecommendationsQuery,
    JourneysQuery,
    ReportsQuery,
    OrderAttributionQuery,
    AffiliatesQuery,
    WebhooksQuery,
    StoreReportsQuery,
    RecoveryQuery,
    LoyaltyQuery,
    ReviewsQuery,
):
    pass


@strawberry.type(description="Everything a client can change.")
class Mutation(
    CatalogMutation,
    CartMutation,
    ShippingMutation,
    TaxMutation,
    InventoryMutation,
    CheckoutMutation,
    OrderMutation,
    CustomerMutation,
    AccessMutation,
    PromotionsMutation,
    CatalogExchangeMutation,
    JourneysMutation,
    ReportsMutation,
    AffiliatesMutation,
    WebhooksMutation,
    RecoveryMutation,
    LoyaltyMutation,
    ReviewsMutation,
):
    pass


class Schema(strawberry.Schema):
    """The schema, with unexpected errors left for the HTTP layer to mask and log."""

    def process_errors(self, errors: list[GraphQLError], execution_context: object = None) -> None:
        # The HTTP endpoint logs each unexpected error once, with its request id.
        return None


# One rule class for the life of the process: the validation cache is keyed by the
# rules as well as the document, so a rule class made per request would never hit.
_DEPTH_RULE = depth_limit_rule(MAX_QUERY_DEPTH)


def _extensions(introspection: bool = True) -> list[Any]:
    # Factories, not instances: Strawberry makes fresh extensions for every request, and
    # warns (DeprecationWarning) when given instances shared across requests. The caches
    # behind DocumentsOffTheLoop are module-level and shared all the same.
    # Without introspection (COMMERCE_INTROSPECTION=off), __schema and __type fail validation.
    rules: list[type[ASTValidationRule]] = [_DEPTH_RULE, IntLiteralSizeRule]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_QUERY_TOKENS),
        lambda: AddValidationRules(rules),
        # Parses and validates through bounded caches, large documents off the event loop.
        DocumentsOffTheLoop,
    ]


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    """The executable schema (built once per process)."""
    return Schema(
        query=Query,
        mutation=Mutation,
        types=[ProductType, ProductVariantType, CollectionType],
        extensions=_extensions(introspection),
        config=StrawberryConfig(auto_camel_case=True),
    )
