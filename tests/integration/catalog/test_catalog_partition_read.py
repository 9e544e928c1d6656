"""The catalog partition read as bounded ranges side by side returns exactly what one
paginated Query of it returns, however small the pages (small pages halve ranges often)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from commerce.catalog import store
from commerce.catalog.demo import seed_demo_catalog
from commerce.catalog.service import CatalogService
from commerce.catalog.snapshot_files import FolderSnapshotFiles
from commerce.db.table import TableItem, configure_table, create_table_if_missing


def _keys(items: list[TableItem]) -> list[tuple[str, str, str]]:
    return [(str(i.gsi1sk), str(i.pk), str(i.sk)) for i in items]


@pytest.fixture(scope="module")
def whole(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list]:
    """The demo catalog in a table of its own; its partition read by one plain Query."""
    configure_table(f"test-{uuid.uuid4().hex}", "us-east-1", dynamodb_endpoint)
    create_table_if_missing()
    service = CatalogService(
        cache_seconds=0, files=FolderSnapshotFiles(tmp_path_factory.mktemp("c"))
    )
    seed_demo_catalog(service)
    yield _keys(
        sorted(
            TableItem.gsi1.query(store.CATALOG_PARTITION),
            key=lambda i: (str(i.gsi1sk), str(i.pk), str(i.sk)),
        )
    )
    TableItem.delete_table()


@pytest.mark.parametrize("page_items", [None, 1, 2, 7, 50])
@pytest.mark.parametrize("ranges_per_kind", [1, 3, 16])
@pytest.mark.parametrize("sequential_pages", [0, 3])
def test_ranges_read_every_item_once(
    whole: list,
    page_items: int | None,
    ranges_per_kind: int,
    sequential_pages: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Three pages in turn first, then ranges from where they stopped; or ranges only.
    monkeypatch.setattr(store, "_PAGE_ITEMS", page_items)
    monkeypatch.setattr(store, "_RANGES_PER_KIND", ranges_per_kind)
    monkeypatch.setattr(store, "_SEQUENTIAL_PAGES", sequential_pages)
    assert {key[0].split("#")[0] for key in whole} >= {"PRODUCT", "STOCK", "COLLECTION"}
    assert _keys(store.catalog_items()) == whole


def test_a_small_catalog_is_read_in_one_query(whole: list, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    query = TableItem.gsi1.query

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(kwargs)
        return query(*args, **kwargs)

    monkeypatch.setattr(TableItem.gsi1, "query", counted)
    monkeypatch.setattr(store, "_PAGE_ITEMS", len(whole) + 1)

    assert _keys(store.catalog_items()) == whole
    assert len(calls) == 1


def test_the_snapshot_holds_every_product_and_stock_count(
    whole: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "_PAGE_ITEMS", 3)
    snapshot = store.load_snapshot()
    kinds = [key[0].split("#")[0] for key in whole]
    assert len(snapshot.products) == kinds.count("PRODUCT")
    assert len(snapshot.collections) == kinds.count("COLLECTION")
    assert len(snapshot.stock) == kinds.count("STOCK")
