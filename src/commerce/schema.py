"""One schema for storefront and staff: admin fields carry a permission check.

Each context contributes a query and a mutation class; this module merges
them. See ``docs/decisions/0001-one-schema.md`` for why one schema, not two.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.query_depth_limiter import create_validator
from strawberry.schema.config import StrawberryConfig

from commerce.access.api import AccessMutation, AccessQuery
from commerce.cart.api import CartMutation, CartQuery
from commerce.catalog.api import CatalogMutation, CatalogQuery
from commerce.catalog.api.types import CollectionType, ProductType, ProductVariantType
from commerce.checkout.api import CheckoutMutation
from commerce.customers.api import CustomerMutation, CustomerQuery
from commerce.inventory.api import InventoryMutation, InventoryQuery
from commerce.orders.api import OrderMutation, OrderQuery
from commerce.promotions.api import PromotionsMutation, PromotionsQuery
from commerce.shipping.api import ShippingMutation, ShippingQuery
from commerce.tax.api import TaxMutation, TaxQuery

MAX_QUERY_DEPTH = 12
MAX_QUERY_TOKENS = 5_000


@strawberry.type(description="Everything a client can read.")
class Query(
    CatalogQuery,
    CartQuery,
    ShippingQuery,
    TaxQuery,
    InventoryQuery,
    CustomerQuery,
    AccessQuery,
    OrderQuery,
    PromotionsQuery,
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
):
    pass


class Schema(strawberry.Schema):
    """The schema, with unexpected errors left for the HTTP layer to mask and log."""

    def process_errors(self, errors: list[GraphQLError], execution_context: object = None) -> None:
        # The HTTP endpoint logs each unexpected error once, with its request id.
        return None


# One rule class for the life of the process: the validation cache is keyed by the
# rules as well as the document, so a rule class made per request would never hit.
_DEPTH_RULE = create_validator(MAX_QUERY_DEPTH, should_ignore=None)
# Distinct operation texts a client base sends are few; bounded so that a stream of
# unique queries cannot grow memory.
CACHED_DOCUMENTS = 512


def _extensions(introspection: bool = True) -> list[Any]:
    # Factories, not instances: Strawberry makes fresh extensions for every request, and
    # warns (DeprecationWarning) when given instances shared across requests. The caches
    # behind ParserCache and ValidationCache are module-level and shared all the same.
    # Without introspection (COMMERCE_INTROSPECTION=off), __schema and __type fail validation.
    rules: list[type[ASTValidationRule]] = [_DEPTH_RULE]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_QUERY_TOKENS),
        lambda: AddValidationRules(rules),
        lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
        lambda: ValidationCache(maxsize=CACHED_DOCUMENTS),
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
