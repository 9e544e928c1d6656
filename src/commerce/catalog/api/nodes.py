"""The catalog's types with a global id, as ``node(id)`` fetches them.

Products and variants load through the request's product loader, so many ids of one
request cost one BatchGetItem; shoppers get None for unpublished products (the loader
leaves them out). Collections come from the catalog view, which every collection is in.
Prices show in the store's default currency.
"""

from __future__ import annotations

from strawberry.types import Info

from commerce.catalog.api.loaders import CATALOG, catalog_view_loader, product_by_id_loader
from commerce.catalog.api.types import CollectionType, ProductType, ProductVariantType
from commerce.graphql.context import Context
from commerce.graphql.relay import Node, NodeType
from commerce.variant_refs import VariantRef


async def product_node(info: Info[Context, None], local_id: str) -> Node | None:
    ctx = info.context
    product = await ctx.loader(product_by_id_loader).load(local_id)
    return None if product is None else ProductType.from_domain(product, None, ctx.default_currency)


async def variant_node(info: Info[Context, None], local_id: str) -> Node | None:
    # A variant's id carries its product's: "<product id>.<variant id>".
    ctx = info.context
    ref = VariantRef.parse(local_id)
    if ref is None:
        return None
    product = await ctx.loader(product_by_id_loader).load(ref.product_id)
    variant = None if product is None else product.variant(ref.variant_id)
    if product is None or variant is None:
        return None
    return ProductVariantType.from_domain(variant, product, None, ctx.default_currency)


async def collection_node(info: Info[Context, None], local_id: str) -> Node | None:
    ctx = info.context
    view = await ctx.loader(catalog_view_loader).load(CATALOG)
    collection = view.collections_by_id.get(local_id)
    return (
        None if collection is None else CollectionType.from_domain(collection, ctx.default_currency)
    )


NODES: list[NodeType] = [
    NodeType("Product", product_node),
    NodeType("ProductVariant", variant_node),
    NodeType("Collection", collection_node),
]
