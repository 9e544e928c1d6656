"""The snapshot file: a loaded view lists exactly what the built one lists."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from factories import days_after_launch, eur, make_product, make_snapshot, make_variant, usd

from commerce.catalog import snapshot
from commerce.catalog.listing import (
    AttributeFilter,
    CatalogView,
    PageRequest,
    ProductQuery,
    ProductSort,
    build_view,
    list_products,
)
from commerce.catalog.model import CatalogSnapshot, Collection, ProductRating, VariantKind
from commerce.money import Currency

BUILT = datetime(2026, 12, 1, tzinfo=UTC)
USD = ProductQuery(currency=Currency.USD)


def catalog() -> CatalogSnapshot:
    books = [
        make_product(
            f"Book {n:02d}",
            price=1000 + (n * 37) % 500,
            tags=("fantasy" if n % 2 else "mystery",),
            author=f"Author {n % 3}",
            collection_ids=("shelf",) if n % 4 == 0 else (),
            published=n != 7,
            created_at=days_after_launch(n % 5),
        )
        for n in range(30)
    ]
    mixed = make_product(
        "Mixed Formats",
        variants=(
            make_variant(usd(2500), eur(2300), format="Hardcover"),
            make_variant(usd(900), kind=VariantKind.DIGITAL, format="Ebook"),
        ),
    )
    stock = {b.variants[0].id: n % 3 for n, b in enumerate(books)}
    shelf = Collection("shelf", "shelf", "Shelf", "", BUILT, BUILT)
    # A third of the books have reviews, several sharing a shown average.
    ratings = {
        b.id: ProductRating((n % 2, 0, n % 3, 1, n % 4)) for n, b in enumerate(books) if n % 3 == 0
    }
    return replace(make_snapshot(*books, mixed, stock=stock), collections=(shelf,), ratings=ratings)


QUERIES = [
    USD,
    replace(USD, text="auth"),
    replace(USD, text="book 1", sort=ProductSort.RELEVANCE),
    replace(USD, sort=ProductSort.PRICE, reverse=True, in_stock=True),
    replace(USD, collection_id="shelf", sort=ProductSort.NEWEST),
    replace(USD, attributes=(AttributeFilter("tag", "fantasy"),), min_price=1100),
    replace(USD, include_unpublished=True, in_stock=False),
    replace(USD, currency=Currency.EUR, sort=ProductSort.PRICE),
    replace(USD, sort=ProductSort.RATING),
    replace(USD, sort=ProductSort.RATING, reverse=True, min_rating_tenths=35),
]


@pytest.mark.parametrize("query", QUERIES)
def test_a_loaded_snapshot_lists_every_page_as_the_catalog_it_was_built_from(
    query: ProductQuery,
) -> None:
    # given
    original = catalog()
    built = build_view(original)
    loaded = snapshot.decode(snapshot.encode(original, BUILT), "v1")

    # when
    def pages(view: CatalogView) -> list[tuple[list[str], bool, bool, int]]:
        found, after = [], None
        while True:
            page = list_products(view.index, query, PageRequest(first=4, after=after))
            found.append(
                (
                    [e.product.id for e in page.edges],
                    page.has_next_page,
                    page.has_previous_page,
                    page.total_count,
                )
            )
            if not page.has_next_page:
                return found
            after = page.edges[-1].cursor

    # then
    assert pages(loaded) == pages(built)


def test_a_loaded_snapshot_gives_products_stock_and_collections_back_whole() -> None:
    # given
    original = catalog()
    # when
    loaded = snapshot.decode(snapshot.encode(original, BUILT), "v1")
    # then
    assert list(loaded.snapshot.products) == list(original.products)
    assert dict(loaded.snapshot.stock) == dict(original.stock)
    assert dict(loaded.snapshot.ratings) == dict(original.ratings)
    assert loaded.snapshot.collections == original.collections
    mixed = original.products[-1]
    assert loaded.products_by_handle[mixed.handle] == mixed
    assert loaded.products_by_id[mixed.id] == mixed
    assert "no-such-handle" not in loaded.products_by_handle
    assert loaded.version == "v1"


@pytest.mark.parametrize(
    "damage",
    [b"", b"not a snapshot", snapshot.encode(catalog(), BUILT)[:-100]],
    ids=["empty", "garbage", "truncated"],
)
def test_a_damaged_file_is_refused_with_a_clear_error(damage: bytes) -> None:
    with pytest.raises(snapshot.SnapshotFormatError):
        snapshot.decode(damage, "v1")


def test_a_file_of_another_format_is_refused_rather_than_guessed() -> None:
    import msgpack

    other = msgpack.packb({"format": snapshot.FORMAT + 1})
    with pytest.raises(snapshot.SnapshotFormatError, match="format 2 is not 1"):
        snapshot.decode(other, "v1")


def test_a_file_written_before_ratings_loads_with_every_product_unrated() -> None:
    # given a file without the rating columns, as written before reviews existed
    import msgpack

    document = msgpack.unpackb(snapshot.encode(catalog(), BUILT))
    for key in ("ratings", "rating_tenths", "rating_counts"):
        del document[key]
    document["orders"] = {k: v for k, v in document["orders"].items() if "RATING" not in k}
    document["ranks"] = {k: v for k, v in document["ranks"].items() if "RATING" not in k}

    # when it is loaded and listed by rating
    loaded = snapshot.decode(bytes(msgpack.packb(document)), "old")
    page = list_products(loaded.index, replace(USD, sort=ProductSort.RATING), PageRequest(first=50))

    # then every product is unrated, listed by id
    assert dict(loaded.snapshot.ratings) == {}
    ids = [e.product.id for e in page.edges]
    assert ids == sorted(ids)
