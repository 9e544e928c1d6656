"""One schema for storefront and staff: admin fields carry a permission check.

Each context contributes a query and a mutation class; this module merges
them. See ``docs/decisions/0001-one-schema.md`` for why one schema, not two.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig

from commerce.catalog.api import CatalogMutation, CatalogQuery
from commerce.catalog.api.types import CollectionType, ProductType, ProductVariantType

MAX_QUERY_DEPTH = 12
MAX_QUERY_TOKENS = 5_000


@strawberry.type(description="Everything a client can read.")
class Query(CatalogQuery):
    pass


@strawberry.type(description="Everything a client can change.")
class Mutation(CatalogMutation):
    pass


class Schema(strawberry.Schema):
    """The schema, with unexpected errors left for the HTTP layer to mask and log."""

    def process_errors(self, errors: list[GraphQLError], execution_context: object = None) -> None:
        # The HTTP endpoint logs each unexpected error once, with its request id.
        return None


def _extensions() -> list[Any]:
    # Configured instances: Strawberry accepts them although its annotation names classes.
    return [
        QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH),
        MaxTokensLimiter(max_token_count=MAX_QUERY_TOKENS),
    ]


def build_schema() -> strawberry.Schema:
    """The executable schema (built once per process)."""
    return Schema(
        query=Query,
        mutation=Mutation,
        types=[ProductType, ProductVariantType, CollectionType],
        extensions=_extensions(),
        config=StrawberryConfig(auto_camel_case=True),
    )
