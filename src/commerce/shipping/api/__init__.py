"""Shipping's GraphQL face: zones and rates for staff, and their node types."""

from commerce.graphql.relay import NodeType
from commerce.shipping.api.mutations import ShippingMutation
from commerce.shipping.api.queries import ShippingQuery, shipping_rate_node, shipping_zone_node

# Zones and rates are staff's: node(id) refuses other callers as shippingZones does.
NODES: list[NodeType] = [
    NodeType("ShippingZone", shipping_zone_node),
    NodeType("ShippingRate", shipping_rate_node),
]

__all__ = ["NODES", "ShippingMutation", "ShippingQuery"]
