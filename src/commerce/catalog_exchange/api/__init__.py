"""Catalog files in the GraphQL API: staff import small files as jobs and poll them."""

from commerce.catalog_exchange.api.mutations import CatalogExchangeMutation
from commerce.catalog_exchange.api.queries import CatalogExchangeQuery

__all__ = ["CatalogExchangeMutation", "CatalogExchangeQuery"]
