"""The catalog's GraphQL face: types, queries, mutations and dataloaders."""

from commerce.catalog.api.mutations import CatalogMutation
from commerce.catalog.api.nodes import NODES
from commerce.catalog.api.queries import CatalogQuery

# Root fields whose answers, for shoppers, come from the in-memory catalog view alone
# (directly, or through a fresh read only when the view lacks the product): responses
# made of these can be cached for as long as that view is current.
VIEW_BACKED_ROOT_FIELDS = frozenset({"products", "product", "collections"})

__all__ = ["NODES", "VIEW_BACKED_ROOT_FIELDS", "CatalogMutation", "CatalogQuery"]
