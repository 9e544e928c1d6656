"""Writing the catalog as a Shopify product CSV, in either header dialect.

The rows follow Shopify's own exports: a product's fields on its first row only; one row
per variant, the product's images alongside them in order (image N on row N), and
image-only rows after the variants when there are more images than variants. A product
without options is written as Shopify writes one: ``Title`` / ``Default Title``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping, Sequence
from typing import TextIO

from commerce.catalog.model import Product, Variant, VariantKind
from commerce.catalog_exchange.columns import (
    DEFAULT_OPTION_NAME,
    DEFAULT_OPTION_VALUE,
    HEADERS,
    OPTION_FIELDS,
    TYPE_ATTRIBUTE,
    VALUE_SEPARATOR,
    VENDOR_ATTRIBUTE,
    Dialect,
    Field,
    attribute_column,
    price_column,
)
from commerce.money import Currency, Money


def header(
    dialect: Dialect, currencies: Sequence[Currency], attributes: Sequence[str]
) -> list[str]:
    """The columns of an export: the template's mapped ones, then currencies, attributes."""
    names: list[str] = []
    for field, name in HEADERS[dialect]:
        names.append(name)
        if field is Field.PRICE:
            names += [price_column(c) for c in currencies]
    return names + [attribute_column(a) for a in attributes]


def extra_currencies(products: Sequence[Product], default: Currency) -> list[Currency]:
    """Every currency some variant is priced in, other than the default, by code."""
    found = {p.currency for product in products for v in product.variants for p in v.prices}
    found.discard(default)
    return sorted(found, key=lambda c: c.value)


def extra_attributes(products: Sequence[Product]) -> list[str]:
    """Attribute names other than those the Vendor and Type columns carry, sorted."""
    names: dict[str, str] = {}
    for product in products:
        for attribute in product.attributes:
            folded = attribute.name.casefold()
            if folded not in (VENDOR_ATTRIBUTE, TYPE_ATTRIBUTE):
                names.setdefault(folded, attribute.name)
    return sorted(names.values(), key=str.casefold)


def rows(
    products: Sequence[Product],
    stock: Mapping[str, int],
    dialect: Dialect,
    default: Currency,
) -> Iterator[list[str]]:
    """The header, then every product's rows, products in handle order."""
    ordered = sorted(products, key=lambda p: p.handle)
    currencies = extra_currencies(ordered, default)
    attributes = extra_attributes(ordered)
    columns = header(dialect, currencies, attributes)
    yield columns
    position = {name: i for i, name in enumerate(columns)}
    names = dict(HEADERS[dialect])
    for product in ordered:
        for cells in _product_rows(product, stock, default, currencies, attributes):
            row = [""] * len(columns)
            for key, value in cells.items():
                name = names[key] if isinstance(key, Field) else key
                row[position[name]] = value
            yield row


def write(
    out: TextIO,
    products: Sequence[Product],
    stock: Mapping[str, int],
    dialect: Dialect,
    default: Currency,
) -> int:
    """Write the CSV to ``out``; returns the number of rows after the header."""
    writer = csv.writer(out, lineterminator="\n")
    count = -1
    for row in rows(products, stock, dialect, default):
        writer.writerow(row)
        count += 1
    return count


def _product_rows(
    product: Product,
    stock: Mapping[str, int],
    default: Currency,
    currencies: Sequence[Currency],
    attributes: Sequence[str],
) -> Iterator[dict[Field | str, str]]:
    count = max(len(product.variants), len(product.images))
    option_names = _option_names(product)
    for index in range(count):
        cells: dict[Field | str, str] = {Field.HANDLE: product.handle}
        if index == 0:
            cells.update(_product_cells(product, attributes))
            for (name_field, _), name in zip(OPTION_FIELDS, option_names, strict=False):
                cells[name_field] = name
        if index < len(product.variants):
            cells.update(_variant_cells(product.variants[index], option_names, stock, default))
            for currency in currencies:
                price = product.variants[index].price_in(currency)
                cells[price_column(currency)] = _amount(price)
        if index < len(product.images):
            image = product.images[index]
            cells[Field.IMAGE_URL] = image.url
            cells[Field.IMAGE_POSITION] = str(index + 1)
            cells[Field.IMAGE_ALT] = image.alt_text
        yield cells


def _product_cells(product: Product, attributes: Sequence[str]) -> dict[Field | str, str]:
    cells: dict[Field | str, str] = {
        Field.TITLE: product.title,
        Field.BODY: product.description,
        Field.VENDOR: f"{VALUE_SEPARATOR} ".join(product.attribute(VENDOR_ATTRIBUTE)),
        Field.TYPE: f"{VALUE_SEPARATOR} ".join(product.attribute(TYPE_ATTRIBUTE)),
        Field.TAGS: ", ".join(product.tags),
        Field.PUBLISHED: _boolean(product.published),
        Field.STATUS: "active" if product.published else "draft",
        Field.GIFT_CARD: _boolean(False),
    }
    for name in attributes:
        cells[attribute_column(name)] = f"{VALUE_SEPARATOR} ".join(product.attribute(name))
    return cells


def _option_names(product: Product) -> list[str]:
    names: list[str] = []
    for variant in product.variants:
        for option in variant.options:
            if option.name not in names:
                names.append(option.name)
    return names[:3] if names else [DEFAULT_OPTION_NAME]


def _variant_cells(
    variant: Variant, option_names: list[str], stock: Mapping[str, int], default: Currency
) -> dict[Field | str, str]:
    cells: dict[Field | str, str] = {
        Field.SKU: variant.sku,
        Field.PRICE: _amount(variant.price_in(default)),
        Field.COST: _amount(
            variant.cost if variant.cost and variant.cost.currency is default else None
        ),
        Field.GRAMS: "" if variant.weight_grams is None else str(variant.weight_grams),
        Field.REQUIRES_SHIPPING: _boolean(variant.kind is VariantKind.PHYSICAL),
        Field.INVENTORY_QUANTITY: str(stock.get(variant.id, 0)) if variant.tracks_stock else "",
    }
    values = {o.name: o.value for o in variant.options}
    if not variant.options:
        cells[Field.OPTION1_VALUE] = DEFAULT_OPTION_VALUE
    for (_, value_field), name in zip(OPTION_FIELDS, option_names, strict=False):
        if name in values:
            cells[value_field] = values[name]
    return cells


def _amount(money: Money | None) -> str:
    return "" if money is None else str(money.to_decimal())


def _boolean(value: bool) -> str:
    return "TRUE" if value else "FALSE"
