"""The cart's GraphQL face: types, queries and mutations."""

from commerce.cart.api.mutations import CartMutation
from commerce.cart.api.queries import CartQuery

__all__ = ["CartMutation", "CartQuery"]
