"""The affiliate program in GraphQL: a partner's portal, staff's rules and payouts."""

from commerce.affiliates.api.mutations import AffiliatesMutation
from commerce.affiliates.api.queries import AffiliatesQuery

__all__ = ["AffiliatesMutation", "AffiliatesQuery"]
