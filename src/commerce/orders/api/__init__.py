"""Orders in the GraphQL API: reading them, staff actions."""

from commerce.orders.api.mutations import OrderMutation
from commerce.orders.api.queries import OrderQuery
from commerce.orders.api.types import OrderType

__all__ = ["OrderMutation", "OrderQuery", "OrderType"]
