"""Storefront reads: products and collections."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from commerce.catalog import listing
from commerce.catalog.api.enums import ProductSortKeys
from commerce.catalog.api.inputs import ProductFilter
from commerce.catalog.api.loaders import CATALOG, catalog_view_loader
from commerce.catalog.api.types import (
    CollectionConnection,
    CollectionType,
    ProductConnection,
    ProductType,
    product_connection,
)
from commerce.graphql.arguments import After, Before, First, Last
from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput
from commerce.graphql.ids import from_global_id
from commerce.graphql.money import CurrencyCode

QUERY_HELP = "Words to find in title, author or tags; all must match (prefixes too)."

CURRENCY_HELP = "Currency to show prices in; the store's default when left out."


def _one_of(id: strawberry.ID | None, handle: str | None) -> None:
    if (id is None) == (handle is None):
        raise BadUserInput("Give exactly one of id and handle", argument="id")


@strawberry.type
class CatalogQuery:
    @strawberry.field(description="One product by id or handle; null when there is none.")
    async def product(
        self,
        info: Info[Context, None],
        id: strawberry.ID | None = None,
        handle: str | None = None,
        currency: Annotated[
            CurrencyCode | None, strawberry.argument(description=CURRENCY_HELP)
        ] = None,
    ) -> ProductType | None:
        _one_of(id, handle)
        ctx = info.context
        catalog = ctx.services.catalog
        admin = ctx.principal.is_admin
        product_id = None if id is None else from_global_id(id, "Product")
        # Shoppers are served from the in-memory catalog while it is fresh; staff always
        # read DynamoDB, so they see their own changes and unpublished products.
        view = None if admin else catalog.current_view()
        found = None
        if view is not None:
            ctx.loader(catalog_view_loader).prime(CATALOG, view)  # one view per request
            found = catalog.cached_product(view, product_id=product_id, handle=handle)
        if found is None and product_id is not None:
            found = await ctx.run(catalog.product, product_id, include_unpublished=admin)
        elif found is None and handle is not None:
            found = await ctx.run(catalog.product_by_handle, handle, include_unpublished=admin)
        if found is None:
            return None
        return ProductType.from_domain(found.product, found.stock, currency or ctx.default_currency)

    @strawberry.field(
        description=(
            "Products, a page at a time, narrowed by a text query and filters. Staff also "
            "see unpublished products."
        )
    )
    async def products(
        self,
        info: Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        query: Annotated[str | None, strawberry.argument(description=QUERY_HELP)] = None,
        filter: Annotated[
            ProductFilter | None,
            strawberry.argument(description="Conditions every product must meet."),
        ] = None,
        sort_key: Annotated[
            ProductSortKeys, strawberry.argument(description="The order of the list.")
        ] = ProductSortKeys.TITLE,
        reverse: Annotated[bool, strawberry.argument(description="Reverse the order.")] = False,
        currency: Annotated[
            CurrencyCode | None, strawberry.argument(description=CURRENCY_HELP)
        ] = None,
    ) -> ProductConnection:
        return await product_connection(
            info,
            currency or info.context.default_currency,
            listing.PageRequest(first=first, after=after, last=last, before=before),
            text=query,
            filter=filter,
            sort_key=sort_key,
            reverse=reverse,
        )

    @strawberry.field(description="One collection by id or handle; null when there is none.")
    async def collection(
        self,
        info: Info[Context, None],
        id: strawberry.ID | None = None,
        handle: str | None = None,
        currency: Annotated[
            CurrencyCode | None, strawberry.argument(description=CURRENCY_HELP)
        ] = None,
    ) -> CollectionType | None:
        _one_of(id, handle)
        ctx = info.context
        if id is not None:
            found = await ctx.run(ctx.services.catalog.collection, from_global_id(id, "Collection"))
        else:
            assert handle is not None
            found = await ctx.run(ctx.services.catalog.collection_by_handle, handle)
        return (
            None
            if found is None
            else CollectionType.from_domain(found, currency or ctx.default_currency)
        )

    @strawberry.field(description="Collections ordered by title, a page at a time.")
    async def collections(
        self,
        info: Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        currency: Annotated[
            CurrencyCode | None, strawberry.argument(description=CURRENCY_HELP)
        ] = None,
    ) -> CollectionConnection:
        ctx = info.context
        request = listing.PageRequest(first=first, after=after, last=last, before=before)
        try:
            page = await ctx.run(ctx.services.catalog.list_collections, request)
        except listing.ListingError as exc:
            raise BadUserInput(exc.message, reason=exc.code, argument=exc.field) from None
        return CollectionConnection.of_page(page, currency or ctx.default_currency)
