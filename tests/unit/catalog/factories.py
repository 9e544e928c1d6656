"""Small builders for catalog objects: a test spells out only what it is about."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from commerce.catalog.model import (
    Attribute,
    CatalogSnapshot,
    OptionValue,
    Product,
    Variant,
    VariantKind,
)
from commerce.money import Currency, Money

LAUNCH = datetime(2024, 1, 1, tzinfo=UTC)

_ids = itertools.count(1)


def usd(amount: int) -> Money:
    """An amount in US cents."""
    return Money(amount, Currency.USD)


def eur(amount: int) -> Money:
    """An amount in euro cents."""
    return Money(amount, Currency.EUR)


def make_variant(
    *prices: Money,
    id: str | None = None,
    kind: VariantKind = VariantKind.PHYSICAL,
    format: str = "Paperback",
) -> Variant:
    """A variant with the given prices (none: not sold in any currency)."""
    variant_id = id or f"v{next(_ids):05d}"
    return Variant(
        id=variant_id,
        sku=f"SKU-{variant_id}",
        options=(OptionValue("Format", format),),
        prices=prices,
        kind=kind,
    )


def make_product(
    title: str = "A Book",
    *,
    id: str | None = None,
    price: int | None = 1000,
    variants: tuple[Variant, ...] | None = None,
    author: str | None = None,
    tags: tuple[str, ...] = (),
    attributes: Mapping[str, tuple[str, ...]] | None = None,
    collection_ids: tuple[str, ...] = (),
    published: bool = True,
    created_at: datetime = LAUNCH,
) -> Product:
    """A published product with one physical variant at ``price`` US cents by default."""
    if variants is None:
        variants = (make_variant(usd(price)),) if price is not None else (make_variant(),)
    named = dict(attributes or {})
    if author is not None:
        named["Author"] = (author,)
    return Product(
        id=id or f"p{next(_ids):05d}",
        handle=f"book-{next(_ids)}",
        title=title,
        description="",
        created_at=created_at,
        updated_at=created_at,
        variants=variants,
        attributes=tuple(Attribute(name, values) for name, values in named.items()),
        tags=tags,
        collection_ids=collection_ids,
        published=published,
    )


def days_after_launch(days: int) -> datetime:
    """A creation time ``days`` after ``LAUNCH``."""
    return LAUNCH + timedelta(days=days)


def make_snapshot(*products: Product, stock: Mapping[str, int] | None = None) -> CatalogSnapshot:
    """A snapshot of ``products``; physical variants have 10 in stock unless ``stock`` says."""
    counts = {v.id: 10 for p in products for v in p.variants if v.kind is VariantKind.PHYSICAL}
    counts.update(stock or {})
    return CatalogSnapshot(products=products, collections=(), stock=counts)
