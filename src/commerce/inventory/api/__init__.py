"""Stock in the GraphQL API: staff read, set and adjust levels."""

from commerce.inventory.api.mutations import InventoryMutation
from commerce.inventory.api.queries import InventoryQuery

__all__ = ["InventoryMutation", "InventoryQuery"]
