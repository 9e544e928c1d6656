"""Catalog input types and their conversion into service commands.

A mutation's input becomes a command in ``to_command``: ids and amounts are decoded and
the command is checked with ``rules``' pure checks. Every problem of a form comes back in
one answer: the rules' findings first, then the values that could not be read (to check
the rest of a form, an amount that cannot be read is left out of the check).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import strawberry

from commerce.catalog import commands, listing, model, rules
from commerce.catalog.api.enums import VariantKind
from commerce.catalog.errors import CatalogErrorCode as Code
from commerce.graphql.errors import BadUserInput
from commerce.graphql.ids import from_global_id
from commerce.graphql.inputs import InputErrors
from commerce.graphql.money import CurrencyCode, MoneyInput
from commerce.money import Currency, Money


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
    min_rating: Decimal | None = strawberry.field(
        default=None,
        description=(
            "Only products whose shown average rating (one decimal) is at least this, "
            "1 to 5 in steps of 0.1; products without reviews are left out."
        ),
    )

    def narrow(
        self, query: listing.ProductQuery
    ) -> tuple[listing.ProductQuery, listing.CollectionFilter]:
        """``query`` with this filter's conditions, and the collection it narrows to.

        BAD_USER_INPUT for a malformed collection id or a price finer than the currency.
        """
        collection = listing.CollectionFilter(
            id=None
            if self.collection_id is None
            else from_global_id(self.collection_id, "Collection"),
            handle=self.collection_handle,
        )
        price = self.price or PriceRangeFilter()
        narrowed = replace(
            query,
            attributes=tuple(
                listing.AttributeFilter(a.name, a.value) for a in self.attributes or []
            ),
            min_price=_minor(price.min, query.currency),
            max_price=_minor(price.max, query.currency),
            in_stock=self.in_stock,
            min_rating_tenths=_tenths(self.min_rating),
        )
        return narrowed, collection


def _tenths(rating: Decimal | None) -> int | None:
    """A minimum rating in tenths of a star; BAD_USER_INPUT outside 1..5 or finer than 0.1."""
    if rating is None:
        return None
    tenths = rating * 10
    if not rating.is_finite() or tenths != tenths.to_integral_value() or not 10 <= tenths <= 50:
        raise BadUserInput(
            "minRating is 1 to 5 in steps of 0.1", argument="filter.minRating"
        ) from None
    return int(tenths)


def _minor(amount: Decimal | None, currency: Currency) -> int | None:
    if amount is None:
        return None
    try:
        return Money.from_decimal(amount, currency).amount
    except ValueError as exc:
        raise BadUserInput(str(exc), argument="filter.price") from None


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

    def to_draft(self, errors: InputErrors, at: tuple[str, ...]) -> commands.VariantDraft:
        """The draft to check; amounts that cannot be read are left out, their problems
        recorded in ``errors`` (so a command is never built from this draft)."""
        prices = errors.amounts(self.prices, (*at, "prices"), Code.INVALID)
        cost = None
        if self.cost_price is not None:
            cost = errors.money(self.cost_price, (*at, "costPrice"), Code.INVALID)
        return commands.VariantDraft(
            sku=self.sku,
            options=options(self.options),
            prices=prices or (),
            kind=self.kind,
            cost=cost,
            weight_grams=self.weight_grams,
            initial_stock=self.initial_stock,
            asset_key=self.asset_key,
        )


def options(values: list[OptionValueInput]) -> tuple[model.OptionValue, ...]:
    return tuple(model.OptionValue(o.name.strip(), o.value.strip()) for o in values)


def attributes(values: list[AttributeInput]) -> tuple[model.Attribute, ...]:
    return tuple(
        model.Attribute(a.name.strip(), tuple(v.strip() for v in a.values)) for a in values
    )


def images(values: list[ImageInput]) -> tuple[model.Image, ...]:
    return tuple(model.Image(i.url, i.alt_text, i.width, i.height) for i in values)


def image(value: ImageInput | None) -> model.Image | None:
    return None if value is None else images([value])[0]


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

    def to_command(self, errors: InputErrors) -> commands.ProductDraft | None:
        unreadable = InputErrors(errors.invalid_id)
        collection_ids = [
            unreadable.id(c, "Collection", ("collectionIds", str(i)))
            for i, c in enumerate(self.collection_ids)
        ]
        draft = commands.ProductDraft(
            title=self.title,
            handle=self.handle,
            description=self.description,
            variants=tuple(
                v.to_draft(unreadable, ("variants", str(i))) for i, v in enumerate(self.variants)
            ),
            attributes=attributes(self.attributes),
            tags=tuple(self.tags),
            images=images(self.images),
            collection_ids=tuple(c for c in collection_ids if c is not None),
            published=self.published,
        )
        errors.check(rules.check_product_draft(draft))
        errors.check(unreadable.problems)
        return None if errors else draft


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

    def to_command(self, errors: InputErrors) -> commands.UpdateProduct | None:
        unreadable = InputErrors(errors.invalid_id)
        product_id = unreadable.id(self.id, "Product", "id")
        collection_ids = None
        if self.collection_ids is not None:
            collection_ids = unreadable.ids(self.collection_ids, "Collection", "collectionIds")
        changes = commands.ProductChanges(
            title=self.title,
            handle=self.handle,
            description=self.description,
            attributes=None if self.attributes is None else attributes(self.attributes),
            tags=None if self.tags is None else tuple(self.tags),
            images=None if self.images is None else images(self.images),
            collection_ids=None if collection_ids is None else tuple(collection_ids),
        )
        errors.check(rules.check_product_changes(changes))
        errors.check(unreadable.problems)
        if errors or product_id is None:
            return None
        return commands.UpdateProduct(product_id, changes)


@strawberry.input(description="Names one object by id.")
class IdInput:
    id: strawberry.ID = strawberry.field(description="The object's global id.")

    def to_product_id(self, errors: InputErrors) -> str | None:
        return errors.id(self.id, "Product", "id")

    def to_variant(self, errors: InputErrors) -> commands.VariantRef | None:
        return errors.variant(self.id, "id")

    def to_collection_id(self, errors: InputErrors) -> str | None:
        return errors.id(self.id, "Collection", "id")


@strawberry.input(description="A new variant for an existing product.")
class ProductVariantCreateInput(VariantInput):
    product_id: strawberry.ID = strawberry.field(description="The product to add it to.")

    def to_command(self, errors: InputErrors) -> commands.AddVariant | None:
        unreadable = InputErrors(errors.invalid_id)
        product_id = unreadable.id(self.product_id, "Product", "productId")
        draft = self.to_draft(unreadable, ())
        errors.check(rules.check_variant_draft(draft, ()))
        errors.check(unreadable.problems)
        if errors or product_id is None:
            return None
        return commands.AddVariant(product_id, draft)


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

    def to_command(self, errors: InputErrors) -> commands.UpdateVariant | None:
        unreadable = InputErrors(errors.invalid_id)
        variant = unreadable.variant(self.id, "id")
        cost = None
        if self.cost_price is not None:
            cost = unreadable.money(self.cost_price, "costPrice", Code.INVALID)
        changes = commands.VariantChanges(
            sku=self.sku,
            options=None if self.options is None else options(self.options),
            kind=self.kind,
            cost=cost,
            clear_cost=self.clear_cost_price,
            weight_grams=self.weight_grams,
            asset_key=self.asset_key,
        )
        errors.check(rules.check_variant_changes(changes))
        errors.check(unreadable.problems)
        if errors or variant is None:
            return None
        return commands.UpdateVariant(variant, changes)


@strawberry.input(description="Sets a variant's prices in some currencies, drops others.")
class ProductVariantPricesSetInput:
    id: strawberry.ID = strawberry.field(description="The variant.")
    prices: list[MoneyInput] = strawberry.field(
        default_factory=list, description="Prices to set (one per currency)."
    )
    remove_currencies: list[CurrencyCode] = strawberry.field(
        default_factory=list, description="Currencies in which it stops being sold."
    )

    def to_command(self, errors: InputErrors) -> commands.SetPrices | None:
        unreadable = InputErrors(errors.invalid_id)
        variant = unreadable.variant(self.id, "id")
        prices = unreadable.amounts(self.prices, "prices", Code.INVALID)
        remove = tuple(self.remove_currencies)
        if prices is not None:
            errors.check(rules.check_price_changes(prices, remove))
        errors.check(unreadable.problems)
        if errors or variant is None or prices is None:
            return None
        return commands.SetPrices(variant, prices, remove)


@strawberry.input(description="A new collection.")
class CollectionCreateInput:
    title: str = strawberry.field(description="The collection's name.")
    handle: str | None = strawberry.field(
        default=None, description="URL name; derived from the title when left out."
    )
    description: str = strawberry.field(default="", description="Plain-text description.")
    image: ImageInput | None = strawberry.field(default=None, description="A picture.")

    def to_command(self, errors: InputErrors) -> commands.CollectionDraft | None:
        draft = commands.CollectionDraft(
            title=self.title,
            handle=self.handle,
            description=self.description,
            image=image(self.image),
        )
        return draft if errors.check(rules.check_collection_draft(draft)) else None


@strawberry.input(description="Changes to a collection; fields left out stay as they are.")
class CollectionUpdateInput:
    id: strawberry.ID = strawberry.field(description="The collection to change.")
    title: str | None = strawberry.field(default=None, description="New name.")
    handle: str | None = strawberry.field(default=None, description="New URL name.")
    description: str | None = strawberry.field(default=None, description="New description.")
    image: ImageInput | None = strawberry.field(default=None, description="New picture.")

    def to_command(self, errors: InputErrors) -> commands.UpdateCollection | None:
        unreadable = InputErrors(errors.invalid_id)
        collection_id = unreadable.id(self.id, "Collection", "id")
        changes = commands.CollectionChanges(
            title=self.title,
            handle=self.handle,
            description=self.description,
            image=image(self.image),
        )
        errors.check(rules.check_collection_changes(changes))
        errors.check(unreadable.problems)
        if errors or collection_id is None:
            return None
        return commands.UpdateCollection(collection_id, changes)


@strawberry.input(description="Products to add to, or take out of, a collection.")
class CollectionProductsInput:
    collection_id: strawberry.ID = strawberry.field(description="The collection.")
    product_ids: list[strawberry.ID] = strawberry.field(description="Up to 50 products.")

    def to_command(self, errors: InputErrors) -> commands.ChangeMembership | None:
        collection_id = errors.id(self.collection_id, "Collection", "collectionId")
        product_ids = errors.ids(self.product_ids, "Product", "productIds")
        if collection_id is None or product_ids is None:
            return None
        if not errors.check(rules.check_membership(product_ids)):
            return None
        return commands.ChangeMembership(collection_id, tuple(product_ids))
