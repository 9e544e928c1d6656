"""Importing many products at once: every product, handle and stock count is written,
through writers that share the products out, and the partition read finds them all."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from commerce.catalog import store
from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.catalog.service import CatalogService
from commerce.catalog.snapshot_files import FolderSnapshotFiles
from commerce.db.table import TableItem, configure_table, create_table_if_missing
from commerce.money import Currency, Money


@pytest.fixture(scope="module")
def imported(
    dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CatalogService]:
    """101 products imported in one call (its writers share them out unevenly)."""
    configure_table(f"test-{uuid.uuid4().hex}", "us-east-1", dynamodb_endpoint)
    create_table_if_missing()
    service = CatalogService(
        cache_seconds=0, files=FolderSnapshotFiles(tmp_path_factory.mktemp("i"))
    )
    drafts = [
        ProductDraft(
            title=f"Imported Book {n:03d}",
            published=True,
            variants=(
                VariantDraft(
                    sku=f"IMP-{n:03d}", prices=(Money(999 + n, Currency.USD),), initial_stock=n
                ),
            ),
        )
        for n in range(101)
    ]
    service.import_products(drafts)
    yield service
    TableItem.delete_table()


def test_an_import_writes_every_product_with_its_stock(
    imported: CatalogService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "_PAGE_ITEMS", 4)
    snapshot = imported.full_snapshot()
    assert sorted(p.title for p in snapshot.products) == [
        f"Imported Book {n:03d}" for n in range(101)
    ]
    by_title = {p.title: p for p in snapshot.products}
    assert snapshot.stock[by_title["Imported Book 042"].variants[0].id] == 42
    found = imported.product_by_handle("imported-book-100", include_unpublished=False)
    assert found is not None
    assert found.product.title == "Imported Book 100"
