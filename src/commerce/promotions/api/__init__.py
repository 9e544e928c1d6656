"""The promotions context's GraphQL: staff queries and mutations, and its node type."""

from commerce.graphql.relay import NodeType
from commerce.promotions.api.mutations import PromotionsMutation
from commerce.promotions.api.queries import PromotionsQuery, promotion_node

# Promotions are staff's: node(id) refuses other callers as promotion(id) does.
NODES: list[NodeType] = [NodeType("Promotion", promotion_node)]

__all__ = ["NODES", "PromotionsMutation", "PromotionsQuery"]
