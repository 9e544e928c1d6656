"""The reviews' GraphQL face: review mutations, moderation, order feedback, staff reads."""

from commerce.graphql.relay import NodeType
from commerce.reviews.api.mutations import ReviewsMutation
from commerce.reviews.api.queries import ReviewsQuery, review_node

NODES: list[NodeType] = [NodeType("Review", review_node)]

__all__ = ["NODES", "ReviewsMutation", "ReviewsQuery"]
