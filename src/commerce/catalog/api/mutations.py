"""Staff changes to the catalog. Every mutation needs the admin scope.

Each takes one ``input`` and returns a payload with the result and
``userErrors``; a refused change writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from commerce.catalog import commands
from commerce.catalog.api import inputs
from commerce.catalog.api.inputs import (
    CollectionCreateInput,
    CollectionProductsInput,
    CollectionUpdateInput,
    IdInput,
    ProductCreateInput,
    ProductUpdateInput,
    ProductVariantCreateInput,
    ProductVariantPricesSetInput,
    ProductVariantUpdateInput,
)
from commerce.catalog.api.types import (
    CatalogUserError,
    CollectionType,
    ProductType,
    ProductVariantType,
)
from commerce.catalog.errors import CatalogErrorCode as Code
from commerce.catalog.model import Collection, Product, Variant
from commerce.graphql.context import Context
from commerce.graphql.ids import local_id_or_problem
from commerce.graphql.permissions import IsAdmin
from commerce.problems import Problem, Rejected

T = TypeVar("T")
ADMIN: list[type[BasePermission]] = [IsAdmin]


@strawberry.type(description="The result of creating or changing a product.")
class ProductPayload:
    product: ProductType | None = strawberry.field(description="The product, when it worked.")
    user_errors: list[CatalogUserError] = strawberry.field(description="Why it did not.")


@strawberry.type(description="The result of deleting a product.")
class ProductDeletePayload:
    deleted_product_id: strawberry.ID | None = strawberry.field(description="The deleted id.")
    user_errors: list[CatalogUserError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="The result of creating or changing a variant.")
class ProductVariantPayload:
    product_variant: ProductVariantType | None = strawberry.field(description="The variant.")
    product: ProductType | None = strawberry.field(description="Its product, as it is now.")
    user_errors: list[CatalogUserError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="The result of deleting a variant.")
class ProductVariantDeletePayload:
    deleted_product_variant_id: strawberry.ID | None = strawberry.field(
        description="The deleted id."
    )
    product: ProductType | None = strawberry.field(description="Its product, as it is now.")
    user_errors: list[CatalogUserError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="The result of creating or changing a collection.")
class CollectionPayload:
    collection: CollectionType | None = strawberry.field(description="The collection.")
    user_errors: list[CatalogUserError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="The result of deleting a collection.")
class CollectionDeletePayload:
    deleted_collection_id: strawberry.ID | None = strawberry.field(description="The deleted id.")
    user_errors: list[CatalogUserError] = strawberry.field(description="Why it did not work.")


def _errors(rejected: Rejected) -> list[CatalogUserError]:
    return [CatalogUserError.from_problem(p) for p in rejected.problems]


def _local(
    global_id: str, type_name: str, field: str, problems: list[Problem], index: int | None = None
) -> str:
    at = (field,) if index is None else (field, str(index))
    return local_id_or_problem(global_id, type_name, at, problems, Code.INVALID_ID)


def _variant_ids(global_id: str, problems: list[Problem]) -> tuple[str, str]:
    local = _local(global_id, "ProductVariant", "id", problems)
    product_id, _, variant_id = local.partition(".")
    if not variant_id and not problems:
        problems.append(Problem(Code.INVALID_ID, "Not a valid ProductVariant ID", ("id",)))
    return product_id, variant_id


def _product(product: Product, ctx: Context) -> ProductType:
    return ProductType.from_domain(product, None, ctx.default_currency)


async def _attempt(ctx: Context, work: Callable[[], T]) -> T | Rejected:
    try:
        return await ctx.run(work)
    except Rejected as rejected:
        return rejected


async def _deletion(
    info: Info[Context, None], problems: list[Problem], work: Callable[[], object]
) -> list[CatalogUserError]:
    """Run a deletion unless the input was already refused; its userErrors (none: done)."""
    if problems:
        return _errors(Rejected(problems))
    result = await _attempt(info.context, work)
    return _errors(result) if isinstance(result, Rejected) else []


async def _product_change(
    info: Info[Context, None], problems: list[Problem], work: Callable[[], Product]
) -> ProductPayload:
    if problems:
        return ProductPayload(product=None, user_errors=_errors(Rejected(problems)))
    result = await _attempt(info.context, work)
    if isinstance(result, Rejected):
        return ProductPayload(product=None, user_errors=_errors(result))
    return ProductPayload(product=_product(result, info.context), user_errors=[])


async def _variant_change(
    info: Info[Context, None],
    problems: list[Problem],
    work: Callable[[], tuple[Product, Variant]],
) -> ProductVariantPayload:
    if problems:
        return ProductVariantPayload(
            product_variant=None, product=None, user_errors=_errors(Rejected(problems))
        )
    result = await _attempt(info.context, work)
    if isinstance(result, Rejected):
        return ProductVariantPayload(
            product_variant=None, product=None, user_errors=_errors(result)
        )
    product, variant = result
    ctx = info.context
    return ProductVariantPayload(
        product_variant=ProductVariantType.from_domain(
            variant, product, None, ctx.default_currency
        ),
        product=_product(product, ctx),
        user_errors=[],
    )


async def _collection_change(
    info: Info[Context, None], problems: list[Problem], work: Callable[[], Collection]
) -> CollectionPayload:
    if problems:
        return CollectionPayload(collection=None, user_errors=_errors(Rejected(problems)))
    result = await _attempt(info.context, work)
    if isinstance(result, Rejected):
        return CollectionPayload(collection=None, user_errors=_errors(result))
    return CollectionPayload(
        collection=CollectionType.from_domain(result, info.context.default_currency),
        user_errors=[],
    )


@strawberry.type
class CatalogMutation:
    @strawberry.mutation(
        description="Create a product with its variants.", permission_classes=ADMIN
    )
    async def product_create(
        self, info: Info[Context, None], input: ProductCreateInput
    ) -> ProductPayload:
        problems: list[Problem] = []
        draft = commands.ProductDraft(
            title=input.title,
            handle=input.handle,
            description=input.description,
            variants=tuple(
                inputs.variant_draft(v, ("variants", str(i)), problems)
                for i, v in enumerate(input.variants)
            ),
            attributes=inputs.attributes(input.attributes),
            tags=tuple(input.tags),
            images=inputs.images(input.images),
            collection_ids=tuple(
                _local(c, "Collection", "collectionIds", problems, i)
                for i, c in enumerate(input.collection_ids)
            ),
            published=input.published,
        )
        result = await _attempt(
            info.context, lambda: info.context.services.catalog.create_product(draft, problems)
        )
        if isinstance(result, Rejected):
            return ProductPayload(product=None, user_errors=_errors(result))
        return ProductPayload(product=_product(result, info.context), user_errors=[])

    @strawberry.mutation(description="Change a product's own fields.", permission_classes=ADMIN)
    async def product_update(
        self, info: Info[Context, None], input: ProductUpdateInput
    ) -> ProductPayload:
        problems: list[Problem] = []
        product_id = _local(input.id, "Product", "id", problems)
        changes = commands.ProductChanges(
            title=input.title,
            handle=input.handle,
            description=input.description,
            attributes=None if input.attributes is None else inputs.attributes(input.attributes),
            tags=None if input.tags is None else tuple(input.tags),
            images=None if input.images is None else inputs.images(input.images),
            collection_ids=None
            if input.collection_ids is None
            else tuple(
                _local(c, "Collection", "collectionIds", problems, i)
                for i, c in enumerate(input.collection_ids)
            ),
        )
        return await _product_change(
            info,
            problems,
            lambda: info.context.services.catalog.update_product(product_id, changes),
        )

    @strawberry.mutation(description="Show a product on the storefront.", permission_classes=ADMIN)
    async def product_publish(self, info: Info[Context, None], input: IdInput) -> ProductPayload:
        problems: list[Problem] = []
        product_id = _local(input.id, "Product", "id", problems)
        return await _product_change(
            info, problems, lambda: info.context.services.catalog.set_published(product_id, True)
        )

    @strawberry.mutation(
        description="Hide a product from the storefront.", permission_classes=ADMIN
    )
    async def product_unpublish(self, info: Info[Context, None], input: IdInput) -> ProductPayload:
        problems: list[Problem] = []
        product_id = _local(input.id, "Product", "id", problems)
        return await _product_change(
            info, problems, lambda: info.context.services.catalog.set_published(product_id, False)
        )

    @strawberry.mutation(
        description="Delete a product with its variants and stock.", permission_classes=ADMIN
    )
    async def product_delete(
        self, info: Info[Context, None], input: IdInput
    ) -> ProductDeletePayload:
        problems: list[Problem] = []
        product_id = _local(input.id, "Product", "id", problems)
        errors = await _deletion(
            info, problems, lambda: info.context.services.catalog.delete_product(product_id)
        )
        return ProductDeletePayload(
            deleted_product_id=None if errors else input.id, user_errors=errors
        )

    @strawberry.mutation(description="Add a variant to a product.", permission_classes=ADMIN)
    async def product_variant_create(
        self, info: Info[Context, None], input: ProductVariantCreateInput
    ) -> ProductVariantPayload:
        problems: list[Problem] = []
        product_id = _local(input.product_id, "Product", "productId", problems)
        draft = inputs.variant_draft(input, (), problems)
        return await _variant_change(
            info,
            problems,
            lambda: info.context.services.catalog.add_variant(product_id, draft),
        )

    @strawberry.mutation(description="Change a variant.", permission_classes=ADMIN)
    async def product_variant_update(
        self, info: Info[Context, None], input: ProductVariantUpdateInput
    ) -> ProductVariantPayload:
        problems: list[Problem] = []
        product_id, variant_id = _variant_ids(input.id, problems)
        cost = (
            None
            if input.cost_price is None
            else inputs.money(input.cost_price, ("costPrice",), problems)
        )
        changes = commands.VariantChanges(
            sku=input.sku,
            options=None if input.options is None else inputs.options(input.options),
            kind=input.kind,
            cost=cost,
            clear_cost=input.clear_cost_price,
            weight_grams=input.weight_grams,
            asset_key=input.asset_key,
        )
        return await _variant_change(
            info,
            problems,
            lambda: info.context.services.catalog.update_variant(product_id, variant_id, changes),
        )

    @strawberry.mutation(
        description="Set a variant's prices in some currencies and remove others.",
        permission_classes=ADMIN,
    )
    async def product_variant_prices_set(
        self, info: Info[Context, None], input: ProductVariantPricesSetInput
    ) -> ProductVariantPayload:
        problems: list[Problem] = []
        product_id, variant_id = _variant_ids(input.id, problems)
        prices = inputs.prices(input.prices, ("prices",), problems)
        remove = tuple(input.remove_currencies)
        return await _variant_change(
            info,
            problems,
            lambda: info.context.services.catalog.set_prices(
                product_id, variant_id, prices, remove
            ),
        )

    @strawberry.mutation(
        description="Delete a variant (a product keeps at least one).", permission_classes=ADMIN
    )
    async def product_variant_delete(
        self, info: Info[Context, None], input: IdInput
    ) -> ProductVariantDeletePayload:
        problems: list[Problem] = []
        product_id, variant_id = _variant_ids(input.id, problems)
        if problems:
            return ProductVariantDeletePayload(
                deleted_product_variant_id=None,
                product=None,
                user_errors=_errors(Rejected(problems)),
            )
        result = await _attempt(
            info.context,
            lambda: info.context.services.catalog.delete_variant(product_id, variant_id),
        )
        if isinstance(result, Rejected):
            return ProductVariantDeletePayload(
                deleted_product_variant_id=None, product=None, user_errors=_errors(result)
            )
        return ProductVariantDeletePayload(
            deleted_product_variant_id=input.id,
            product=_product(result, info.context),
            user_errors=[],
        )

    @strawberry.mutation(description="Create a collection.", permission_classes=ADMIN)
    async def collection_create(
        self, info: Info[Context, None], input: CollectionCreateInput
    ) -> CollectionPayload:
        draft = commands.CollectionDraft(
            title=input.title,
            handle=input.handle,
            description=input.description,
            image=None if input.image is None else inputs.images([input.image])[0],
        )
        return await _collection_change(
            info, [], lambda: info.context.services.catalog.create_collection(draft)
        )

    @strawberry.mutation(description="Change a collection.", permission_classes=ADMIN)
    async def collection_update(
        self, info: Info[Context, None], input: CollectionUpdateInput
    ) -> CollectionPayload:
        problems: list[Problem] = []
        collection_id = _local(input.id, "Collection", "id", problems)
        changes = commands.CollectionChanges(
            title=input.title,
            handle=input.handle,
            description=input.description,
            image=None if input.image is None else inputs.images([input.image])[0],
        )
        return await _collection_change(
            info,
            problems,
            lambda: info.context.services.catalog.update_collection(collection_id, changes),
        )

    @strawberry.mutation(description="Delete a collection.", permission_classes=ADMIN)
    async def collection_delete(
        self, info: Info[Context, None], input: IdInput
    ) -> CollectionDeletePayload:
        problems: list[Problem] = []
        collection_id = _local(input.id, "Collection", "id", problems)
        errors = await _deletion(
            info, problems, lambda: info.context.services.catalog.delete_collection(collection_id)
        )
        return CollectionDeletePayload(
            deleted_collection_id=None if errors else input.id, user_errors=errors
        )

    @strawberry.mutation(description="Add products to a collection.", permission_classes=ADMIN)
    async def collection_add_products(
        self, info: Info[Context, None], input: CollectionProductsInput
    ) -> CollectionPayload:
        problems: list[Problem] = []
        collection_id = _local(input.collection_id, "Collection", "collectionId", problems)
        ids = [
            _local(p, "Product", "productIds", problems, i) for i, p in enumerate(input.product_ids)
        ]
        return await _collection_change(
            info,
            problems,
            lambda: info.context.services.catalog.add_to_collection(collection_id, ids),
        )

    @strawberry.mutation(description="Take products out of a collection.", permission_classes=ADMIN)
    async def collection_remove_products(
        self, info: Info[Context, None], input: CollectionProductsInput
    ) -> CollectionPayload:
        problems: list[Problem] = []
        collection_id = _local(input.collection_id, "Collection", "collectionId", problems)
        ids = [
            _local(p, "Product", "productIds", problems, i) for i, p in enumerate(input.product_ids)
        ]
        return await _collection_change(
            info,
            problems,
            lambda: info.context.services.catalog.remove_from_collection(collection_id, ids),
        )
