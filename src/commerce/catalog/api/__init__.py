"""The catalog's GraphQL face: types, queries, mutations and dataloaders."""

from commerce.catalog.api.mutations import CatalogMutation
from commerce.catalog.api.queries import CatalogQuery

__all__ = ["CatalogMutation", "CatalogQuery"]
