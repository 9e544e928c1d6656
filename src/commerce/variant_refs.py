"""A variant by address: its product's id and its own.

Variants are stored inside their product, so everything that names one (a cart line, a
promotion's selector, a stock counter, the API's ProductVariant id) carries both ids.
``local_id`` is the one text form of the pair, ``<product id>.<variant id>``; ids made by
``ids.new_id`` never contain the dot, so the form reads back unambiguously.
"""

from __future__ import annotations

from typing import NamedTuple

SEPARATOR = "."


class VariantRef(NamedTuple):
    """(product id, variant id). A tuple, so ``(line.product_id, line.variant_id)`` finds
    it in a set without building one per lookup."""

    product_id: str
    variant_id: str

    @property
    def local_id(self) -> str:
        """The pair as one string: ``<product id>.<variant id>``."""
        return f"{self.product_id}{SEPARATOR}{self.variant_id}"

    @classmethod
    def parse(cls, local_id: str) -> VariantRef | None:
        """The pair ``local_id`` spells, or None unless it is exactly two non-empty ids
        joined by one dot."""
        product_id, dot, variant_id = local_id.partition(SEPARATOR)
        if not dot or not product_id or not variant_id or SEPARATOR in variant_id:
            return None
        return cls(product_id, variant_id)
