"""What staff ask the catalog to do: plain inputs to ``service.py``'s use cases.

The GraphQL layer converts its input types into these; the seed script and the
CLI build them directly. Fields left as ``None`` in an update mean "unchanged".
"""

from __future__ import annotations

from dataclasses import dataclass

from commerce.catalog.model import Attribute, Image, OptionValue, VariantKind
from commerce.money import Money


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
