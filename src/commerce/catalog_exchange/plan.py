"""What importing a file changes: the file's products against the stored ones, compared.

Pure: the service reads the products the file names (by handle) and who owns its SKUs,
and this module decides, per product, whether it is created, updated (and how) or left
unchanged. Comparing before writing is what makes an import idempotent: a second import
of the same file finds nothing to change and writes nothing. Every refusal the catalog
would make is found here first, so that a file is refused whole, before any write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from commerce.catalog import rules
from commerce.catalog.commands import ProductChanges, ProductDraft, VariantChanges, VariantDraft
from commerce.catalog.model import (
    Attribute,
    Image,
    Product,
    ProductView,
    Variant,
    VariantKind,
)
from commerce.catalog_exchange.columns import Dialect, Field, column_name
from commerce.catalog_exchange.errors import CatalogImportErrorCode as Code
from commerce.catalog_exchange.model import (
    ImportedProduct,
    ImportedVariant,
    ProductOutcome,
    RowError,
)
from commerce.money import Money
from commerce.problems import Problem


@dataclass(frozen=True, slots=True)
class VariantPlan:
    """What happens to one variant of an existing product."""

    sku: str
    variant_id: str | None = None
    draft: VariantDraft | None = None
    changes: VariantChanges | None = None
    prices: tuple[Money, ...] = ()
    stock: int | None = None


@dataclass(frozen=True, slots=True)
class ProductPlan:
    """What happens to one product of the file."""

    line: int
    handle: str
    outcome: ProductOutcome
    product_id: str | None = None
    draft: ProductDraft | None = None
    changes: ProductChanges | None = None
    published: bool | None = None
    variants: tuple[VariantPlan, ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class _Columns:
    dialect: Dialect

    def __call__(self, field: Field) -> str:
        return column_name(self.dialect, field)


def plan_import(
    products: Sequence[ImportedProduct],
    existing: Mapping[str, ProductView],
    sku_owners: Mapping[str, str],
    dialect: Dialect,
) -> tuple[list[ProductPlan], list[RowError]]:
    """A plan per product, or the problems that refuse the file."""
    columns = _Columns(dialect)
    plans: list[ProductPlan] = []
    errors: list[RowError] = []
    for imported in products:
        if imported.gift_card:
            plans.append(
                ProductPlan(
                    imported.line,
                    imported.handle,
                    ProductOutcome.SKIPPED,
                    description=f"skip {imported.handle}: the catalog sells no gift cards",
                )
            )
            continue
        view = existing.get(imported.handle)
        owner = None if view is None else view.product.id
        for variant in imported.variants:
            holder = sku_owners.get(variant.sku)
            if holder is not None and holder != owner:
                errors.append(
                    RowError(
                        variant.line,
                        columns(Field.SKU),
                        Code.SKU_TAKEN,
                        f"SKU {variant.sku} belongs to another product",
                    )
                )
        if view is None:
            plan, problems = _create(imported, columns)
        else:
            plan, problems = _update(imported, view, columns)
        errors += problems
        if plan is not None:
            plans.append(plan)
    return plans, errors


# -- new products ------------------------------------------------------------------------


def _create(
    imported: ImportedProduct, columns: _Columns
) -> tuple[ProductPlan | None, list[RowError]]:
    if imported.title is None:
        return None, [
            RowError(
                imported.line,
                columns(Field.TITLE),
                Code.BLANK,
                f"{imported.handle!r} is a new product: it needs a title",
            )
        ]
    draft = ProductDraft(
        title=imported.title,
        handle=imported.handle,
        description=imported.description or "",
        variants=tuple(_draft(v) for v in imported.variants),
        attributes=imported.attributes,
        tags=imported.tags or (),
        images=imported.images,
        published=bool(imported.published),
    )
    problems = rules.check_product_draft(draft)
    if problems:
        return None, [_row_error(p, imported, columns) for p in problems]
    images = f", {len(imported.images)} images" if imported.images else ""
    return (
        ProductPlan(
            imported.line,
            imported.handle,
            ProductOutcome.CREATED,
            draft=draft,
            description=(
                f"create {imported.handle}: {len(draft.variants)} variants{images}"
                + (", published" if draft.published else "")
            ),
        ),
        [],
    )


def _draft(variant: ImportedVariant) -> VariantDraft:
    kind = variant.kind or VariantKind.PHYSICAL
    return VariantDraft(
        sku=variant.sku,
        options=variant.options,
        prices=variant.prices,
        kind=kind,
        cost=variant.cost,
        weight_grams=variant.weight_grams,
        initial_stock=(variant.stock or 0) if kind is VariantKind.PHYSICAL else 0,
    )


# -- existing products -------------------------------------------------------------------


def _update(
    imported: ImportedProduct, view: ProductView, columns: _Columns
) -> tuple[ProductPlan | None, list[RowError]]:
    product = view.product
    said: list[str] = []
    changes = _product_changes(imported, product, said)
    problems = [] if changes is None else rules.check_product_changes(changes)
    published = None
    if imported.published is not None and imported.published != product.published:
        published = imported.published
        said.append("published" if published else "unpublished")
    by_sku = {v.sku: v for v in product.variants}
    variants: list[VariantPlan] = []
    final: dict[str, Variant | VariantDraft] = {v.id: v for v in product.variants}
    for imported_variant in imported.variants:
        stored = by_sku.get(imported_variant.sku)
        if stored is None:
            draft = _draft(imported_variant)
            problems += rules.check_variant_draft(draft, ())
            variants.append(VariantPlan(imported_variant.sku, draft=draft))
            final[f"new:{imported_variant.sku}"] = draft
            said.append(f"new variant {imported_variant.sku}")
            continue
        plan, changed = _variant_plan(imported_variant, stored, view.stock, said)
        if plan is not None:
            variants.append(plan)
            final[stored.id] = changed
            if plan.changes is not None:
                problems += rules.check_variant_changes(plan.changes)
    problems += rules.check_variant_set(list(final.values()), ("variants",))
    if problems:
        return None, [_row_error(p, imported, columns) for p in problems]
    if changes is None and published is None and not variants:
        return ProductPlan(imported.line, imported.handle, ProductOutcome.UNCHANGED), []
    return (
        ProductPlan(
            imported.line,
            imported.handle,
            ProductOutcome.UPDATED,
            product_id=product.id,
            changes=changes,
            published=published,
            variants=tuple(variants),
            description=f"update {imported.handle}: " + "; ".join(said),
        ),
        [],
    )


def _product_changes(
    imported: ImportedProduct, product: Product, said: list[str]
) -> ProductChanges | None:
    title = imported.title if imported.title not in (None, product.title) else None
    description = (
        imported.description if imported.description not in (None, product.description) else None
    )
    tags = None
    if imported.tags is not None and tuple(dict.fromkeys(imported.tags)) != product.tags:
        tags = imported.tags
    merged = _merged(product.attributes, imported.attributes)
    attributes = None if merged == product.attributes else merged
    images = None
    if imported.images and _image_keys(imported.images) != _image_keys(product.images):
        images = imported.images
    for name, value in (
        ("title", title),
        ("description", description),
        ("tags", tags),
        ("attributes", attributes),
        ("images", images),
    ):
        if value is not None:
            said.append(name)
    if all(v is None for v in (title, description, tags, attributes, images)):
        return None
    return ProductChanges(
        title=title, description=description, tags=tags, attributes=attributes, images=images
    )


def _image_keys(images: tuple[Image, ...]) -> list[tuple[str, str]]:
    # Stored images may know their size; the file does not: URL and alt text decide.
    return [(i.url, i.alt_text) for i in images]


def _merged(stored: tuple[Attribute, ...], given: tuple[Attribute, ...]) -> tuple[Attribute, ...]:
    """The stored attributes with the file's replacing those of the same name."""
    by_name = {a.name.casefold(): a for a in given}
    kept = [by_name.pop(a.name.casefold(), a) for a in stored]
    return (*kept, *by_name.values())


def _variant_plan(
    imported: ImportedVariant,
    stored: Variant,
    stock: Mapping[str, int],
    said: list[str],
) -> tuple[VariantPlan | None, Variant]:
    sku = stored.sku
    options = imported.options if imported.options != stored.options else None
    kind = imported.kind if imported.kind not in (None, stored.kind) else None
    cost = imported.cost if imported.cost not in (None, stored.cost) else None
    weight = (
        imported.weight_grams if imported.weight_grams not in (None, stored.weight_grams) else None
    )
    prices = tuple(p for p in imported.prices if stored.price_in(p.currency) != p)
    changed = Variant(
        id=stored.id,
        sku=sku,
        options=options if options is not None else stored.options,
        prices=stored.prices,
        kind=kind or stored.kind,
        cost=cost or stored.cost,
        weight_grams=stored.weight_grams if weight is None else weight,
        asset_key=stored.asset_key,
    )
    level = None
    if changed.tracks_stock and imported.stock is not None:
        current = stock.get(stored.id, 0) if stored.tracks_stock else 0
        if imported.stock != current:
            level = imported.stock
            said.append(f"stock of {sku} {current} -> {level}")
    for name, value in (("options", options), ("kind", kind), ("cost", cost), ("weight", weight)):
        if value is not None:
            said.append(f"{name} of {sku}")
    for price in prices:
        before = stored.price_in(price.currency)
        was = "none" if before is None else str(before.to_decimal())
        said.append(f"price {price.currency.value} of {sku} {was} -> {price.to_decimal()}")
    variant_changes = None
    if any(v is not None for v in (options, kind, cost, weight)):
        variant_changes = VariantChanges(options=options, kind=kind, cost=cost, weight_grams=weight)
    if variant_changes is None and not prices and level is None:
        return None, stored
    return (
        VariantPlan(sku, stored.id, changes=variant_changes, prices=prices, stock=level),
        changed,
    )


# -- problems back to cells --------------------------------------------------------------

_VARIANT_COLUMNS = {
    "sku": Field.SKU,
    "options": Field.OPTION1_VALUE,
    "prices": Field.PRICE,
    "costPrice": Field.COST,
    "weightGrams": Field.GRAMS,
    "initialStock": Field.INVENTORY_QUANTITY,
}
_PRODUCT_COLUMNS = {
    "title": Field.TITLE,
    "handle": Field.HANDLE,
    "description": Field.BODY,
    "tags": Field.TAGS,
    "attributes": Field.VENDOR,
    "images": Field.IMAGE_URL,
    "variants": Field.SKU,
}


def _row_error(problem: Problem, imported: ImportedProduct, columns: _Columns) -> RowError:
    """A catalog rule's problem, placed on the line and column it comes from."""
    path = problem.field
    line, field = imported.line, Field.SKU
    if len(path) >= 3 and path[0] == "variants" and path[1].isdigit():
        index = int(path[1])
        if index < len(imported.variants):
            line = imported.variants[index].line
        field = _VARIANT_COLUMNS.get(path[2], Field.SKU)
    elif path:
        field = _PRODUCT_COLUMNS.get(path[0]) or _VARIANT_COLUMNS.get(path[0], Field.SKU)
    code = next((c for c in Code if c.value == problem.code.value), Code.REFUSED)
    return RowError(line, columns(field), code, problem.message)
