"""Orders in the GraphQL API: reading them, staff actions, and the Order node type."""

from commerce.graphql.relay import NodeType
from commerce.orders.api.mutations import OrderMutation
from commerce.orders.api.queries import OrderQuery, order_node
from commerce.orders.api.types import OrderType

# node(id) reads an order as order(id) does without an access token.
NODES: list[NodeType] = [NodeType("Order", order_node)]

__all__ = ["NODES", "OrderMutation", "OrderQuery", "OrderType"]
