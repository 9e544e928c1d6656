"""Loyalty's GraphQL face: staff rules and adjustments; the customer's own points are
``Customer.loyalty`` (customers/api)."""

from commerce.graphql.relay import NodeType
from commerce.loyalty.api.mutations import LoyaltyMutation
from commerce.loyalty.api.queries import LoyaltyQuery

NODES: list[NodeType] = []

__all__ = ["NODES", "LoyaltyMutation", "LoyaltyQuery"]
