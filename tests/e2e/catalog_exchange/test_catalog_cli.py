"""``commerce catalog import`` and ``export`` as staff run them, against DynamoDB Local;
what they change is read back through the GraphQL API, as staff would check it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from csv_files import BOOKSHOP, TEMPLATE, TEMPLATE_LEGACY, normalised, table

from commerce.cli import main
from commerce.composition import Services
from commerce.settings import Settings

if TYPE_CHECKING:
    from conftest import GraphQLCaller

PRODUCT = """
query Product($handle: String!) {
  product(handle: $handle) {
    title handle description published tags
    author: attribute(name: "author") type: attribute(name: "type")
    images { url altText }
    variants {
      sku title kind weightGrams quantityAvailable
      selectedOptions { name value }
      prices { amount currencyCode }
      costPrice { amount currencyCode }
    }
  }
}
"""


@pytest.fixture
def environment(
    services: Services, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The operator's shell: pointed at this test's table on DynamoDB Local."""
    monkeypatch.setenv("COMMERCE_DYNAMODB_ENDPOINT", str(settings.dynamodb_endpoint))
    monkeypatch.setenv("COMMERCE_TABLE_NAME", settings.table_name)
    monkeypatch.setenv("AWS_REGION", settings.region)
    monkeypatch.setenv("COMMERCE_DATA_DIR", str(tmp_path / "data"))
    for name in ("COMMERCE_DEFAULT_CURRENCY",):
        monkeypatch.delenv(name, raising=False)


def product(gql: GraphQLCaller, admin_key: str, handle: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = gql(PRODUCT, {"handle": handle}, api_key=admin_key)["data"][
        "product"
    ]
    return found


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


pytestmark = pytest.mark.usefixtures("environment")


def export_rows(
    capsys: pytest.CaptureFixture[str], path: Path, dialect: str
) -> list[dict[str, str]]:
    code, _, err = run(capsys, "catalog", "export", str(path), "--dialect", dialect)
    assert code == 0
    assert "Wrote 7 rows" in err
    return table(path.read_text(encoding="utf-8"))


def same_rows(exported: list[dict[str, str]], fixture: Path, handle: str) -> None:
    columns = list(exported[0])
    original = table(fixture.read_text(encoding="utf-8"))
    original.sort(key=lambda r: r[handle])  # the export lists products by handle
    assert normalised(exported, columns) == normalised(original, columns)


def test_shopifys_template_imports_its_products_and_exports_its_rows_back(
    gql: GraphQLCaller, admin_key: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # when
    code, out, _ = run(capsys, "catalog", "import", str(TEMPLATE))
    # then
    assert code == 0
    assert "7 rows: 3 created, 0 updated, 0 unchanged, 0 skipped" in out
    shirt = product(gql, admin_key, "example-t-shirt")
    assert shirt is not None
    assert shirt["title"] == "Example T-Shirt"
    assert shirt["published"] is True
    assert shirt["tags"] == ["example", "mens", "t-shirt"]
    assert shirt["author"] == ["Acme"]
    assert shirt["type"] == ["Shirts"]
    assert [i["url"].rsplit("/", 1)[1] for i in shirt["images"]] == [
        "green-t-shirt_925x.jpg",
        "green-t-shirt-back_925x.jpg",
        "green-t-shirt-folded_925x.jpg",
        "green-t-shirt-detail_925x.jpg",
    ]
    assert [(v["sku"], v["title"], v["quantityAvailable"]) for v in shirt["variants"]] == [
        ("example-shirt-s", "Small", 12),
        ("example-shirt-m", "Medium", 8),
        ("example-shirt-l", "Large", 0),
    ]
    large = shirt["variants"][2]
    assert large["prices"] == [{"amount": "21.00", "currencyCode": "USD"}]
    assert large["costPrice"] == {"amount": "8.00", "currencyCode": "USD"}
    assert large["weightGrams"] == 220
    hat = product(gql, admin_key, "example-hat")
    assert hat is not None
    assert hat["published"] is False
    assert hat["variants"][0]["selectedOptions"] == []
    # and the columns the catalog has no place for are named
    assert "columns not imported: Product category, Barcode, Compare-at price" in out
    # when exported in the same dialect, the same rows come back (normalised)
    same_rows(export_rows(capsys, tmp_path / "export.csv", "current"), TEMPLATE, "URL handle")


def test_the_legacy_dialect_imports_the_same_products_and_exports_its_rows_back(
    gql: GraphQLCaller, admin_key: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # when
    code, out, _ = run(capsys, "catalog", "import", str(TEMPLATE_LEGACY))
    # then
    assert code == 0
    assert "3 created" in out
    pants = product(gql, admin_key, "example-pants")
    assert pants is not None
    assert [(v["sku"], v["selectedOptions"]) for v in pants["variants"]] == [
        (
            "example-pants-30-blue",
            [{"name": "Waist", "value": "30"}, {"name": "Color", "value": "Blue"}],
        ),
        (
            "example-pants-32-black",
            [{"name": "Waist", "value": "32"}, {"name": "Color", "value": "Black"}],
        ),
    ]
    assert pants["variants"][1]["prices"] == [{"amount": "52.50", "currencyCode": "USD"}]
    same_rows(export_rows(capsys, tmp_path / "export.csv", "legacy"), TEMPLATE_LEGACY, "Handle")


def test_prices_per_currency_and_digital_variants_import_once_and_an_export_imports_back(
    gql: GraphQLCaller, admin_key: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # when
    code, _, err = run(capsys, "catalog", "import", str(BOOKSHOP), "--progress")
    # then a progress bar showed the rate (products per second) and the time left
    assert code == 0
    assert "2/2 [" in err
    assert "product/s]" in err
    salt = product(gql, admin_key, "the-salt-road")
    assert salt is not None
    hardcover, ebook, audiobook = salt["variants"]
    assert hardcover["prices"] == [
        {"amount": "23.99", "currencyCode": "EUR"},
        {"amount": "21.50", "currencyCode": "GBP"},
        {"amount": "24.99", "currencyCode": "USD"},
    ]
    assert (hardcover["kind"], hardcover["quantityAvailable"]) == ("PHYSICAL", 15)
    assert (ebook["kind"], ebook["quantityAvailable"]) == ("DIGITAL", None)
    assert {p["currencyCode"] for p in audiobook["prices"]} == {"USD", "EUR"}
    harbour = product(gql, admin_key, "harbour-lights")
    assert harbour is not None
    assert harbour["author"] == ["Ines Okafor", "Tom Reyes"]
    # when the same file is imported again
    code, out, _ = run(capsys, "catalog", "import", str(BOOKSHOP))
    # then nothing changes
    assert code == 0
    assert "0 created, 0 updated, 2 unchanged, 0 skipped" in out
    assert product(gql, admin_key, "the-salt-road") == salt
    # and an export, imported back, changes nothing either
    exported = tmp_path / "export.csv"
    assert run(capsys, "catalog", "export", str(exported))[0] == 0
    assert "Price / EUR" in exported.read_text(encoding="utf-8").splitlines()[0]
    code, out, _ = run(capsys, "catalog", "import", str(exported))
    assert code == 0
    assert "0 created, 0 updated, 2 unchanged, 0 skipped" in out


def test_a_changed_file_updates_prices_and_stock_and_a_taken_sku_refuses_a_file(
    gql: GraphQLCaller, admin_key: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # given
    assert run(capsys, "catalog", "import", str(BOOKSHOP))[0] == 0
    changed = tmp_path / "changed.csv"
    changed.write_text(
        BOOKSHOP.read_text(encoding="utf-8").replace(
            "SALT-HC,Format,Hardcover,24.99,23.99,21.50,9.00,15",
            "SALT-HC,Format,Hardcover,26.00,23.99,21.50,9.00,7",
        ),
        encoding="utf-8",
    )
    # when
    code, out, _ = run(capsys, "catalog", "import", str(changed), "--dry-run")
    # then the dry run says what would change, and changes nothing
    assert code == 0
    assert (
        "would update the-salt-road: stock of SALT-HC 15 -> 7; price USD of SALT-HC 24.99 -> 26.00"
        in out
    )
    assert (
        "0 created, 1 updated, 1 unchanged, 0 skipped (what would be done; nothing written)" in out
    )
    salt = product(gql, admin_key, "the-salt-road")
    assert salt is not None
    assert salt["variants"][0]["quantityAvailable"] == 15
    # when
    code, out, _ = run(capsys, "catalog", "import", str(changed))
    # then
    assert code == 0
    assert "0 created, 1 updated, 1 unchanged, 0 skipped" in out
    salt = product(gql, admin_key, "the-salt-road")
    assert salt is not None
    assert salt["variants"][0]["quantityAvailable"] == 7
    assert {"amount": "26.00", "currencyCode": "USD"} in salt["variants"][0]["prices"]
    # when a file gives a new product a SKU another product owns
    clash = tmp_path / "clash.csv"
    clash.write_text(
        "URL handle,Title,SKU,Price\nnew-book,New Book,NEW-1,5.00\nother-book,Other,SALT-EB,5.00\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "catalog", "import", str(clash))
    # then the whole file is refused
    assert code == 1
    assert "line 3, column 'SKU': SKU SALT-EB belongs to another product [SKU_TAKEN]" in err
    assert product(gql, admin_key, "new-book") is None


def test_a_file_with_errors_lists_each_with_line_and_column_and_writes_nothing(
    gql: GraphQLCaller, admin_key: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # given a file whose second product is fine and whose first has three mistakes
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Handle,Title,Variant SKU,Variant Price,Variant Inventory Qty,Published\n"
        "first-book,First Book,FB-1,12.5.0,3,TRUE\n"
        "first-book,,FB-2,10.00,-4,\n"
        "second-book,Second Book,SB-1,9.99,2,maybe\n",
        encoding="utf-8",
    )
    # when
    code, out, err = run(capsys, "catalog", "import", str(bad))
    # then
    assert code == 1
    assert (
        f"{bad}:line 2, column 'Variant Price': '12.5.0' is not an amount like 19.99 "
        "[INVALID_PRICE]" in err
    )
    assert f"{bad}:line 3, column 'Variant Inventory Qty': Must be at least 0 [INVALID]" in err
    assert f"{bad}:line 4, column 'Published': Must be TRUE or FALSE [INVALID]" in err
    assert err.count("\n") == 3
    assert "3 problems, refused" in out
    assert product(gql, admin_key, "second-book") is None


def test_an_import_publishes_one_catalog_snapshot_for_the_whole_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a count of the snapshots published (each reads and indexes the whole catalog)
    from commerce.catalog.service import CatalogService

    published: list[object] = []
    publish = CatalogService.publish_snapshot

    def counted(self: CatalogService) -> Any:
        published.append(self)
        return publish(self)

    monkeypatch.setattr(CatalogService, "publish_snapshot", counted)
    # When a file of several products is imported
    code, out, err = run(capsys, "catalog", "import", str(BOOKSHOP))
    # Then every product is created and the catalog is published once, at the end
    assert code == 0, err
    assert "2 created, 0 updated" in out
    assert len(published) == 1
