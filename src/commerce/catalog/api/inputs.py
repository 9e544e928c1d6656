"""Catalog input types and their conversion into service commands."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from commerce.catalog import commands, model
from commerce.catalog.api.types import VariantKind
from commerce.catalog.errors import CatalogErrorCode as Code
from commerce.graphql.money import (
    CurrencyCode,
    MoneyInput,
    amounts_or_problems,
    money_or_problem,
)
from commerce.money import Money
from commerce.problems import Problem, Rejected


@strawberry.input(description="Keep products whose attribute has this value (ignoring case).")
class AttributeFilterInput:
    name: str = strawberry.field(description="Attribute name, e.g. author, series; or tag.")
    value: str = strawberry.field(description="The value to match.")


@strawberry.input(description="A price range in the query's currency, bounds included.")
class PriceRangeFilter:
    min: Decimal | None = strawberry.field(default=None, description="Lowest price.")
    max: Decimal | None = strawberry.field(default=None, description="Highest price.")


@strawberry.input(description="Narrows a product list; every given condition must hold.")
class ProductFilter:
    collection_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only products in this collection."
    )
    collection_handle: str | None = strawberry.field(
        default=None, description="Only products in the collection with this handle."
    )
    attributes: list[AttributeFilterInput] | None = strawberry.field(
        default=None, description="Attribute values every product must have."
    )
    price: PriceRangeFilter | None = strawberry.field(
        default=None, description="Some variant's price must lie in this range."
    )
    in_stock: bool | None = strawberry.field(
        default=None, description="true: only buyable products; false: only sold-out ones."
    )


@strawberry.input(description="One option value of a variant, e.g. Format: Hardcover.")
class OptionValueInput:
    name: str = strawberry.field(description="The option's name.")
    value: str = strawberry.field(description="The chosen value.")


@strawberry.input(description="A named product property.")
class AttributeInput:
    name: str = strawberry.field(description="The attribute's name, e.g. author.")
    values: list[str] = strawberry.field(description="One or more values.")


@strawberry.input(description="A picture by URL.")
class ImageInput:
    url: str = strawberry.field(description="An http(s) URL.")
    alt_text: str = strawberry.field(default="", description="Text for screen readers.")
    width: int | None = strawberry.field(default=None, description="Width in pixels.")
    height: int | None = strawberry.field(default=None, description="Height in pixels.")


@strawberry.input(description="A new variant.")
class VariantInput:
    sku: str = strawberry.field(description="Stock keeping unit, unique in the store.")
    options: list[OptionValueInput] = strawberry.field(
        default_factory=list, description="Option values that set it apart."
    )
    prices: list[MoneyInput] = strawberry.field(
        default_factory=list, description="Price per currency; at most one per currency."
    )
    kind: VariantKind = strawberry.field(
        default=model.VariantKind.PHYSICAL, description="Physical or digital."
    )
    cost_price: MoneyInput | None = strawberry.field(
        default=None, description="What one unit cost the store."
    )
    weight_grams: int | None = strawberry.field(default=None, description="Shipping weight.")
    initial_stock: int = strawberry.field(
        default=0, description="Units in stock at creation (physical variants only)."
    )
    asset_key: str | None = strawberry.field(
        default=None,
        description="Digital variants: the file a download delivers (e.g. ebooks/dune.epub).",
    )


def money(value: MoneyInput, field: tuple[str, ...], problems: list[Problem]) -> Money | None:
    """The amount in minor units, or None with a problem when it has too many decimals."""
    return money_or_problem(value, field, problems, Code.INVALID)


def prices(
    values: list[MoneyInput], field: tuple[str, ...], problems: list[Problem]
) -> tuple[Money, ...]:
    """Money inputs in minor units; too many decimals become problems."""
    return amounts_or_problems(values, field, problems, Code.INVALID)


def options(values: list[OptionValueInput]) -> tuple[model.OptionValue, ...]:
    return tuple(model.OptionValue(o.name.strip(), o.value.strip()) for o in values)


def attributes(values: list[AttributeInput]) -> tuple[model.Attribute, ...]:
    return tuple(
        model.Attribute(a.name.strip(), tuple(v.strip() for v in a.values)) for a in values
    )


def images(values: list[ImageInput]) -> tuple[model.Image, ...]:
    return tuple(model.Image(i.url, i.alt_text, i.width, i.height) for i in values)


def variant_draft(
    value: VariantInput, field: tuple[str, ...], problems: list[Problem]
) -> commands.VariantDraft:
    cost = (
        None
        if value.cost_price is None
        else money(value.cost_price, (*field, "costPrice"), problems)
    )
    return commands.VariantDraft(
        sku=value.sku,
        options=options(value.options),
        prices=prices(value.prices, (*field, "prices"), problems),
        kind=value.kind,
        cost=cost,
        weight_grams=value.weight_grams,
        initial_stock=value.initial_stock,
        asset_key=value.asset_key,
    )


def raise_if(problems: list[Problem]) -> None:
    """Refuse the input before any service call when conversion found problems."""
    if problems:
        raise Rejected(problems)


@strawberry.input(description="A new product.")
class ProductCreateInput:
    title: str = strawberry.field(description="The product's name.")
    handle: str | None = strawberry.field(
        default=None, description="URL name; derived from the title when left out."
    )
    description: str = strawberry.field(default="", description="Plain-text description.")
    variants: list[VariantInput] = strawberry.field(
        default_factory=list, description="Its variants (editions, sizes)."
    )
    attributes: list[AttributeInput] = strawberry.field(
        default_factory=list, description="Named properties such as author or series."
    )
    tags: list[str] = strawberry.field(default_factory=list, description="Free-form labels.")
    images: list[ImageInput] = strawberry.field(default_factory=list, description="Pictures.")
    collection_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Collections it belongs to."
    )
    published: bool = strawberry.field(
        default=False, description="Show it on the storefront at once."
    )


@strawberry.input(description="Changes to a product; fields left out stay as they are.")
class ProductUpdateInput:
    id: strawberry.ID = strawberry.field(description="The product to change.")
    title: str | None = strawberry.field(default=None, description="New name.")
    handle: str | None = strawberry.field(default=None, description="New URL name.")
    description: str | None = strawberry.field(default=None, description="New description.")
    attributes: list[AttributeInput] | None = strawberry.field(
        default=None, description="Replaces every attribute."
    )
    tags: list[str] | None = strawberry.field(default=None, description="Replaces every tag.")
    images: list[ImageInput] | None = strawberry.field(
        default=None, description="Replaces every image."
    )
    collection_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Replaces every collection membership."
    )


@strawberry.input(description="Names one object by id.")
class IdInput:
    id: strawberry.ID = strawberry.field(description="The object's global id.")


@strawberry.input(description="A new variant for an existing product.")
class ProductVariantCreateInput(VariantInput):
    product_id: strawberry.ID = strawberry.field(description="The product to add it to.")


@strawberry.input(description="Changes to a variant; fields left out stay as they are.")
class ProductVariantUpdateInput:
    id: strawberry.ID = strawberry.field(description="The variant to change.")
    sku: str | None = strawberry.field(default=None, description="New SKU.")
    options: list[OptionValueInput] | None = strawberry.field(
        default=None, description="Replaces every option value."
    )
    kind: VariantKind | None = strawberry.field(default=None, description="New kind.")
    cost_price: MoneyInput | None = strawberry.field(default=None, description="New cost.")
    clear_cost_price: bool = strawberry.field(default=False, description="Forget the cost.")
    weight_grams: int | None = strawberry.field(default=None, description="New weight.")
    asset_key: str | None = strawberry.field(
        default=None, description="New file for downloads (digital variants)."
    )


@strawberry.input(description="Sets a variant's prices in some currencies, drops others.")
class ProductVariantPricesSetInput:
    id: strawberry.ID = strawberry.field(description="The variant.")
    prices: list[MoneyInput] = strawberry.field(
        default_factory=list, description="Prices to set (one per currency)."
    )
    remove_currencies: list[CurrencyCode] = strawberry.field(
        default_factory=list, description="Currencies in which it stops being sold."
    )


@strawberry.input(description="A new collection.")
class CollectionCreateInput:
    title: str = strawberry.field(description="The collection's name.")
    handle: str | None = strawberry.field(
        default=None, description="URL name; derived from the title when left out."
    )
    description: str = strawberry.field(default="", description="Plain-text description.")
    image: ImageInput | None = strawberry.field(default=None, description="A picture.")


@strawberry.input(description="Changes to a collection; fields left out stay as they are.")
class CollectionUpdateInput:
    id: strawberry.ID = strawberry.field(description="The collection to change.")
    title: str | None = strawberry.field(default=None, description="New name.")
    handle: str | None = strawberry.field(default=None, description="New URL name.")
    description: str | None = strawberry.field(default=None, description="New description.")
    image: ImageInput | None = strawberry.field(default=None, description="New picture.")


@strawberry.input(description="Products to add to, or take out of, a collection.")
class CollectionProductsInput:
    collection_id: strawberry.ID = strawberry.field(description="The collection.")
    product_ids: list[strawberry.ID] = strawberry.field(description="Up to 50 products.")
