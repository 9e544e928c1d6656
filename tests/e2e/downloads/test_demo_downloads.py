"""`commerce seed` gives every demo e-book and audiobook a file to download."""

from __future__ import annotations

from pathlib import Path

import pytest

from commerce.catalog.listing import PageRequest, ProductQuery
from commerce.catalog.model import VariantKind
from commerce.cli import main
from commerce.composition import Services
from commerce.money import Currency
from commerce.settings import Settings


def test_seeding_writes_a_file_for_every_digital_demo_variant(
    services: Services, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMMERCE_DYNAMODB_ENDPOINT", str(settings.dynamodb_endpoint))
    monkeypatch.setenv("COMMERCE_TABLE_NAME", settings.table_name)
    monkeypatch.setenv("COMMERCE_DATA_DIR", str(tmp_path))

    assert main(["seed"]) == 0

    everything = ProductQuery(Currency.USD, include_unpublished=True)
    page = services.catalog.list_products(
        services.catalog.view(), everything, PageRequest(first=100)
    )
    digital = [v for e in page.edges for v in e.product.variants if v.kind is VariantKind.DIGITAL]
    assert digital
    for variant in digital:
        assert variant.asset_key is not None, variant.sku
        assert (tmp_path / "files" / variant.asset_key).is_file(), variant.asset_key
