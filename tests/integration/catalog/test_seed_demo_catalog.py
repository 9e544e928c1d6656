"""Seeding the demo catalog into DynamoDB Local, read back through the catalog service."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest

from commerce.catalog.demo import (
    AUDIOBOOKS,
    EMBERFALL,
    TIDEWATER,
    SeedReport,
    demo_collection_drafts,
    demo_product_drafts,
    seed_demo_catalog,
)
from commerce.catalog.listing import AttributeFilter, PageRequest, ProductQuery, ProductSort
from commerce.catalog.model import Product, VariantKind, availability
from commerce.catalog.service import CatalogService
from commerce.catalog.snapshot_files import FolderSnapshotFiles
from commerce.db.table import TableItem, configure_table, create_table_if_missing
from commerce.money import Currency

ALL = PageRequest(first=100)
IN_USD = ProductQuery(Currency.USD)
# Every draft, with made-up collection ids: the expected content, independent of the table.
EXPECTED = demo_product_drafts({c.handle or "": c.title for c in demo_collection_drafts()})


@dataclass(frozen=True)
class Seeded:
    service: CatalogService
    report: SeedReport


@pytest.fixture(scope="module")
def seeded(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """The demo catalog, seeded once into a table of its own."""
    configure_table(f"test-{uuid.uuid4().hex}", "us-east-1", dynamodb_endpoint)
    create_table_if_missing()
    files = FolderSnapshotFiles(tmp_path_factory.mktemp("catalog"))
    service = CatalogService(cache_seconds=0, files=files)
    yield Seeded(service, seed_demo_catalog(service))
    TableItem.delete_table()


def listed(service: CatalogService, query: ProductQuery = IN_USD) -> list[Product]:
    page = service.list_products(service.view(), query, ALL)
    assert not page.has_next_page
    return [edge.product for edge in page.edges]


def titles(products: list[Product]) -> list[str]:
    return [p.title for p in products]


def test_the_report_counts_what_the_table_holds(seeded: Seeded) -> None:
    snapshot = seeded.service.view().snapshot

    assert seeded.report == SeedReport(
        collections=8,
        products=len(EXPECTED),
        variants=sum(len(p.variants) for p in EXPECTED),
    )
    assert len(snapshot.collections) == seeded.report.collections
    assert len(snapshot.products) == seeded.report.products
    assert sum(len(p.variants) for p in snapshot.products) == seeded.report.variants


def test_the_storefront_lists_published_products_only(seeded: Seeded) -> None:
    published = sorted(p.title for p in EXPECTED if p.published)
    everything = sorted(p.title for p in EXPECTED)

    assert sorted(titles(listed(seeded.service))) == published
    assert (
        sorted(titles(listed(seeded.service, replace(IN_USD, include_unpublished=True))))
        == everything
    )
    assert seeded.service.product_by_handle("emberfall", include_unpublished=False) is None
    assert seeded.service.product_by_handle("emberfall", include_unpublished=True) is not None


def test_a_series_collection_lists_its_volumes(seeded: Seeded) -> None:
    collection = seeded.service.collection_by_handle(EMBERFALL.handle)
    assert collection is not None
    assert collection.title == "The Emberfall Cycle"

    volumes = listed(
        seeded.service, replace(IN_USD, collection_id=collection.id, include_unpublished=True)
    )

    assert sorted((p.attribute("volume")[0], p.title) for p in volumes) == [
        ("1", "The Ash-Born Queen"),
        ("2", "A Crown of Cinders"),
        ("3", "The Hearth at the World's Edge"),
        ("4", "Emberfall"),
    ]
    assert len(listed(seeded.service, replace(IN_USD, collection_id=collection.id))) == 3


def test_every_collection_and_handle_resolves(seeded: Seeded) -> None:
    for draft in demo_collection_drafts():
        assert draft.handle is not None
        collection = seeded.service.collection_by_handle(draft.handle)
        assert collection is not None
        assert collection.title == draft.title
        assert collection.image == draft.image


def test_stock_is_as_designed_and_downloads_have_none(seeded: Seeded) -> None:
    snapshot = seeded.service.view().snapshot
    by_handle = {p.handle: p for p in snapshot.products}

    for draft in EXPECTED:
        assert draft.handle is not None
        product = by_handle[draft.handle]
        for variant, variant_draft in zip(product.variants, draft.variants, strict=True):
            assert variant.sku == variant_draft.sku
            if variant.kind is VariantKind.PHYSICAL:
                assert snapshot.stock[variant.id] == variant_draft.initial_stock, variant.sku
            else:
                assert variant.id not in snapshot.stock, variant.sku


def test_a_sold_out_hardcover_leaves_its_downloads_for_sale(seeded: Seeded) -> None:
    record = seeded.service.product_by_handle("saltwater-protocol", include_unpublished=False)
    assert record is not None
    formats = {v.title: availability(v, record.stock) for v in record.product.variants}

    assert not formats["Hardcover"].available_for_sale
    assert formats["Hardcover"].quantity == 0
    assert formats["E-book"].available_for_sale
    assert formats["E-book"].quantity is None
    assert formats["Audiobook"].available_for_sale


def test_the_last_copy_is_counted(seeded: Seeded) -> None:
    record = seeded.service.product_by_handle("the-clockmakers-alibi", include_unpublished=False)
    assert record is not None
    (hardcover,) = (v for v in record.product.variants if v.title == "Hardcover")

    assert availability(hardcover, record.stock).quantity == 1


def test_prices_are_stored_per_currency_and_never_converted(seeded: Seeded) -> None:
    tidewater = seeded.service.collection_by_handle(TIDEWATER.handle)
    assert tidewater is not None

    by_gbp_price = listed(seeded.service, ProductQuery(Currency.GBP, sort=ProductSort.PRICE))
    series = listed(seeded.service, replace(IN_USD, collection_id=tidewater.id))
    unpriced = [p for p in by_gbp_price if p.min_price(Currency.GBP) is None]

    assert series
    assert all(p.min_price(Currency.GBP) is None for p in series)
    assert all(p.min_price(Currency.EUR) is not None for p in series)
    # Products without a GBP price sort after every priced one.
    assert by_gbp_price[-len(unpriced) :] == unpriced
    assert 0 < len(unpriced) < len(by_gbp_price)


def test_the_audiobooks_shelf_and_tag_agree(seeded: Seeded) -> None:
    shelf = seeded.service.collection_by_handle(AUDIOBOOKS.handle)
    assert shelf is not None

    on_shelf = titles(listed(seeded.service, replace(IN_USD, collection_id=shelf.id)))
    tagged = titles(
        listed(seeded.service, replace(IN_USD, attributes=(AttributeFilter("tag", "audiobook"),)))
    )
    with_audiobook = [
        p.title for p in listed(seeded.service) if any(v.title == "Audiobook" for v in p.variants)
    ]

    assert on_shelf == tagged == with_audiobook
    assert "A Field Guide to Imaginary Birds" not in on_shelf


def test_shoppers_find_books_by_author_and_tag(seeded: Seeded) -> None:
    by_author = titles(
        listed(
            seeded.service,
            replace(IN_USD, attributes=(AttributeFilter("author", "Solveig Brandt"),)),
        )
    )
    award_winners = titles(
        listed(
            seeded.service, replace(IN_USD, attributes=(AttributeFilter("tag", "award-winner"),))
        )
    )
    searched = titles(listed(seeded.service, replace(IN_USD, text="vellacott")))

    assert "Fog over Marrow Bay" in by_author  # co-written
    assert len(by_author) == 5
    assert "The Cartographer of Small Hours" in award_winners
    assert "Letters from the Lighthouse Keeper" in searched
    assert "Emberfall" not in searched  # unpublished
