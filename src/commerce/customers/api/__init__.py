"""The customer account's GraphQL face: types, queries and mutations."""

from commerce.customers.api.mutations import CustomerMutation
from commerce.customers.api.queries import CustomerQuery

__all__ = ["CustomerMutation", "CustomerQuery"]
