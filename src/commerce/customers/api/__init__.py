"""The customer account's GraphQL face: types, queries, mutations and node resolvers."""

from commerce.customers.api.mutations import CustomerMutation
from commerce.customers.api.nodes import NODES
from commerce.customers.api.queries import CustomerQuery

__all__ = ["NODES", "CustomerMutation", "CustomerQuery"]
