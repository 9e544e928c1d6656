"""What an import would change, decided purely from the file and the stored products."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from commerce.catalog.model import Attribute, Image, OptionValue, Product, ProductView, Variant
from commerce.catalog_exchange import writer
from commerce.catalog_exchange.columns import Dialect
from commerce.catalog_exchange.errors import CatalogImportErrorCode as Code
from commerce.catalog_exchange.model import ProductOutcome
from commerce.catalog_exchange.plan import plan_import
from commerce.catalog_exchange.reader import read_catalog
from commerce.money import Currency, Money

USD, EUR = Currency.USD, Currency.EUR
NOW = datetime(2026, 12, 4, tzinfo=UTC)


def stored_product() -> Product:
    return Product(
        id="p1",
        handle="the-book",
        title="The Book",
        description="<p>Read me.</p>",
        created_at=NOW,
        updated_at=NOW,
        variants=(
            Variant(
                "v1",
                "BOOK-HC",
                (OptionValue("Format", "Hardcover"),),
                (Money(2000, USD), Money(1900, EUR)),
                weight_grams=500,
            ),
            Variant("v2", "BOOK-PB", (OptionValue("Format", "Paperback"),), (Money(1200, USD),)),
        ),
        attributes=(Attribute("author", ("A. Writer",)), Attribute("series", ("Shelf",))),
        tags=("fiction",),
        images=(Image("https://img.example/a.jpg", "cover", width=600, height=900),),
        published=True,
    )


def exported(product: Product, stock: dict[str, int], dialect: Dialect) -> bytes:
    out = io.StringIO()
    writer.write(out, [product], stock, dialect, USD)
    return out.getvalue().encode("utf-8")


def test_an_exported_product_read_back_plans_no_change_in_either_dialect() -> None:
    product = stored_product()
    stock = {"v1": 3, "v2": 0}
    for dialect in Dialect:
        parsed = read_catalog(exported(product, stock, dialect), USD)
        assert parsed.errors == ()
        plans, errors = plan_import(
            parsed.products,
            {"the-book": ProductView(product, stock)},
            {"BOOK-HC": "p1", "BOOK-PB": "p1"},
            dialect,
        )
        assert errors == []
        assert [p.outcome for p in plans] == [ProductOutcome.UNCHANGED]


def test_a_changed_price_plans_one_update_that_says_what_changes() -> None:
    product = stored_product()
    text = exported(product, {"v1": 3}, Dialect.LEGACY).decode().replace("20.00", "21.50")
    parsed = read_catalog(text.encode(), USD)
    assert parsed.errors == ()
    plans, errors = plan_import(
        parsed.products,
        {"the-book": ProductView(product, {"v1": 3})},
        {"BOOK-HC": "p1"},
        Dialect.LEGACY,
    )
    assert errors == []
    (plan,) = plans
    assert plan.outcome is ProductOutcome.UPDATED
    assert "price USD of BOOK-HC 20.00 -> 21.50" in plan.description


def test_a_new_product_needs_a_title_and_its_own_skus() -> None:
    parsed = read_catalog(b"Handle,Variant SKU\nfresh,BOOK-HC\n", USD)
    plans, errors = plan_import(parsed.products, {}, {"BOOK-HC": "p1"}, Dialect.LEGACY)
    assert plans == []
    assert [(e.line, e.column, e.code) for e in errors] == [
        (2, "Variant SKU", Code.SKU_TAKEN),
        (2, "Title", Code.BLANK),
    ]
