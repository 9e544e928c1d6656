"""Staff changes to the catalog. Every mutation needs the admin scope.

Each takes one ``input`` and returns a payload with the result and
``userErrors``; a refused change writes nothing.
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

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
from commerce.graphql.ids import to_global_id
from commerce.graphql.inputs import InputErrors
from commerce.graphql.permissions import ADMIN
from commerce.graphql.use_cases import Outcome, run_use_case
from commerce.money import Currency


@strawberry.type(description="The result of creating or changing a product.")
class ProductPayload:
    product: ProductType | None = strawberry.field(description="The product, when it worked.")
    user_errors: list[CatalogUserError] = strawberry.field(description="Why it did not.")

    @classmethod
    def of(cls, outcome: Outcome[Product], currency: Currency) -> ProductPayload:
        return cls(
            product=outcome.map(lambda p: ProductType.from_domain(p, None, currency)),
            user_errors=CatalogUserError.list_of(outcome.problems),
        )


@strawberry.type(description="The result of deleting a product.")
class ProductDeletePayload:
    deleted_product_id: strawberry.ID | None = strawberry.field(description="The deleted id.")
    user_errors: list[CatalogUserError] = strawberry.field(description="Why it did not work.")

    @classmethod
    def of(cls, outcome: Outcome[str]) -> ProductDeletePayload:
        return cls(
            deleted_product_id=outcome.map(lambda pid: strawberry.ID(to_global_id("Product", pid))),
            user_errors=CatalogUserError.list_of(outcome.problems),
        )


@strawberry.type(description="The result of creating or changing a variant.")
class ProductVariantPayload:
    product_variant: ProductVariantType | None = strawberry.field(description="The variant.")
    product: ProductType | None = strawberry.field(description="Its product, as it is now.")
    user_errors: list[CatalogUserError] = strawberry.field(description="Why it did not work.")

    @classmethod
    def of(
        cls, outcome: Outcome[tuple[Product, Variant]], currency: Currency
    ) -> ProductVariantPayload:
        return cls(
            product_variant=outcome.map(
                lambda pv: ProductVariantType.from_domain(pv[1], pv[0], None, currency)
            ),
            product=outcome.map(lambda pv: ProductType.from_domain(pv[0], None, currency)),
            user_errors=CatalogUserError.list_of(outcome.problems),
        )


@strawberry.type(description="The result of deleting a variant.")
class ProductVariantDeletePayload:
    deleted_product_variant_id: strawberry.ID | None = strawberry.field(
        description="The deleted id."
    )
    product: ProductType | None = strawberry.field(description="Its product, as it is now.")
    user_errors: list[CatalogUserError] = strawberry.field(description="Why it did not work.")

    @classmethod
    def of(
        cls, outcome: Outcome[Product], deleted_id: strawberry.ID, currency: Currency
    ) -> ProductVariantDeletePayload:
        return cls(
            deleted_product_variant_id=outcome.map(lambda _: deleted_id),
            product=outcome.map(lambda p: ProductType.from_domain(p, None, currency)),
            user_errors=CatalogUserError.list_of(outcome.problems),
        )


@strawberry.type(description="The result of creating or changing a collection.")
class CollectionPayload:
    collection: CollectionType | None = strawberry.field(description="The collection.")
    user_errors: list[CatalogUserError] = strawberry.field(description="Why it did not work.")

    @classmethod
    def of(cls, outcome: Outcome[Collection], currency: Currency) -> CollectionPayload:
        return cls(
            collection=outcome.map(lambda c: CollectionType.from_domain(c, currency)),
            user_errors=CatalogUserError.list_of(outcome.problems),
        )


@strawberry.type(description="The result of deleting a collection.")
class CollectionDeletePayload:
    deleted_collection_id: strawberry.ID | None = strawberry.field(description="The deleted id.")
    user_errors: list[CatalogUserError] = strawberry.field(description="Why it did not work.")

    @classmethod
    def of(cls, outcome: Outcome[str]) -> CollectionDeletePayload:
        return cls(
            deleted_collection_id=outcome.map(
                lambda cid: strawberry.ID(to_global_id("Collection", cid))
            ),
            user_errors=CatalogUserError.list_of(outcome.problems),
        )


@strawberry.type
class CatalogMutation:
    @strawberry.mutation(
        description="Create a product with its variants.", permission_classes=ADMIN
    )
    async def product_create(
        self, info: Info[Context, None], input: ProductCreateInput
    ) -> ProductPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        catalog, currency = info.context.services.catalog, info.context.default_currency
        return ProductPayload.of(
            await run_use_case(info, errors, command, catalog.create_product), currency
        )

    @strawberry.mutation(description="Change a product's own fields.", permission_classes=ADMIN)
    async def product_update(
        self, info: Info[Context, None], input: ProductUpdateInput
    ) -> ProductPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        catalog, currency = info.context.services.catalog, info.context.default_currency
        outcome = await run_use_case(
            info, errors, command, lambda c: catalog.update_product(c.product_id, c.changes)
        )
        return ProductPayload.of(outcome, currency)

    @strawberry.mutation(description="Show a product on the storefront.", permission_classes=ADMIN)
    async def product_publish(self, info: Info[Context, None], input: IdInput) -> ProductPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_product_id(errors)
        catalog, currency = info.context.services.catalog, info.context.default_currency
        outcome = await run_use_case(
            info, errors, command, lambda pid: catalog.set_published(pid, True)
        )
        return ProductPayload.of(outcome, currency)

    @strawberry.mutation(
        description="Hide a product from the storefront.", permission_classes=ADMIN
    )
    async def product_unpublish(self, info: Info[Context, None], input: IdInput) -> ProductPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_product_id(errors)
        catalog, currency = info.context.services.catalog, info.context.default_currency
        outcome = await run_use_case(
            info, errors, command, lambda pid: catalog.set_published(pid, False)
        )
        return ProductPayload.of(outcome, currency)

    @strawberry.mutation(
        description="Delete a product with its variants and stock.", permission_classes=ADMIN
    )
    async def product_delete(
        self, info: Info[Context, None], input: IdInput
    ) -> ProductDeletePayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_product_id(errors)
        catalog = info.context.services.catalog
        return ProductDeletePayload.of(
            await run_use_case(info, errors, command, catalog.delete_product)
        )

    @strawberry.mutation(description="Add a variant to a product.", permission_classes=ADMIN)
    async def product_variant_create(
        self, info: Info[Context, None], input: ProductVariantCreateInput
    ) -> ProductVariantPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        catalog, currency = info.context.services.catalog, info.context.default_currency
        outcome = await run_use_case(
            info, errors, command, lambda c: catalog.add_variant(c.product_id, c.draft)
        )
        return ProductVariantPayload.of(outcome, currency)

    @strawberry.mutation(description="Change a variant.", permission_classes=ADMIN)
    async def product_variant_update(
        self, info: Info[Context, None], input: ProductVariantUpdateInput
    ) -> ProductVariantPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        catalog, currency = info.context.services.catalog, info.context.default_currency
        outcome = await run_use_case(
            info,
            errors,
            command,
            lambda c: catalog.update_variant(c.variant.product_id, c.variant.variant_id, c.changes),
        )
        return ProductVariantPayload.of(outcome, currency)

    @strawberry.mutation(
        description="Set a variant's prices in some currencies and remove others.",
        permission_classes=ADMIN,
    )
    async def product_variant_prices_set(
        self, info: Info[Context, None], input: ProductVariantPricesSetInput
    ) -> ProductVariantPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        catalog, currency = info.context.services.catalog, info.context.default_currency
        outcome = await run_use_case(
            info,
            errors,
            command,
            lambda c: catalog.set_prices(
                c.variant.product_id, c.variant.variant_id, c.prices, c.remove
            ),
        )
        return ProductVariantPayload.of(outcome, currency)

    @strawberry.mutation(
        description="Delete a variant (a product keeps at least one).", permission_classes=ADMIN
    )
    async def product_variant_delete(
        self, info: Info[Context, None], input: IdInput
    ) -> ProductVariantDeletePayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_variant(errors)
        catalog, currency = info.context.services.catalog, info.context.default_currency
        outcome = await run_use_case(
            info, errors, command, lambda v: catalog.delete_variant(v.product_id, v.variant_id)
        )
        return ProductVariantDeletePayload.of(outcome, input.id, currency)

    @strawberry.mutation(description="Create a collection.", permission_classes=ADMIN)
    async def collection_create(
        self, info: Info[Context, None], input: CollectionCreateInput
    ) -> CollectionPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        catalog, currency = info.context.services.catalog, info.context.default_currency
        return CollectionPayload.of(
            await run_use_case(info, errors, command, catalog.create_collection), currency
        )

    @strawberry.mutation(description="Change a collection.", permission_classes=ADMIN)
    async def collection_update(
        self, info: Info[Context, None], input: CollectionUpdateInput
    ) -> CollectionPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        catalog, currency = info.context.services.catalog, info.context.default_currency
        outcome = await run_use_case(
            info, errors, command, lambda c: catalog.update_collection(c.collection_id, c.changes)
        )
        return CollectionPayload.of(outcome, currency)

    @strawberry.mutation(description="Delete a collection.", permission_classes=ADMIN)
    async def collection_delete(
        self, info: Info[Context, None], input: IdInput
    ) -> CollectionDeletePayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_collection_id(errors)
        catalog = info.context.services.catalog
        return CollectionDeletePayload.of(
            await run_use_case(info, errors, command, catalog.delete_collection)
        )

    @strawberry.mutation(description="Add products to a collection.", permission_classes=ADMIN)
    async def collection_add_products(
        self, info: Info[Context, None], input: CollectionProductsInput
    ) -> CollectionPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        catalog, currency = info.context.services.catalog, info.context.default_currency
        outcome = await run_use_case(
            info,
            errors,
            command,
            lambda c: catalog.add_to_collection(c.collection_id, c.product_ids),
        )
        return CollectionPayload.of(outcome, currency)

    @strawberry.mutation(description="Take products out of a collection.", permission_classes=ADMIN)
    async def collection_remove_products(
        self, info: Info[Context, None], input: CollectionProductsInput
    ) -> CollectionPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        catalog, currency = info.context.services.catalog, info.context.default_currency
        outcome = await run_use_case(
            info,
            errors,
            command,
            lambda c: catalog.remove_from_collection(c.collection_id, c.product_ids),
        )
        return CollectionPayload.of(outcome, currency)
