"""Validation of catalog input: pure functions that list every problem at once.

Clients fix a form in one round trip when all of its mistakes come back
together, so these return lists instead of stopping at the first problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol

from commerce.amounts import AmountCodes, check_amounts
from commerce.catalog.commands import (
    CollectionChanges,
    CollectionDraft,
    ProductChanges,
    ProductDraft,
    VariantChanges,
    VariantDraft,
)
from commerce.catalog.errors import CatalogErrorCode as Code
from commerce.catalog.model import (
    MAX_HANDLE_LENGTH,
    Attribute,
    Image,
    OptionValue,
    VariantKind,
    handle_from_title,
    is_valid_handle,
    unique,
)
from commerce.money import MAX_MINOR_AMOUNT, Currency, Money
from commerce.problems import Problem

MAX_TITLE_LENGTH = 255
MAX_DESCRIPTION_LENGTH = 20_000
MAX_SKU_LENGTH = 64
MAX_TAGS = 50
MAX_TAG_LENGTH = 64
MAX_ATTRIBUTES = 30
MAX_ATTRIBUTE_VALUES = 20
MAX_TEXT_LENGTH = 255
MAX_IMAGES = 20
MAX_URL_LENGTH = 2048
MAX_OPTIONS = 3
MAX_COLLECTIONS_PER_PRODUCT = 50
MAX_STOCK = 1_000_000_000
MAX_WEIGHT_GRAMS = 1_000_000
# A product's create transaction holds the product, its handle, and a SKU and a stock
# item per variant; DynamoDB caps a transaction at 100 items: 2 + 2 * 40 = 82.
MAX_VARIANTS = 40
# Products joining or leaving a collection in one change: each is one product rewrite.
MAX_MEMBERSHIP_CHANGES = 50

_AMOUNT_CODES = AmountCodes(Code.DUPLICATE, Code.NEGATIVE, Code.TOO_LARGE)


def check_title(title: str, field: tuple[str, ...]) -> list[Problem]:
    """A title is required and bounded."""
    if not title.strip():
        return [Problem(Code.BLANK, "Title can't be blank", field)]
    if len(title) > MAX_TITLE_LENGTH:
        return [Problem(Code.TOO_LONG, f"Title is longer than {MAX_TITLE_LENGTH}", field)]
    return []


def check_handle(handle: str, field: tuple[str, ...]) -> list[Problem]:
    """Handles are lowercase words joined by hyphens."""
    if not is_valid_handle(handle):
        return [
            Problem(
                Code.INVALID_HANDLE,
                "Handle must be lowercase letters, digits and single hyphens "
                f"(at most {MAX_HANDLE_LENGTH} characters)",
                field,
            )
        ]
    return []


def check_description(description: str, field: tuple[str, ...]) -> list[Problem]:
    """Descriptions are bounded so a product stays far below DynamoDB's 400 KB item size."""
    if len(description) > MAX_DESCRIPTION_LENGTH:
        return [
            Problem(Code.TOO_LONG, f"Description is longer than {MAX_DESCRIPTION_LENGTH}", field)
        ]
    return []


def check_renaming(title: str | None, handle: str | None, description: str | None) -> list[Problem]:
    """What is wrong with the name fields an update changes (None: left as they are)."""
    problems: list[Problem] = []
    if title is not None:
        problems += check_title(title, ("title",))
    if handle is not None:
        problems += check_handle(handle, ("handle",))
    if description is not None:
        problems += check_description(description, ("description",))
    return problems


def check_tags(tags: Sequence[str], field: tuple[str, ...]) -> list[Problem]:
    """Tags are short, non-blank words; at most ``MAX_TAGS``."""
    problems: list[Problem] = []
    if len(tags) > MAX_TAGS:
        problems.append(Problem(Code.TOO_MANY, f"At most {MAX_TAGS} tags", field))
    for i, tag in enumerate(tags):
        if not tag.strip():
            problems.append(Problem(Code.BLANK, "Tag can't be blank", (*field, str(i))))
        elif len(tag) > MAX_TAG_LENGTH:
            problems.append(
                Problem(Code.TOO_LONG, f"Tag is longer than {MAX_TAG_LENGTH}", (*field, str(i)))
            )
    return problems


def check_attributes(attributes: Sequence[Attribute], field: tuple[str, ...]) -> list[Problem]:
    """Attributes have distinct non-blank names and at least one bounded value each."""
    problems: list[Problem] = []
    if len(attributes) > MAX_ATTRIBUTES:
        problems.append(Problem(Code.TOO_MANY, f"At most {MAX_ATTRIBUTES} attributes", field))
    seen: set[str] = set()
    for i, attribute in enumerate(attributes):
        at = (*field, str(i))
        name = attribute.name.strip()
        if not name:
            problems.append(Problem(Code.BLANK, "Attribute name can't be blank", (*at, "name")))
        elif name.casefold() in seen:
            problems.append(
                Problem(Code.DUPLICATE, f"Attribute {name!r} is given twice", (*at, "name"))
            )
        seen.add(name.casefold())
        if len(attribute.name) > MAX_TEXT_LENGTH:
            problems.append(Problem(Code.TOO_LONG, "Attribute name is too long", (*at, "name")))
        if not attribute.values or len(attribute.values) > MAX_ATTRIBUTE_VALUES:
            problems.append(
                Problem(
                    Code.INVALID,
                    f"An attribute has 1 to {MAX_ATTRIBUTE_VALUES} values",
                    (*at, "values"),
                )
            )
        for value in attribute.values:
            if not value.strip() or len(value) > MAX_TEXT_LENGTH:
                problems.append(
                    Problem(
                        Code.INVALID,
                        f"Attribute values are 1 to {MAX_TEXT_LENGTH} characters",
                        (*at, "values"),
                    )
                )
                break
    return problems


def check_images(images: Sequence[Image], field: tuple[str, ...]) -> list[Problem]:
    """Images are http(s) URLs with sane dimensions."""
    problems: list[Problem] = []
    if len(images) > MAX_IMAGES:
        problems.append(Problem(Code.TOO_MANY, f"At most {MAX_IMAGES} images", field))
    for i, image in enumerate(images):
        at = (*field, str(i))
        if not image.url.startswith(("https://", "http://")) or len(image.url) > MAX_URL_LENGTH:
            problems.append(Problem(Code.INVALID, "Image URL must be http(s)", (*at, "url")))
        if len(image.alt_text) > MAX_TEXT_LENGTH:
            problems.append(Problem(Code.TOO_LONG, "Alt text is too long", (*at, "altText")))
        for name, value in (("width", image.width), ("height", image.height)):
            if value is not None and not 0 < value <= 100_000:
                problems.append(
                    Problem(Code.INVALID, f"Image {name} must be positive", (*at, name))
                )
    return problems


def check_prices(prices: Sequence[Money], field: tuple[str, ...]) -> list[Problem]:
    """Prices are whole minor units, not negative, one per currency."""
    return check_amounts(prices, field, _AMOUNT_CODES, "Price")


def check_options(options: Sequence[OptionValue], field: tuple[str, ...]) -> list[Problem]:
    """A variant has at most ``MAX_OPTIONS`` distinct, non-blank option names."""
    problems: list[Problem] = []
    if len(options) > MAX_OPTIONS:
        problems.append(Problem(Code.TOO_MANY, f"At most {MAX_OPTIONS} options", field))
    names = [o.name.strip().casefold() for o in options]
    if len(set(names)) != len(names):
        problems.append(Problem(Code.DUPLICATE, "Option names must differ", field))
    for i, option in enumerate(options):
        if not option.name.strip() or not option.value.strip():
            problems.append(
                Problem(Code.BLANK, "Option name and value are required", (*field, str(i)))
            )
        elif len(option.name) > MAX_TEXT_LENGTH or len(option.value) > MAX_TEXT_LENGTH:
            problems.append(Problem(Code.TOO_LONG, "Option is too long", (*field, str(i))))
    return problems


def check_sku(sku: str, field: tuple[str, ...]) -> list[Problem]:
    """SKUs are printable, without spaces, and bounded."""
    if not sku.strip():
        return [Problem(Code.BLANK, "SKU can't be blank", field)]
    if len(sku) > MAX_SKU_LENGTH or not sku.isprintable() or " " in sku:
        return [
            Problem(
                Code.INVALID,
                f"SKU is up to {MAX_SKU_LENGTH} printable characters, no spaces",
                field,
            )
        ]
    return []


def check_cost(cost: Money | None, field: tuple[str, ...]) -> list[Problem]:
    """A cost price, when given, is a non-negative amount."""
    if cost is not None and cost.amount < 0:
        return [Problem(Code.NEGATIVE, "Cost can't be negative", field)]
    if cost is not None and cost.amount > MAX_MINOR_AMOUNT:
        return [Problem(Code.TOO_LARGE, "Cost is too large", field)]
    return []


def check_weight(weight: int | None, field: tuple[str, ...]) -> list[Problem]:
    """Weights are grams, not negative."""
    if weight is not None and not 0 <= weight <= MAX_WEIGHT_GRAMS:
        return [Problem(Code.INVALID, f"Weight is 0 to {MAX_WEIGHT_GRAMS} grams", field)]
    return []


# A relative path of plain segments: it names an S3 object or a file under the local
# files folder, so it must never climb out of it ("..") or be absolute.
_ASSET_KEY = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")
MAX_ASSET_KEY_LENGTH = 200


def check_asset_key(key: str | None, field: tuple[str, ...]) -> list[Problem]:
    """A digital variant's file key: a short relative path, never absolute, never ``..``."""
    if key is None:
        return []
    if len(key) > MAX_ASSET_KEY_LENGTH:
        return [Problem(Code.TOO_LONG, "Asset key is too long", field)]
    if not _ASSET_KEY.fullmatch(key) or ".." in key:
        return [
            Problem(
                Code.INVALID,
                "Asset key must be a relative path of letters, digits, '.', '_', '-' and '/'",
                field,
            )
        ]
    return []


def check_variant_draft(draft: VariantDraft, field: tuple[str, ...]) -> list[Problem]:
    """Everything that can be wrong with a new variant on its own."""
    problems = [
        *check_sku(draft.sku, (*field, "sku")),
        *check_options(draft.options, (*field, "options")),
        *check_prices(draft.prices, (*field, "prices")),
        *check_cost(draft.cost, (*field, "costPrice")),
        *check_weight(draft.weight_grams, (*field, "weightGrams")),
        *check_asset_key(draft.asset_key, (*field, "assetKey")),
    ]
    if draft.initial_stock < 0:
        problems.append(Problem(Code.NEGATIVE, "Stock can't be negative", (*field, "initialStock")))
    elif draft.initial_stock > MAX_STOCK:
        problems.append(Problem(Code.TOO_LARGE, "Stock is too large", (*field, "initialStock")))
    elif draft.kind is VariantKind.DIGITAL and draft.initial_stock:
        problems.append(
            Problem(
                Code.DIGITAL_HAS_NO_STOCK,
                "Digital variants have no stock limit",
                (*field, "initialStock"),
            )
        )
    return problems


class VariantLike(Protocol):
    """What tells variants of one product apart: a new variant's draft or a stored one."""

    @property
    def sku(self) -> str: ...

    @property
    def options(self) -> tuple[OptionValue, ...]: ...


def check_variant_set(variants: Sequence[VariantLike], field: tuple[str, ...]) -> list[Problem]:
    """Within one product: distinct SKUs, distinct option combinations, bounded count."""
    problems: list[Problem] = []
    if len(variants) > MAX_VARIANTS:
        problems.append(Problem(Code.TOO_MANY, f"At most {MAX_VARIANTS} variants", field))
    skus = [v.sku.strip() for v in variants]
    if len(set(skus)) != len(skus):
        problems.append(Problem(Code.DUPLICATE, "Two variants have the same SKU", field))
    combos = [
        frozenset((o.name.casefold(), o.value.casefold()) for o in v.options) for v in variants
    ]
    if len(set(combos)) != len(combos):
        problems.append(Problem(Code.DUPLICATE, "Two variants have the same options", field))
    return problems


def check_collection_ids(ids: Iterable[str], field: tuple[str, ...]) -> list[Problem]:
    """A product belongs to a bounded number of collections."""
    if len(list(ids)) > MAX_COLLECTIONS_PER_PRODUCT:
        return [Problem(Code.TOO_MANY, f"At most {MAX_COLLECTIONS_PER_PRODUCT} collections", field)]
    return []


# -- whole commands: every problem of one form, in the form's order --------------------------


def check_product_draft(draft: ProductDraft) -> list[Problem]:
    """Everything that can be wrong with a new product without reading storage."""
    derived = draft.handle is None
    handle = handle_from_title(draft.title) if draft.handle is None else draft.handle
    problems = [
        *check_title(draft.title, ("title",)),
        *(
            _underivable_handle()
            if derived and not handle and draft.title.strip()
            else check_handle(handle, ("handle",))
        ),
        *check_description(draft.description, ("description",)),
        *check_tags(draft.tags, ("tags",)),
        *check_attributes(draft.attributes, ("attributes",)),
        *check_images(draft.images, ("images",)),
    ]
    for i, variant in enumerate(draft.variants):
        problems += check_variant_draft(variant, ("variants", str(i)))
    problems += check_collection_ids(unique(draft.collection_ids), ("collectionIds",))
    if not draft.variants:
        problems.append(Problem(Code.BLANK, "A product needs at least one variant", ("variants",)))
    problems += check_variant_set(draft.variants, ("variants",))
    return problems


def check_product_changes(changes: ProductChanges) -> list[Problem]:
    """What is wrong with the fields a product update changes."""
    problems = check_renaming(changes.title, changes.handle, changes.description)
    if changes.tags is not None:
        problems += check_tags(changes.tags, ("tags",))
    if changes.attributes is not None:
        problems += check_attributes(changes.attributes, ("attributes",))
    if changes.images is not None:
        problems += check_images(changes.images, ("images",))
    if changes.collection_ids is not None:
        problems += check_collection_ids(unique(changes.collection_ids), ("collectionIds",))
    return problems


def check_variant_changes(changes: VariantChanges) -> list[Problem]:
    """What is wrong with the fields a variant update changes, the variant on its own."""
    problems: list[Problem] = []
    if changes.sku is not None:
        problems += check_sku(changes.sku, ("sku",))
    if changes.options is not None:
        problems += check_options(changes.options, ("options",))
    problems += check_cost(changes.cost, ("costPrice",))
    problems += check_weight(changes.weight_grams, ("weightGrams",))
    problems += check_asset_key(changes.asset_key, ("assetKey",))
    return problems


def check_price_changes(prices: Sequence[Money], remove: Sequence[Currency]) -> list[Problem]:
    """Prices to set are valid, and no currency is both set and removed."""
    problems = check_prices(prices, ("prices",))
    if {p.currency for p in prices} & set(remove):
        problems.append(
            Problem(Code.INVALID, "A currency can't be both set and removed", ("removeCurrencies",))
        )
    return problems


def check_collection_draft(draft: CollectionDraft) -> list[Problem]:
    """Everything that can be wrong with a new collection without reading storage."""
    handle = draft.handle if draft.handle is not None else handle_from_title(draft.title)
    return [
        *check_title(draft.title, ("title",)),
        *check_handle(handle, ("handle",)),
        *check_description(draft.description, ("description",)),
        *check_images([draft.image] if draft.image else [], ("image",)),
    ]


def check_collection_changes(changes: CollectionChanges) -> list[Problem]:
    """What is wrong with the fields a collection update changes."""
    problems = check_renaming(changes.title, changes.handle, changes.description)
    if changes.image is not None:
        problems += check_images([changes.image], ("image",))
    return problems


def check_membership(product_ids: Sequence[str]) -> list[Problem]:
    """A collection gains or loses a bounded number of products at a time."""
    if len(unique(product_ids)) > MAX_MEMBERSHIP_CHANGES:
        return [
            Problem(
                Code.TOO_MANY,
                f"At most {MAX_MEMBERSHIP_CHANGES} products at a time",
                ("productIds",),
            )
        ]
    return []


def _underivable_handle() -> list[Problem]:
    return [
        Problem(
            Code.INVALID_HANDLE,
            "The title has no letters or digits to make a handle from: give a handle",
            ("handle",),
        )
    ]
