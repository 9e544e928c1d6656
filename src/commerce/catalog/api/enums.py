"""Catalog enums as the schema names them: shared by inputs, types and payloads."""

from __future__ import annotations

import enum

import strawberry

from commerce.catalog import model
from commerce.catalog.errors import CatalogErrorCode as DomainCatalogErrorCode

VariantKind = strawberry.enum(
    model.VariantKind,
    name="VariantKind",
    description="How a variant reaches the buyer.",
)
CatalogErrorCode = strawberry.enum(
    DomainCatalogErrorCode,
    name="CatalogErrorCode",
    description="Why a catalog change was refused.",
)


@strawberry.enum(
    description="Orders a product list can be sorted in (RELEVANCE needs a text query)."
)
class ProductSortKeys(enum.Enum):
    TITLE = "TITLE"
    PRICE = "PRICE"
    NEWEST = "NEWEST"
    RELEVANCE = "RELEVANCE"
    RATING = strawberry.enum_value(
        "RATING",
        description=(
            "Best rated first: the average shown (one decimal), then the most reviewed; "
            "products without reviews last (reverse: lowest rated first, unrated still last)."
        ),
    )
