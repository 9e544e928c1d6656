"""Tax's GraphQL face: rates for staff."""

from commerce.graphql.relay import NodeType
from commerce.tax.api.mutations import TaxMutation
from commerce.tax.api.queries import TaxQuery

# A tax rate is named by its country and region, not by a global id: no node type.
NODES: list[NodeType] = []

__all__ = ["NODES", "TaxMutation", "TaxQuery"]
