"""Reading a Shopify product CSV: every problem of the whole file, with line and column.

The file is streamed: bytes are split into physical lines, each decoded as UTF-8 on its
own (so a bad byte is reported on its own line, and a byte-order mark is dropped), and
the lines feed the standard ``csv`` reader. Nothing here raises on bad input: any bytes
give a ``ParsedFile`` whose ``errors`` say what is wrong (a property test holds it to
that). Limits bound the work a file can cause: its size, its rows, its cells.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from commerce.catalog import rules
from commerce.catalog.model import Attribute, Image, OptionValue, VariantKind
from commerce.catalog_exchange.columns import (
    ATTRIBUTE_PREFIX,
    DEFAULT_OPTION_NAME,
    DEFAULT_OPTION_VALUE,
    HEADERS,
    OPTION_FIELDS,
    PRICE_PREFIX,
    TYPE_ATTRIBUTE,
    VALUE_SEPARATOR,
    VENDOR_ATTRIBUTE,
    Field,
    Layout,
    detect_dialect,
)
from commerce.catalog_exchange.errors import CatalogImportErrorCode as Code
from commerce.catalog_exchange.model import ImportedProduct, ImportedVariant, ParsedFile, RowError
from commerce.money import MAX_MINOR_AMOUNT, Currency, Money
from commerce.problems import Problem


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one file may hold. The CLI takes large files; GraphQL small ones."""

    max_bytes: int = 64 * 1024 * 1024
    max_rows: int = 250_000
    # Longest cell of any column: the catalog's longest text (a description).
    max_cell_chars: int = rules.MAX_DESCRIPTION_LENGTH
    # Problems reported before the reader stops listing them (the file is refused anyway).
    max_errors: int = 500


CLI_LIMITS = Limits()
# A GraphQL request body is capped at 1 MiB, and a job keeps its file in one DynamoDB item.
API_LIMITS = Limits(max_bytes=256 * 1024, max_rows=5_000)

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_PRICE = re.compile(r"^[0-9]{1,13}(?:\.[0-9]{1,4})?$")
_WHOLE = re.compile(r"^-?[0-9]{1,12}(?:\.0+)?$")
_TRUE, _FALSE = "true", "false"
_STATUSES = ("active", "draft", "archived")

# Columns that carry the product itself: given on a handle's first row, blank (or the
# same) on its continuation rows.
_PRODUCT_FIELDS = (
    Field.TITLE,
    Field.BODY,
    Field.VENDOR,
    Field.TYPE,
    Field.TAGS,
    Field.PUBLISHED,
    Field.STATUS,
    Field.GIFT_CARD,
    Field.OPTION1_NAME,
    Field.OPTION2_NAME,
    Field.OPTION3_NAME,
)
# A row with any of these filled in is a variant row; without, an image-only row.
_VARIANT_FIELDS = (
    Field.SKU,
    Field.OPTION1_VALUE,
    Field.OPTION2_VALUE,
    Field.OPTION3_VALUE,
    Field.PRICE,
    Field.COST,
    Field.INVENTORY_QUANTITY,
    Field.GRAMS,
    Field.REQUIRES_SHIPPING,
)


class _Stop(Exception):
    """The file cannot be read further (or the error list is full)."""


@dataclass(slots=True)
class _Row:
    line: int
    cells: list[str]


@dataclass(slots=True)
class _Report:
    limits: Limits
    errors: list[RowError] = field(default_factory=list)

    def add(self, line: int, column: str, code: Code, message: str) -> None:
        self.errors.append(RowError(line, column, code, message))
        if len(self.errors) >= self.limits.max_errors:
            raise _Stop

    def problems(self, line: int, column: str, problems: list[Problem]) -> bool:
        """Record a catalog rule's findings against one cell; True when there were none."""
        for problem in problems:
            self.add(line, column, _code_of(problem), problem.message)
        return not problems


def read_catalog(
    source: bytes | BinaryIO, default_currency: Currency, limits: Limits = CLI_LIMITS
) -> ParsedFile:
    """The products a file describes, or every problem found in it (never raises)."""
    stream: BinaryIO = io.BytesIO(source) if isinstance(source, bytes) else source
    report = _Report(limits)
    rows: list[_Row] = []
    layout: Layout | None = None
    try:
        records = _records(stream, report)
        header = next(records, None)
        if header is None:
            report.add(1, "", Code.BLANK, "The file is empty: it needs a header row")
            raise _Stop
        layout = _layout(header.cells, default_currency, report)
        if layout is None:
            raise _Stop
        for row in records:
            if not any(cell.strip() for cell in row.cells):
                continue
            if len(rows) >= limits.max_rows:
                report.add(row.line, "", Code.TOO_MANY_ROWS, f"More than {limits.max_rows} rows")
                raise _Stop
            if len(row.cells) > len(header.cells):
                report.add(
                    row.line,
                    "",
                    Code.MALFORMED,
                    f"The row has {len(row.cells)} cells; the header has {len(header.cells)}",
                )
                continue
            row.cells += [""] * (len(header.cells) - len(row.cells))
            rows.append(row)
        products = _products(rows, layout, default_currency, report)
    except _Stop:
        products = []
    if report.errors:
        products = []
    return ParsedFile(
        dialect=None if layout is None else layout.dialect,
        products=tuple(products),
        errors=tuple(sorted(report.errors, key=lambda e: e.line)),
        rows=len(rows),
        currencies=() if layout is None else tuple(layout.prices),
        ignored_columns=() if layout is None else layout.ignored,
    )


# -- lines and records ---------------------------------------------------------------------


def _lines(stream: BinaryIO, report: _Report, counter: list[int]) -> Iterator[str]:
    """The file's physical lines, decoded one by one, within the byte limit."""
    total = 0
    number = 0
    limit = report.limits.max_bytes
    while True:
        raw = stream.readline(limit - total + 1)
        if not raw:
            return
        total += len(raw)
        number += 1
        counter[0] = number
        if total > limit:
            report.add(number, "", Code.FILE_TOO_LARGE, f"The file is larger than {limit} bytes")
            raise _Stop
        if number == 1:
            if raw.startswith(_UTF16_BOMS):
                report.add(1, "", Code.ENCODING, "The file is UTF-16: save it as UTF-8")
                raise _Stop
            raw = raw.removeprefix(_UTF8_BOM)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            report.add(
                number,
                "",
                Code.ENCODING,
                f"Not UTF-8 (byte {exc.start + 1} of the line): save the file as UTF-8",
            )
            raise _Stop from None
        if "\x00" in text:
            report.add(number, "", Code.ENCODING, "The line holds a NUL character")
            raise _Stop
        yield text


def _records(stream: BinaryIO, report: _Report) -> Iterator[_Row]:
    """CSV records with the physical line each starts on (quoted cells may span lines)."""
    counter = [0]
    reader = csv.reader(_lines(stream, report, counter), strict=True)
    while True:
        start = counter[0] + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            report.add(max(start, counter[0]), "", Code.MALFORMED, f"Not valid CSV: {exc}")
            raise _Stop from None
        for cell in cells:
            if len(cell) > report.limits.max_cell_chars:
                report.add(
                    start,
                    "",
                    Code.TOO_LONG,
                    f"A cell is longer than {report.limits.max_cell_chars} characters",
                )
                raise _Stop
        yield _Row(start, cells)


# -- the header ------------------------------------------------------------------------------


def _layout(header: list[str], default_currency: Currency, report: _Report) -> Layout | None:
    dialect = detect_dialect(header)
    if dialect is None:
        report.add(
            1,
            "",
            Code.UNKNOWN_HEADER,
            'The header has no "URL handle" (current) or "Handle" (legacy) column',
        )
        return None
    known = {name.casefold(): f for f, name in HEADERS[dialect]}
    fields: dict[Field, int] = {}
    prices: dict[Currency, int] = {}
    attributes: dict[str, int] = {}
    ignored: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(header):
        name = raw.strip()
        folded = name.casefold()
        if folded in seen and name:
            report.add(1, name, Code.DUPLICATE_COLUMN, f"The column {name!r} appears twice")
            continue
        seen.add(folded)
        if folded in known:
            fields[known[folded]] = index
        elif folded.startswith(PRICE_PREFIX.casefold()) and len(name) == len(PRICE_PREFIX) + 3:
            code = name[len(PRICE_PREFIX) :].upper()
            currency = next((c for c in Currency if c.value == code), None)
            if currency is None:
                report.add(1, name, Code.UNKNOWN_HEADER, f"{code!r} is not a supported currency")
            elif currency is default_currency:
                report.add(
                    1,
                    name,
                    Code.DUPLICATE_COLUMN,
                    f"{code} is the shop's default currency: its prices go in the Price column",
                )
            else:
                prices[currency] = index
        elif folded.startswith(ATTRIBUTE_PREFIX.casefold()):
            attribute = name[len(ATTRIBUTE_PREFIX) :].strip()
            if not attribute or len(attribute) > rules.MAX_TEXT_LENGTH:
                report.add(1, name, Code.UNKNOWN_HEADER, "An attribute column needs a short name")
            elif attribute.casefold() in (VENDOR_ATTRIBUTE, TYPE_ATTRIBUTE):
                report.add(
                    1,
                    name,
                    Code.DUPLICATE_COLUMN,
                    f"The {attribute} attribute has its own column (Vendor or Type)",
                )
            else:
                attributes[attribute] = index
        elif name:
            ignored.append(name)
    layout = Layout(dialect, fields, prices, attributes, tuple(ignored))
    if Field.HANDLE not in fields:  # pragma: no cover - detect_dialect found it
        return None
    return layout


# -- rows to products --------------------------------------------------------------------


@dataclass(slots=True)
class _Cells:
    """One row's mapped cells, stripped, with the names to report them under."""

    row: _Row
    layout: Layout

    def get(self, field: Field) -> str:
        index = self.layout.fields.get(field)
        return "" if index is None else self.row.cells[index].strip()

    def raw(self, field: Field) -> str:
        index = self.layout.fields.get(field)
        return "" if index is None else self.row.cells[index]

    def has(self, field: Field) -> bool:
        return bool(self.get(field))

    def name(self, field: Field) -> str:
        return self.layout.name_of(field)


def _products(
    rows: list[_Row], layout: Layout, default_currency: Currency, report: _Report
) -> list[ImportedProduct]:
    groups: dict[str, list[_Cells]] = {}
    for row in rows:
        cells = _Cells(row, layout)
        handle = cells.get(Field.HANDLE)
        column = cells.name(Field.HANDLE)
        if not handle:
            report.add(row.line, column, Code.BLANK, "Every row needs the product's handle")
            continue
        if not report.problems(row.line, column, rules.check_handle(handle, ())):
            continue
        groups.setdefault(handle, []).append(cells)
    products: list[ImportedProduct] = []
    skus: dict[str, int] = {}
    for handle, group in groups.items():
        product = _product(
            handle,
            group,
            layout=layout,
            default_currency=default_currency,
            skus=skus,
            report=report,
        )
        if product is not None:
            products.append(product)
    return products


def _product(
    handle: str,
    group: list[_Cells],
    *,
    layout: Layout,
    default_currency: Currency,
    skus: dict[str, int],
    report: _Report,
) -> ImportedProduct | None:
    first = group[0]
    line = first.row.line
    for cells in group[1:]:
        for product_field in _PRODUCT_FIELDS:
            value = cells.get(product_field)
            if value and value != first.get(product_field):
                report.add(
                    cells.row.line,
                    cells.name(product_field),
                    Code.CONFLICT,
                    f"Product fields belong on the first row of {handle!r} (line {line}); "
                    "continuation rows leave them blank",
                )
        for index, name in _attribute_cells(layout):
            value = cells.row.cells[index].strip()
            if value and value != first.row.cells[index].strip():
                report.add(
                    cells.row.line,
                    name,
                    Code.CONFLICT,
                    f"Product fields belong on the first row of {handle!r} (line {line})",
                )
    title = first.get(Field.TITLE) or None
    if title is not None:
        report.problems(line, first.name(Field.TITLE), rules.check_title(title, ()))
    description = first.raw(Field.BODY).strip() or None
    if description is not None:
        report.problems(line, first.name(Field.BODY), rules.check_description(description, ()))
    tags: tuple[str, ...] | None = None
    if first.has(Field.TAGS):
        tags = tuple(t.strip() for t in first.get(Field.TAGS).split(",") if t.strip())
        report.problems(line, first.name(Field.TAGS), rules.check_tags(tags, ()))
    published = _published(first, report)
    gift_card = _boolean(first, Field.GIFT_CARD, report) is True
    attributes = _attributes(first, layout, report)
    option_names = _option_names(first, report)
    images = _images(group, report)
    variants: list[ImportedVariant] = []
    for cells in group:
        if any(cells.has(f) for f in _VARIANT_FIELDS) or any(
            cells.row.cells[i].strip() for i in layout.prices.values()
        ):
            variant = _variant(
                cells,
                option_names,
                layout=layout,
                default_currency=default_currency,
                skus=skus,
                report=report,
            )
            if variant is not None:
                variants.append(variant)
    if not any(
        any(c.has(f) for f in _VARIANT_FIELDS)
        or any(c.row.cells[i].strip() for i in layout.prices.values())
        for c in group
    ):
        report.add(line, first.name(Field.SKU), Code.BLANK, f"{handle!r} has no variant row")
    if len(variants) > rules.MAX_VARIANTS:
        report.add(
            line, first.name(Field.SKU), Code.TOO_MANY, f"More than {rules.MAX_VARIANTS} variants"
        )
    combos: dict[frozenset[tuple[str, str]], int] = {}
    for variant in variants:
        combo = frozenset((o.name.casefold(), o.value.casefold()) for o in variant.options)
        if combo in combos:
            report.add(
                variant.line,
                first.name(Field.OPTION1_VALUE),
                Code.DUPLICATE,
                f"Same options as the variant on line {combos[combo]}",
            )
        combos.setdefault(combo, variant.line)
    return ImportedProduct(
        line=line,
        handle=handle,
        title=title,
        description=description,
        tags=tags,
        published=published,
        attributes=attributes,
        images=images,
        variants=tuple(variants),
        gift_card=gift_card,
    )


def _attribute_cells(layout: Layout) -> list[tuple[int, str]]:
    return [(i, f"{ATTRIBUTE_PREFIX}{name}") for name, i in layout.attributes.items()]


def _boolean(cells: _Cells, field: Field, report: _Report) -> bool | None:
    value = cells.get(field).casefold()
    if not value:
        return None
    if value in (_TRUE, _FALSE):
        return value == _TRUE
    report.add(cells.row.line, cells.name(field), Code.INVALID, "Must be TRUE or FALSE")
    return None


def _published(cells: _Cells, report: _Report) -> bool | None:
    published = _boolean(cells, Field.PUBLISHED, report)
    status = cells.get(Field.STATUS).casefold()
    if status and status not in _STATUSES:
        report.add(
            cells.row.line,
            cells.name(Field.STATUS),
            Code.INVALID,
            "Must be active, draft or archived",
        )
        return published
    if status:
        # Shown on the storefront only when active (and, when the column is there, published).
        return status == "active" and published is not False
    return published


def _attributes(cells: _Cells, layout: Layout, report: _Report) -> tuple[Attribute, ...]:
    found: list[Attribute] = []
    line = cells.row.line
    named = [(VENDOR_ATTRIBUTE, Field.VENDOR), (TYPE_ATTRIBUTE, Field.TYPE)]
    sources = [(name, cells.get(f), cells.name(f)) for name, f in named]
    sources += [
        (name, cells.row.cells[i].strip(), f"{ATTRIBUTE_PREFIX}{name}")
        for name, i in layout.attributes.items()
    ]
    for name, value, column in sources:
        if not value:
            continue
        values = tuple(dict.fromkeys(v.strip() for v in value.split(VALUE_SEPARATOR) if v.strip()))
        attribute = Attribute(name, values)
        if report.problems(line, column, rules.check_attributes([attribute], ())):
            found.append(attribute)
    return tuple(found)


def _option_names(cells: _Cells, report: _Report) -> list[str | None]:
    names: list[str | None] = []
    for name_field, _ in OPTION_FIELDS:
        name = cells.get(name_field)
        if len(name) > rules.MAX_TEXT_LENGTH:
            report.add(
                cells.row.line, cells.name(name_field), Code.TOO_LONG, "Option name is too long"
            )
            name = ""
        names.append(name or None)
    folded = [n.casefold() for n in names if n]
    if len(set(folded)) != len(folded):
        report.add(
            cells.row.line,
            cells.name(Field.OPTION1_NAME),
            Code.DUPLICATE,
            "Option names must differ",
        )
    return names


def _images(group: list[_Cells], report: _Report) -> tuple[Image, ...]:
    found: list[tuple[int, int, Image]] = []
    urls: set[str] = set()
    for order, cells in enumerate(group):
        url = cells.get(Field.IMAGE_URL)
        line = cells.row.line
        alt = cells.get(Field.IMAGE_ALT)
        if not url:
            if alt or cells.has(Field.IMAGE_POSITION):
                report.add(
                    line,
                    cells.name(Field.IMAGE_URL),
                    Code.BLANK,
                    "Image position or alt text without an image URL",
                )
            continue
        position = order + 1
        if cells.has(Field.IMAGE_POSITION):
            parsed = _whole(cells, Field.IMAGE_POSITION, report, low=1, high=rules.MAX_IMAGES * 10)
            position = order + 1 if parsed is None else parsed
        image = Image(url=url, alt_text=alt)
        if not report.problems(line, cells.name(Field.IMAGE_URL), rules.check_images([image], ())):
            continue
        if url in urls:
            continue
        urls.add(url)
        found.append((position, order, image))
    if len(found) > rules.MAX_IMAGES:
        first = group[0]
        report.add(
            first.row.line,
            first.name(Field.IMAGE_URL),
            Code.TOO_MANY,
            f"More than {rules.MAX_IMAGES} images",
        )
    return tuple(image for _, _, image in sorted(found, key=lambda f: (f[0], f[1])))


def _whole(cells: _Cells, field: Field, report: _Report, *, low: int, high: int) -> int | None:
    value = cells.get(field)
    if not _WHOLE.match(value):
        report.add(cells.row.line, cells.name(field), Code.INVALID, "Must be a whole number")
        return None
    number = int(value.split(".")[0])
    if number < low:
        report.add(cells.row.line, cells.name(field), Code.INVALID, f"Must be at least {low}")
        return None
    if number > high:
        report.add(cells.row.line, cells.name(field), Code.INVALID, f"Must be at most {high}")
        return None
    return number


def _money(value: str, currency: Currency, line: int, column: str, report: _Report) -> Money | None:
    if not _PRICE.match(value):
        report.add(line, column, Code.INVALID_PRICE, f"{value[:40]!r} is not an amount like 19.99")
        return None
    try:
        money = Money.from_decimal(value, currency)
    except ValueError as exc:
        report.add(line, column, Code.INVALID_PRICE, str(exc))
        return None
    if money.amount > MAX_MINOR_AMOUNT:
        report.add(line, column, Code.INVALID_PRICE, "The amount is too large")
        return None
    return money


def _variant(
    cells: _Cells,
    option_names: list[str | None],
    *,
    layout: Layout,
    default_currency: Currency,
    skus: dict[str, int],
    report: _Report,
) -> ImportedVariant | None:
    line = cells.row.line
    before = len(report.errors)
    sku = cells.get(Field.SKU)
    sku_column = cells.name(Field.SKU)
    if not sku:
        report.add(
            line,
            sku_column,
            Code.BLANK,
            "Every variant needs a SKU (the import matches variants by SKU)",
        )
    elif report.problems(line, sku_column, rules.check_sku(sku, ())):
        if sku in skus:
            report.add(line, sku_column, Code.DUPLICATE, f"SKU {sku} is also on line {skus[sku]}")
        else:
            skus[sku] = line
    options: list[OptionValue] = []
    for (name_field, value_field), name in zip(OPTION_FIELDS, option_names, strict=True):
        value = cells.get(value_field)
        if not value:
            continue
        if name is None:
            report.add(
                line,
                cells.name(name_field),
                Code.BLANK,
                "An option value needs its option name on the product's first row",
            )
            continue
        if len(value) > rules.MAX_TEXT_LENGTH:
            report.add(line, cells.name(value_field), Code.TOO_LONG, "Option value is too long")
            continue
        options.append(OptionValue(name, value))
    if len(options) == 1 and options[0] == OptionValue(DEFAULT_OPTION_NAME, DEFAULT_OPTION_VALUE):
        options = []
    prices: list[Money] = []
    if cells.has(Field.PRICE):
        price = _money(
            cells.get(Field.PRICE), default_currency, line, cells.name(Field.PRICE), report
        )
        if price is not None:
            prices.append(price)
    for currency, index in layout.prices.items():
        value = cells.row.cells[index].strip()
        if value:
            price = _money(value, currency, line, f"{PRICE_PREFIX}{currency.value}", report)
            if price is not None:
                prices.append(price)
    cost = None
    if cells.has(Field.COST):
        cost = _money(cells.get(Field.COST), default_currency, line, cells.name(Field.COST), report)
    weight = None
    if cells.has(Field.GRAMS):
        weight = _whole(cells, Field.GRAMS, report, low=0, high=rules.MAX_WEIGHT_GRAMS)
    stock = None
    if cells.has(Field.INVENTORY_QUANTITY):
        stock = _whole(cells, Field.INVENTORY_QUANTITY, report, low=0, high=rules.MAX_STOCK)
    ships = _boolean(cells, Field.REQUIRES_SHIPPING, report)
    kind = None if ships is None else (VariantKind.PHYSICAL if ships else VariantKind.DIGITAL)
    if kind is VariantKind.DIGITAL and stock:
        report.add(
            line,
            cells.name(Field.INVENTORY_QUANTITY),
            Code.INVALID,
            "A variant that needs no shipping is digital: it has no stock (leave it blank or 0)",
        )
    if len(report.errors) > before:
        return None
    return ImportedVariant(
        line=line,
        sku=sku,
        options=tuple(options),
        prices=tuple(prices),
        cost=cost,
        weight_grams=weight,
        stock=stock,
        kind=kind,
    )


def _code_of(problem: Problem) -> Code:
    """The import's code for a catalog rule's problem (same names where both have one)."""
    return next((c for c in Code if c.value == problem.code.value), Code.INVALID)
