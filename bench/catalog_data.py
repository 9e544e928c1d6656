"""A generated catalog big enough to page through: 60 books, three editions each."""

from __future__ import annotations

from commerce.catalog.commands import CollectionDraft, ProductDraft, VariantDraft
from commerce.catalog.model import Attribute, OptionValue, VariantKind
from commerce.catalog.service import CatalogService
from commerce.money import Currency, Money

BOOKS = 60


def seed_bench_catalog(catalog: CatalogService) -> list[str]:
    """Create the catalog; returns the product handles."""
    shelves = [catalog.create_collection(CollectionDraft(title=f"Shelf {n}")).id for n in range(4)]
    handles = []
    for n in range(BOOKS):
        code = f"B{n:03d}"
        editions = (
            ("Hardcover", VariantKind.PHYSICAL, 2499 + n, n % 7),
            ("E-book", VariantKind.DIGITAL, 999 + n, 0),
            ("Audiobook", VariantKind.DIGITAL, 1999 + n, 0),
        )
        product = catalog.create_product(
            ProductDraft(
                title=f"Bench Book {n:03d}",
                description="A book that exists to be listed quickly.",
                attributes=(Attribute("author", (f"Author {n % 9}",)),),
                tags=("bench", "fantasy" if n % 2 else "mystery"),
                collection_ids=(shelves[n % 4],),
                published=True,
                variants=tuple(
                    VariantDraft(
                        sku=f"{code}-{name[:2].upper()}",
                        options=(OptionValue("Format", name),),
                        prices=(
                            Money(amount, Currency.USD),
                            Money(amount - 100, Currency.EUR),
                        ),
                        kind=kind,
                        initial_stock=stock,
                        weight_grams=450 if kind is VariantKind.PHYSICAL else None,
                    )
                    for name, kind, amount, stock in editions
                ),
            )
        )
        handles.append(product.handle)
    return handles
