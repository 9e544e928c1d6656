"""The promotions context's GraphQL: staff queries and mutations."""

from commerce.promotions.api.mutations import PromotionsMutation
from commerce.promotions.api.queries import PromotionsQuery

__all__ = ["PromotionsMutation", "PromotionsQuery"]
