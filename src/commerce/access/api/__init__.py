"""API keys and partners in GraphQL: staff issue keys, partners read their own account."""

from commerce.access.api.mutations import AccessMutation
from commerce.access.api.nodes import NODES
from commerce.access.api.queries import AccessQuery

__all__ = ["NODES", "AccessMutation", "AccessQuery"]
