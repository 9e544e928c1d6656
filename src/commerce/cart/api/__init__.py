"""The cart's GraphQL face: types, queries and mutations, and its node types."""

from commerce.cart.api.mutations import CartMutation
from commerce.cart.api.queries import NODES, CartQuery

__all__ = ["NODES", "CartMutation", "CartQuery"]
