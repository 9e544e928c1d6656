"""Catalog types as frontend teams see them (Shopify-like names, Relay conventions)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from commerce.catalog import listing, model
from commerce.catalog.api import enums
from commerce.catalog.api.enums import CatalogErrorCode, ProductSortKeys
from commerce.catalog.api.inputs import ProductFilter
from commerce.catalog.api.loaders import (
    CATALOG,
    catalog_view_loader,
    stock_by_variant_loader,
)
from commerce.catalog.api.recommended import (
    MAX_RECOMMENDATIONS,
    ProductRecommendationConnection,
    ProductRecommendationKind,
    check_first,
    recommendation_connection,
    recommendations_by_product_loader,
)
from commerce.catalog.api.reviewed import (
    ProductRatingType,
    ReviewConnection,
    ReviewSortKeys,
    product_reviews,
)
from commerce.graphql.arguments import After, Before, First, Last
from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput
from commerce.graphql.ids import to_global_id, variant_global_id
from commerce.graphql.money import CurrencyCode, Money
from commerce.graphql.permissions import ADMIN
from commerce.graphql.relay import Connection, Edge, Node, PageInfo
from commerce.graphql.user_errors import UserError
from commerce.money import Currency
from commerce.variant_refs import VariantRef

# Orders show their lines' kind with the catalog's enum.
VariantKind = enums.VariantKind


@strawberry.type(description="A picture of a product or collection.")
class Image:
    url: str = strawberry.field(description="Where the image is served from.")
    alt_text: str = strawberry.field(description="Text for screen readers and failed loads.")
    width: int | None = strawberry.field(description="Width in pixels, when known.")
    height: int | None = strawberry.field(description="Height in pixels, when known.")

    @classmethod
    def from_domain(cls, image: model.Image) -> Image:
        return cls(url=image.url, alt_text=image.alt_text, width=image.width, height=image.height)


@strawberry.type(description="A named product property, e.g. author or series.")
class ProductAttribute:
    name: str = strawberry.field(description="The attribute's name.")
    values: list[str] = strawberry.field(description="Its values, in the order staff gave.")


@strawberry.type(description="One choice that tells variants apart, e.g. Format: Hardcover.")
class SelectedOption:
    name: str = strawberry.field(description="The option's name.")
    value: str = strawberry.field(description="The chosen value.")


@strawberry.type(description="An option a product offers, with every value its variants use.")
class ProductOption:
    name: str = strawberry.field(description="The option's name.")
    values: list[str] = strawberry.field(description="Its values, in variant order.")


@strawberry.type(description="The lowest and highest variant price in one currency.")
class ProductPriceRange:
    min_variant_price: Money = strawberry.field(description="The cheapest variant's price.")
    max_variant_price: Money = strawberry.field(description="The dearest variant's price.")


@strawberry.type(description="Why a catalog change was refused, and which input field it concerns.")
class CatalogUserError(UserError):
    code: CatalogErrorCode = strawberry.field(description="What is wrong, for programs.")


@strawberry.type(
    name="ProductVariant",
    description="A purchasable version of a product (a format, a size), with its SKU.",
)
class ProductVariantType(Node):
    # Plain fields are filled once in from_domain: a listing page resolves thousands of
    # fields, and default resolvers cost a fraction of resolver methods.
    sku: str = strawberry.field(description="Stock keeping unit, unique in the store.")
    title: str = strawberry.field(description='The option values joined, e.g. "Hardcover".')
    selected_options: list[SelectedOption] = strawberry.field(
        description="The option values that define this variant."
    )
    price: Money | None = strawberry.field(
        description=(
            "The price in the currency the query asked for; null when the variant has no "
            "price in that currency (prices are never converted)."
        )
    )
    prices: list[Money] = strawberry.field(description="Every price the variant has.")
    kind: VariantKind = strawberry.field(description="Physical (shipped) or digital (downloaded).")
    requires_shipping: bool = strawberry.field(
        description="Whether the variant needs a shipping address."
    )
    weight_grams: int | None = strawberry.field(description="Shipping weight in grams, if known.")
    variant: strawberry.Private[model.Variant]
    owner: strawberry.Private[model.Product]
    stock: strawberry.Private[Mapping[str, int] | None]
    currency: strawberry.Private[Currency]

    @classmethod
    def from_domain(
        cls,
        variant: model.Variant,
        owner: model.Product,
        stock: Mapping[str, int] | None,
        currency: Currency,
    ) -> ProductVariantType:
        price = variant.price_in(currency)
        return cls(
            id=strawberry.ID(variant_global_id(VariantRef(owner.id, variant.id))),
            sku=variant.sku,
            title=variant.title,
            selected_options=[SelectedOption(name=o.name, value=o.value) for o in variant.options],
            price=None if price is None else Money.from_domain(price),
            prices=[Money.from_domain(p) for p in variant.prices],
            kind=variant.kind,
            requires_shipping=variant.kind is model.VariantKind.PHYSICAL,
            weight_grams=variant.weight_grams,
            variant=variant,
            owner=owner,
            stock=stock,
            currency=currency,
        )

    @strawberry.field(
        description="What the store paid for one unit, for margin reports. Admin only.",
        permission_classes=ADMIN,
    )
    def cost_price(self) -> Money | None:
        return None if self.variant.cost is None else Money.from_domain(self.variant.cost)

    @strawberry.field(
        description=(
            "Digital variants: the file a paid order's download link delivers. Admin only "
            "(shoppers get expiring links on their order instead)."
        ),
        permission_classes=ADMIN,
    )
    def asset_key(self) -> str | None:
        return self.variant.asset_key

    @strawberry.field(
        description=(
            "Units that can be bought now; null when not limited (digital goods). "
            "Checkout, not this number, guarantees a unit."
        ),
        graphql_type=int | None,
    )
    def quantity_available(self, info: Info[Context, None]) -> Awaitable[int | None] | int | None:
        known = self._known_availability()
        if known is not None:
            return known.quantity
        return self._loaded_quantity(info)

    @strawberry.field(
        description="Whether the variant can be bought now (in stock, or digital).",
        graphql_type=bool,
    )
    def available_for_sale(self, info: Info[Context, None]) -> Awaitable[bool] | bool:
        known = self._known_availability()
        if known is not None:
            return known.available_for_sale
        return self._loaded_for_sale(info)

    @strawberry.field(description="The product this variant belongs to.")
    def product(self) -> Annotated[ProductType, strawberry.lazy("commerce.catalog.api.types")]:
        return ProductType.from_domain(self.owner, self.stock, self.currency)

    def _known_availability(self) -> model.Availability | None:
        # Sync when the stock is at hand (listings, product pages); a loader otherwise.
        if self.stock is not None or not self.variant.tracks_stock:
            return model.availability(self.variant, self.stock or {})
        return None

    async def _loaded_availability(self, info: Info[Context, None]) -> model.Availability:
        loader = info.context.loader(stock_by_variant_loader)
        quantity = await loader.load((self.owner.id, self.variant.id))
        return model.availability(self.variant, {self.variant.id: quantity})

    async def _loaded_quantity(self, info: Info[Context, None]) -> int | None:
        return (await self._loaded_availability(info)).quantity

    async def _loaded_for_sale(self, info: Info[Context, None]) -> bool:
        return (await self._loaded_availability(info)).available_for_sale


@strawberry.type(name="Product", description="A catalog entry: a book, with its editions.")
class ProductType(Node):
    handle: str = strawberry.field(description='URL-friendly unique name, e.g. "the-hobbit".')
    title: str = strawberry.field(description="The product's name.")
    description: str = strawberry.field(description="Plain-text description.")
    published: bool = strawberry.field(description="Whether the storefront shows the product.")
    created_at: datetime = strawberry.field(description="When the product was created.")
    updated_at: datetime = strawberry.field(description="When the product last changed.")
    tags: list[str] = strawberry.field(description="Free-form labels for search and targeting.")
    currency_code: CurrencyCode = strawberry.field(
        description="The currency this product's prices are shown in (the query's currency)."
    )
    product: strawberry.Private[model.Product]
    stock: strawberry.Private[Mapping[str, int] | None]
    currency: strawberry.Private[Currency]

    @classmethod
    def from_domain(
        cls, product: model.Product, stock: Mapping[str, int] | None, currency: Currency
    ) -> ProductType:
        return cls(
            id=strawberry.ID(to_global_id("Product", product.id)),
            handle=product.handle,
            title=product.title,
            description=product.description,
            published=product.published,
            created_at=product.created_at,
            updated_at=product.updated_at,
            tags=list(product.tags),
            currency_code=currency,
            product=product,
            stock=stock,
            currency=currency,
        )

    @strawberry.field(description="Named properties such as author, series, volume.")
    def attributes(self) -> list[ProductAttribute]:
        return [
            ProductAttribute(name=a.name, values=list(a.values)) for a in self.product.attributes
        ]

    @strawberry.field(description="The values of one attribute (case-insensitive name).")
    def attribute(self, name: str) -> list[str]:
        return list(self.product.attribute(name))

    @strawberry.field(description="Pictures, the first one featured.")
    def images(self) -> list[Image]:
        return [Image.from_domain(i) for i in self.product.images]

    @strawberry.field(description="The first image, if any.")
    def featured_image(self) -> Image | None:
        return Image.from_domain(self.product.images[0]) if self.product.images else None

    @strawberry.field(description="The options the variants differ by, with their values.")
    def options(self) -> list[ProductOption]:
        values: dict[str, dict[str, None]] = {}
        for variant in self.product.variants:
            for option in variant.options:
                values.setdefault(option.name, {})[option.value] = None
        return [ProductOption(name=n, values=list(v)) for n, v in values.items()]

    @strawberry.field(description="Every variant, in the order staff created them.")
    def variants(self) -> list[ProductVariantType]:
        return [
            ProductVariantType.from_domain(v, self.product, self.stock, self.currency)
            for v in self.product.variants
        ]

    @strawberry.field(
        description="Whether at least one variant has a price in the requested currency."
    )
    def available_in_currency(self) -> bool:
        return self.product.min_price(self.currency) is not None

    @strawberry.field(
        description=(
            "Lowest and highest variant price in the requested currency; null when no "
            "variant is priced in it."
        )
    )
    def price_range(self) -> ProductPriceRange | None:
        low = self.product.min_price(self.currency)
        high = self.product.max_price(self.currency)
        if low is None or high is None:
            return None
        return ProductPriceRange(
            min_variant_price=Money.from_domain(low), max_variant_price=Money.from_domain(high)
        )

    @strawberry.field(description="Whether any variant can be bought now.", graphql_type=bool)
    def available_for_sale(self, info: Info[Context, None]) -> Awaitable[bool] | bool:
        variants = self.variants()
        known = [v._known_availability() for v in variants]
        if all(k is not None for k in known):
            return any(k.available_for_sale for k in known if k is not None)
        return self._any_loaded_for_sale(info, variants)

    async def _any_loaded_for_sale(
        self, info: Info[Context, None], variants: list[ProductVariantType]
    ) -> bool:
        for variant in variants:
            if (await variant._loaded_availability(info)).available_for_sale:
                return True
        return False

    @strawberry.field(
        description=(
            "Its shown reviews in numbers: average (one decimal), count and the count per "
            "star rating. From the published catalog, so a listing costs no extra read."
        )
    )
    async def rating(self, info: Info[Context, None]) -> ProductRatingType:
        view = await info.context.loader(catalog_view_loader).load(CATALOG)
        return ProductRatingType.from_domain(view.snapshot.ratings.get(self.product.id))

    @strawberry.field(
        description=(
            "Its shown reviews (PUBLISHED and FLAGGED; REJECTED ones are hidden), every one "
            "from a buyer of the product: one Query and one batch read a page."
        )
    )
    async def reviews(
        self,
        info: Info[Context, None],
        first: Annotated[int, strawberry.argument(description="Page size (1 to 50).")] = 10,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the previous page.")
        ] = None,
        sort_key: Annotated[
            ReviewSortKeys, strawberry.argument(description="The order of the list.")
        ] = ReviewSortKeys.NEWEST,
    ) -> ReviewConnection:
        return await product_reviews(info, self.product.id, first, after, sort_key)

    @strawberry.field(description="Collections (series, categories) the product belongs to.")
    async def collections(
        self, info: Info[Context, None]
    ) -> list[Annotated[CollectionType, strawberry.lazy("commerce.catalog.api.types")]]:
        if not self.product.collection_ids:
            return []
        view = await info.context.loader(catalog_view_loader).load(CATALOG)
        by_id = view.collections_by_id
        return [
            CollectionType.from_domain(by_id[cid], self.currency)
            for cid in self.product.collection_ids
            if cid in by_id
        ]

    @strawberry.field(
        description=(
            "Products to show with this one, best first, each with its reason: COMPLEMENTARY "
            "(frequently bought together, learned from paid orders) or RELATED (same series, "
            "author, collections or tags). Only published products for sale in the currency. "
            "A listing's products share one read per kind."
        )
    )
    async def recommendations(
        self,
        info: Info[Context, None],
        kind: Annotated[ProductRecommendationKind, strawberry.argument(description="Which list.")],
        first: Annotated[int, strawberry.argument(description="How many (1 to 20).")] = 10,
        currency: Annotated[
            CurrencyCode | None,
            strawberry.argument(
                description="Currency to price them in; this product's when left out."
            ),
        ] = None,
    ) -> ProductRecommendationConnection:
        check_first(first, MAX_RECOMMENDATIONS)
        priced_in = currency or self.currency
        loader = info.context.loader(recommendations_by_product_loader)
        found = await loader.load((self.product.id, kind.name, first, priced_in))
        return await recommendation_connection(info, found, priced_in)


@strawberry.type(name="Collection", description="A group of products: a series, a category.")
class CollectionType(Node):
    collection: strawberry.Private[model.Collection]
    currency: strawberry.Private[Currency]

    @classmethod
    def from_domain(cls, collection: model.Collection, currency: Currency) -> CollectionType:
        return cls(
            id=strawberry.ID(to_global_id("Collection", collection.id)),
            collection=collection,
            currency=currency,
        )

    @strawberry.field(description='URL-friendly unique name, e.g. "discworld".')
    def handle(self) -> str:
        return self.collection.handle

    @strawberry.field(description="The collection's name.")
    def title(self) -> str:
        return self.collection.title

    @strawberry.field(description="Plain-text description.")
    def description(self) -> str:
        return self.collection.description

    @strawberry.field(description="The collection's picture, if any.")
    def image(self) -> Image | None:
        image = self.collection.image
        return None if image is None else Image.from_domain(image)

    @strawberry.field(description="When the collection was created.")
    def created_at(self) -> datetime:
        return self.collection.created_at

    @strawberry.field(description="When the collection last changed.")
    def updated_at(self) -> datetime:
        return self.collection.updated_at

    @strawberry.field(description="The collection's published products, a page at a time.")
    async def products(
        self,
        info: Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        query: Annotated[
            str | None, strawberry.argument(description="Words to find in title, author or tags.")
        ] = None,
        filter: Annotated[
            ProductFilter | None,
            strawberry.argument(description="Conditions every product must meet."),
        ] = None,
        sort_key: Annotated[
            ProductSortKeys, strawberry.argument(description="The order of the list.")
        ] = ProductSortKeys.TITLE,
        reverse: Annotated[bool, strawberry.argument(description="Reverse the order.")] = False,
    ) -> ProductConnection:
        return await product_connection(
            info,
            self.currency,
            listing.PageRequest(first=first, after=after, last=last, before=before),
            text=query,
            filter=filter,
            sort_key=sort_key,
            reverse=reverse,
            collection_id=self.collection.id,
        )


def _page_info(page: listing.ProductPage | listing.CollectionPage) -> PageInfo:
    return PageInfo.of(
        [e.cursor for e in page.edges],
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
    )


@strawberry.type(
    name="ProductConnection", description="A page of products (Relay cursor connection)."
)
class ProductConnection(Connection[ProductType]):
    total_count: int = strawberry.field(description="Products matching the filters in all.")

    @classmethod
    def of_page(
        cls, page: listing.ProductPage, convert: Callable[[model.Product], ProductType]
    ) -> ProductConnection:
        """A listing page, each product converted for the API."""
        edges = [Edge(node=convert(e.product), cursor=e.cursor) for e in page.edges]
        return cls(
            edges=edges,
            nodes=[e.node for e in edges],
            page_info=_page_info(page),
            total_count=page.total_count,
        )


@strawberry.type(
    name="CollectionConnection", description="A page of collections (Relay cursor connection)."
)
class CollectionConnection(Connection[CollectionType]):
    total_count: int = strawberry.field(description="Collections in all.")

    @classmethod
    def of_page(cls, page: listing.CollectionPage, currency: Currency) -> CollectionConnection:
        """A page of collections, their products priced in ``currency``."""
        edges = [
            Edge(node=CollectionType.from_domain(e.collection, currency), cursor=e.cursor)
            for e in page.edges
        ]
        return cls(
            edges=edges,
            nodes=[e.node for e in edges],
            page_info=_page_info(page),
            total_count=page.total_count,
        )


async def product_connection(
    info: Info[Context, None],
    currency: Currency,
    request: listing.PageRequest,
    *,
    text: str | None,
    filter: ProductFilter | None,
    sort_key: ProductSortKeys,
    reverse: bool,
    collection_id: str | None = None,
) -> ProductConnection:
    """A page of the storefront listing (staff also see unpublished products).

    Bad arguments are BAD_USER_INPUT.
    """
    ctx = info.context
    view = await ctx.loader(catalog_view_loader).load(CATALOG)
    query = listing.ProductQuery(
        currency=currency,
        text=text,
        collection_id=collection_id,
        include_unpublished=ctx.principal.is_admin,
        sort=listing.ProductSort(sort_key.value),
        reverse=reverse,
    )
    narrowing = None
    if filter is not None:
        query, narrowing = filter.narrow(query)
    try:
        page = ctx.services.catalog.list_products(view, query, request, narrowing)
    except listing.ListingError as exc:
        raise BadUserInput(exc.message, reason=exc.code, argument=exc.field) from None
    return ProductConnection.of_page(
        page, lambda p: ProductType.from_domain(p, view.snapshot.stock, currency)
    )
