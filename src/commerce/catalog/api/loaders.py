"""Request-scoped dataloaders: every list resolves related data in one batch."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from commerce.catalog.listing import CatalogView
from commerce.catalog.model import Product
from commerce.graphql.context import Context

# The one key of ``catalog_view_loader``: the catalog is read whole.
CATALOG = "catalog"


def catalog_view_loader(ctx: Context) -> DataLoader[str, CatalogView]:
    """The catalog view, read at most once per request however many fields need it.

    Without it every product of a page would read the snapshot again for its collections
    whenever the snapshot cache is cold or off: one Query of the whole catalog per product.
    """

    async def load(keys: Sequence[str]) -> list[CatalogView]:
        view = ctx.services.catalog.current_view()
        if view is None:  # reading DynamoDB blocks: off the event loop
            view = await ctx.run(ctx.services.catalog.view)
        return [view for _ in keys]

    return DataLoader(load_fn=load)


def product_by_id_loader(ctx: Context) -> DataLoader[str, Product | None]:
    """Products by id through one BatchGetItem per 100 ids (hidden ones load as None)."""

    async def load(ids: Sequence[str]) -> list[Product | None]:
        found = await ctx.run(
            ctx.services.catalog.products, ids, include_unpublished=ctx.principal.is_admin
        )
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


def stock_by_variant_loader(ctx: Context) -> DataLoader[tuple[str, str], int]:
    """Fresh stock by (product id, variant id) through one BatchGetItem per 100 keys."""

    async def load(keys: Sequence[tuple[str, str]]) -> list[int]:
        found = await ctx.run(ctx.services.catalog.stock, keys)
        return [found.get(variant_id, 0) for _, variant_id in keys]

    return DataLoader(load_fn=load)
