"""Shipping's GraphQL face: zones and rates for staff."""

from commerce.shipping.api.mutations import ShippingMutation
from commerce.shipping.api.queries import ShippingQuery

__all__ = ["ShippingMutation", "ShippingQuery"]
