"""The recommendations' GraphQL face: the shopper's own list (``recommendations``)."""

from commerce.recommendations.api.queries import NODES, RecommendationsQuery

__all__ = ["NODES", "RecommendationsQuery"]
