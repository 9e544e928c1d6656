"""Storefront reads: products, collections and Relay's node lookups."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from commerce.catalog import listing
from commerce.catalog.api.inputs import ProductFilter
from commerce.catalog.api.loaders import CATALOG, catalog_view_loader, product_by_id_loader
from commerce.catalog.api.types import (
    CollectionConnection,
    CollectionEdge,
    CollectionType,
    ProductConnection,
    ProductSortKeys,
    ProductType,
    ProductVariantType,
    page_info_for,
    product_connection,
)
from commerce.catalog.model import Collection
from commerce.graphql.arguments import After, Before, First, Last
from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput
from commerce.graphql.ids import from_global_id, parse_global_id
from commerce.graphql.money import CurrencyCode
from commerce.graphql.relay import Node
from commerce.money import Currency

MAX_NODES = 100
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
            currency=currency or info.context.default_currency,
            first=first,
            after=after,
            last=last,
            before=before,
            query=query,
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
        shown = currency or ctx.default_currency
        try:
            page = await ctx.run(ctx.services.catalog.list_collections, request)
        except listing.ListingError as exc:
            raise BadUserInput(exc.message, reason=exc.code, argument=exc.field) from None
        edges = [
            CollectionEdge(node=CollectionType.from_domain(e.collection, shown), cursor=e.cursor)
            for e in page.edges
        ]
        return CollectionConnection(
            edges=edges,
            nodes=[e.node for e in edges],
            page_info=page_info_for(page),
            total_count=page.total_count,
        )

    @strawberry.field(description="Any object by its global id; null when there is none.")
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        return (await _nodes(info, [id]))[0]

    @strawberry.field(description="Several objects by global id (up to 100), in the same order.")
    async def nodes(self, info: Info[Context, None], ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise BadUserInput(f"At most {MAX_NODES} ids at a time", argument="ids")
        return await _nodes(info, ids)


async def _nodes(info: Info[Context, None], ids: list[strawberry.ID]) -> list[Node | None]:
    ctx = info.context
    currency: Currency = ctx.default_currency
    loader = ctx.loader(product_by_id_loader)
    wanted: list[tuple[str, str, str | None]] = []
    for global_id in ids:
        parsed = parse_global_id(global_id)
        if parsed is None:
            raise BadUserInput(f"{global_id!r} is not a valid ID", argument="id")
        type_name, local_id = parsed
        if type_name == "Product":
            wanted.append(("Product", local_id, None))
        elif type_name == "ProductVariant":
            owner_id, _, variant_part = local_id.partition(".")
            wanted.append(("ProductVariant", owner_id, variant_part))
        elif type_name == "Collection":
            wanted.append(("Collection", local_id, None))
        else:
            raise BadUserInput(f"{global_id!r} is not a valid ID", argument="id")
    products = await loader.load_many([w[1] for w in wanted if w[0] != "Collection"])
    by_id = {p.id: p for p in products if p is not None}
    collections: dict[str, Collection] | None = None
    results: list[Node | None] = []
    for kind, wanted_id, variant_id in wanted:
        if kind == "Collection":
            if collections is None:
                view = await ctx.loader(catalog_view_loader).load(CATALOG)
                collections = dict(view.collections_by_id)
            collection = collections.get(wanted_id)
            results.append(
                None if collection is None else CollectionType.from_domain(collection, currency)
            )
            continue
        product = by_id.get(wanted_id)
        if product is None:
            results.append(None)
        elif variant_id is None:
            results.append(ProductType.from_domain(product, None, currency))
        else:
            variant = product.variant(variant_id)
            results.append(
                None
                if variant is None
                else ProductVariantType.from_domain(variant, product, None, currency)
            )
    return results
