"""What staff ask the catalog to do: plain inputs to ``service.py``'s use cases.

The GraphQL layer converts its input types into these (checked with ``rules``'
pure checks on the way); the seed script and the CLI build them directly. Fields
left as ``None`` in an update mean "unchanged".
"""

from __future__ import annotations

from dataclasses import dataclass

from commerce.catalog.model import Attribute, Image, OptionValue, VariantKind
from commerce.money import Currency, Money
from commerce.variant_refs import VariantRef

__all__ = ["VariantRef"]


@dataclass(frozen=True, slots=True)
class VariantDraft:
    """A variant to add to a product."""

    sku: str
    options: tuple[OptionValue, ...] = ()
    prices: tuple[Money, ...] = ()
    kind: VariantKind = VariantKind.PHYSICAL
    cost: Money | None = None
    weight_grams: int | None = None
    initial_stock: int = 0
    asset_key: str | None = None


@dataclass(frozen=True, slots=True)
class VariantChanges:
    """Changes to an existing variant; None leaves a field as it is."""

    sku: str | None = None
    options: tuple[OptionValue, ...] | None = None
    kind: VariantKind | None = None
    cost: Money | None = None
    clear_cost: bool = False
    weight_grams: int | None = None
    asset_key: str | None = None


@dataclass(frozen=True, slots=True)
class ProductDraft:
    """A new product with its first variants."""

    title: str
    handle: str | None = None
    description: str = ""
    variants: tuple[VariantDraft, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    tags: tuple[str, ...] = ()
    images: tuple[Image, ...] = ()
    collection_ids: tuple[str, ...] = ()
    published: bool = False


@dataclass(frozen=True, slots=True)
class ProductChanges:
    """Changes to a product's own fields; None leaves a field as it is."""

    title: str | None = None
    handle: str | None = None
    description: str | None = None
    attributes: tuple[Attribute, ...] | None = None
    tags: tuple[str, ...] | None = None
    images: tuple[Image, ...] | None = None
    collection_ids: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class CollectionDraft:
    """A new collection."""

    title: str
    handle: str | None = None
    description: str = ""
    image: Image | None = None


@dataclass(frozen=True, slots=True)
class CollectionChanges:
    """Changes to a collection; None leaves a field as it is."""

    title: str | None = None
    handle: str | None = None
    description: str | None = None
    image: Image | None = None


@dataclass(frozen=True, slots=True)
class UpdateProduct:
    """Change a product's own fields."""

    product_id: str
    changes: ProductChanges


@dataclass(frozen=True, slots=True)
class AddVariant:
    """Add a variant to a product."""

    product_id: str
    draft: VariantDraft


@dataclass(frozen=True, slots=True)
class UpdateVariant:
    """Change a variant."""

    variant: VariantRef
    changes: VariantChanges


@dataclass(frozen=True, slots=True)
class SetPrices:
    """Set a variant's price in some currencies and drop it in others."""

    variant: VariantRef
    prices: tuple[Money, ...]
    remove: tuple[Currency, ...] = ()


@dataclass(frozen=True, slots=True)
class UpdateCollection:
    """Change a collection."""

    collection_id: str
    changes: CollectionChanges


@dataclass(frozen=True, slots=True)
class ChangeMembership:
    """Products to add to, or take out of, a collection."""

    collection_id: str
    product_ids: tuple[str, ...]
