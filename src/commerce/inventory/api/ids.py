"""Inventory names variants by the catalog's ProductVariant global ids."""

from __future__ import annotations

from commerce.graphql.ids import local_id_or_none, to_global_id
from commerce.graphql.inputs import InputErrors, Path
from commerce.inventory.errors import InventoryErrorCode as Code
from commerce.inventory.model import VariantKey

VARIANT_TYPE = "ProductVariant"


def variant_global_id(variant: VariantKey) -> str:
    """The ProductVariant id the catalog gives this variant."""
    product_id, variant_id = variant
    return to_global_id(VARIANT_TYPE, f"{product_id}.{variant_id}")


def variant_key(global_id: str) -> VariantKey | None:
    """(product id, variant id) inside a ProductVariant id; None when it is not one."""
    local = local_id_or_none(global_id, VARIANT_TYPE)
    if local is None:
        return None
    product_id, _, variant_id = local.partition(".")
    return (product_id, variant_id) if product_id and variant_id else None


def decode_variant(errors: InputErrors, global_id: str, at: Path) -> VariantKey | None:
    """The variant a ProductVariant id names; None, recorded, when it names none."""
    key = variant_key(global_id)
    if key is None:
        errors.add(Code.INVALID_ID, f"Not a valid {VARIANT_TYPE} ID", at)
    return key
