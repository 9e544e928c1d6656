"""Reading Shopify product CSVs: every problem with its line and column, never an exception."""

from __future__ import annotations

import codecs

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from commerce.catalog.model import OptionValue, VariantKind
from commerce.catalog_exchange.columns import Dialect
from commerce.catalog_exchange.errors import CatalogImportErrorCode as Code
from commerce.catalog_exchange.model import ParsedFile
from commerce.catalog_exchange.reader import Limits, read_catalog
from commerce.money import Currency, Money

USD, EUR = Currency.USD, Currency.EUR
CURRENT = "URL handle,Title,SKU,Option1 name,Option1 value,Price,Price / EUR,Inventory quantity\n"
LEGACY = (
    "Handle,Title,Variant SKU,Option1 Name,Option1 Value,Variant Price,Price / EUR,"
    "Variant Inventory Qty\n"
)


def read(text: str | bytes, limits: Limits | None = None) -> ParsedFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return read_catalog(data, USD) if limits is None else read_catalog(data, USD, limits)


def problems(parsed: ParsedFile) -> list[tuple[int, str, Code]]:
    return [(e.line, e.column, e.code) for e in parsed.errors]


def test_both_dialects_describe_the_same_products() -> None:
    rows = "book,Book,BK-HC,Format,Hardcover,20.00,18.50,4\nbook,,BK-EB,,E-book,9.99,,\n"
    # when
    current, legacy = read(CURRENT + rows), read(LEGACY + rows)
    # then
    assert (current.dialect, legacy.dialect) == (Dialect.CURRENT, Dialect.LEGACY)
    assert current.products == legacy.products
    (book,) = current.products
    assert [(v.sku, v.options, v.prices, v.stock) for v in book.variants] == [
        ("BK-HC", (OptionValue("Format", "Hardcover"),), (Money(2000, USD), Money(1850, EUR)), 4),
        ("BK-EB", (OptionValue("Format", "E-book"),), (Money(999, USD),), None),
    ]


def test_image_only_rows_add_images_in_position_order() -> None:
    text = (
        "Handle,Title,Variant SKU,Image Src,Image Position\n"
        "mug,Mug,MUG-1,https://img.example/b.jpg,2\n"
        "mug,,,https://img.example/a.jpg,1\n"
    )
    (mug,) = read(text).products
    assert [i.url for i in mug.images] == ["https://img.example/a.jpg", "https://img.example/b.jpg"]
    assert len(mug.variants) == 1


def test_a_byte_order_mark_is_dropped_and_crlf_lines_are_read() -> None:
    parsed = read(codecs.BOM_UTF8 + b"Handle,Title,Variant SKU\r\nmug,Mug,MUG-1\r\n")
    assert parsed.errors == ()
    assert parsed.products[0].handle == "mug"


def test_shopifys_default_title_option_means_no_options() -> None:
    text = "Handle,Title,Variant SKU,Option1 Name,Option1 Value\nhat,Hat,HAT,Title,Default Title\n"
    assert read(text).products[0].variants[0].options == ()


def test_a_variant_that_needs_no_shipping_is_digital() -> None:
    text = "Handle,Title,Variant SKU,Variant Requires Shipping\nebook,E,EB-1,FALSE\n"
    assert read(text).products[0].variants[0].kind is VariantKind.DIGITAL


def test_every_problem_comes_with_its_line_and_column_and_no_product() -> None:
    text = (
        "Handle,Title,Variant SKU,Variant Price,Price / EUR,Variant Grams,Published\n"
        "a-book,A,AB-1,10,1.234,12.5,TRUE\n"
        "a-book,Another title,AB-1,10,,,\n"
        ",B,BB-1,1,,,\n"
        "c-book,C,,1,,,yes\n"
    )
    parsed = read(text)
    assert problems(parsed) == [
        (2, "Price / EUR", Code.INVALID_PRICE),
        (2, "Variant Grams", Code.INVALID),
        (3, "Title", Code.CONFLICT),
        (3, "Variant SKU", Code.DUPLICATE),
        (4, "Handle", Code.BLANK),
        (5, "Published", Code.INVALID),
        (5, "Variant SKU", Code.BLANK),
    ]
    assert parsed.products == ()


def test_a_header_without_a_handle_column_is_refused() -> None:
    assert problems(read("Name,Price\nx,1\n")) == [(1, "", Code.UNKNOWN_HEADER)]


def test_the_default_currency_has_no_column_of_its_own_and_unknown_codes_are_refused() -> None:
    parsed = read("Handle,Price / USD,Price / XYZ\n")
    assert problems(parsed) == [
        (1, "Price / USD", Code.DUPLICATE_COLUMN),
        (1, "Price / XYZ", Code.UNKNOWN_HEADER),
    ]


def test_bad_bytes_are_reported_on_their_line() -> None:
    parsed = read(b"Handle,Title,Variant SKU\nmug,Mug,M1\nhat,H\xe9t,H1\n")
    assert problems(parsed) == [(3, "", Code.ENCODING)]
    assert problems(read(codecs.BOM_UTF16_LE + "Handle".encode("utf-16-le"))) == [
        (1, "", Code.ENCODING)
    ]


def test_limits_bound_the_file_its_rows_and_its_cells() -> None:
    small = Limits(max_bytes=100, max_rows=2, max_cell_chars=10)
    # 13 header bytes and 4 per row: the sixth line passes 30 bytes
    assert problems(read("Handle,Title\n" + "a,b\n" * 40, Limits(max_bytes=30))) == [
        (6, "", Code.FILE_TOO_LARGE)
    ]
    assert problems(read("Handle,Title\na,b\nc,d\ne,f\n", small)) == [(4, "", Code.TOO_MANY_ROWS)]
    assert problems(read("Handle,Title\na,bbbbbbbbbbbb\n", small)) == [(2, "", Code.TOO_LONG)]


def test_a_quoted_cell_may_span_lines_and_later_lines_keep_their_numbers() -> None:
    text = (
        "Handle,Title,Body (HTML),Variant SKU,Variant Price\n"
        'mug,Mug,"<p>one</p>\n<p>two</p>",M1,1\n'
        "hat,Hat,,H1,x\n"
    )
    assert problems(read(text)) == [(4, "Variant Price", Code.INVALID_PRICE)]
    assert read(text.replace(",x", ",1")).products[0].description == "<p>one</p>\n<p>two</p>"


@seed(20261204)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_give_products_or_typed_problems_never_an_exception(data: bytes) -> None:
    parsed = read(data, Limits(max_bytes=1500, max_rows=50, max_cell_chars=500, max_errors=50))
    assert all(isinstance(e.code, Code) and e.line >= 0 for e in parsed.errors)
    assert not (parsed.errors and parsed.products)


@seed(20261204)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(
            st.sampled_from(["", "x", "a-b", "1", "1.5", "TRUE", '"', "\n", ",", "Ω", "1e9999"]),
            min_size=0,
            max_size=9,
        ),
        max_size=12,
    )
)
def test_any_rows_under_a_real_header_give_products_or_typed_problems(
    rows: list[list[str]],
) -> None:
    body = "".join(",".join(r) + "\n" for r in rows)
    parsed = read(LEGACY + body)
    assert all(isinstance(e.code, Code) for e in parsed.errors)
    assert not (parsed.errors and parsed.products)
