"""The columns of Shopify's product CSV, in its two header dialects.

Shopify's current template names its columns "URL handle", "SKU", "Option1 name"...; files
exported before 2024 (and many tools still) use the legacy names "Handle", "Variant SKU",
"Option1 Name"... Both describe the same fields, so a file is read by mapping its header
onto one set of ``Field``s; the dialect is told by the handle column's name. Names match
case-insensitively, since the dialects differ mostly by case.

Prices in currencies other than the shop's default have no column in Shopify's template
(its "Price / International" is one price for every market). This project's convention,
in both dialects: ``Price / EUR``, one column per ISO currency code. Catalog attributes
other than the author (Vendor) and type (Type) travel as ``Attribute / <name>``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from commerce.money import Currency


class Dialect(enum.Enum):
    """Which of Shopify's two header vocabularies a file uses."""

    CURRENT = "current"
    LEGACY = "legacy"


class Field(enum.Enum):
    """A column the catalog maps, whatever the dialect calls it."""

    HANDLE = "handle"
    TITLE = "title"
    BODY = "body"
    VENDOR = "vendor"
    TYPE = "type"
    TAGS = "tags"
    PUBLISHED = "published"
    STATUS = "status"
    SKU = "sku"
    OPTION1_NAME = "option1 name"
    OPTION1_VALUE = "option1 value"
    OPTION2_NAME = "option2 name"
    OPTION2_VALUE = "option2 value"
    OPTION3_NAME = "option3 name"
    OPTION3_VALUE = "option3 value"
    PRICE = "price"
    COST = "cost"
    INVENTORY_QUANTITY = "inventory quantity"
    GRAMS = "grams"
    REQUIRES_SHIPPING = "requires shipping"
    IMAGE_URL = "image url"
    IMAGE_POSITION = "image position"
    IMAGE_ALT = "image alt"
    GIFT_CARD = "gift card"


OPTION_FIELDS = (
    (Field.OPTION1_NAME, Field.OPTION1_VALUE),
    (Field.OPTION2_NAME, Field.OPTION2_VALUE),
    (Field.OPTION3_NAME, Field.OPTION3_VALUE),
)

# Header names in the order each template lists them (the export writes this order).
_CURRENT: tuple[tuple[Field, str], ...] = (
    (Field.TITLE, "Title"),
    (Field.HANDLE, "URL handle"),
    (Field.BODY, "Description"),
    (Field.VENDOR, "Vendor"),
    (Field.TYPE, "Type"),
    (Field.TAGS, "Tags"),
    (Field.PUBLISHED, "Published on online store"),
    (Field.STATUS, "Status"),
    (Field.SKU, "SKU"),
    (Field.OPTION1_NAME, "Option1 name"),
    (Field.OPTION1_VALUE, "Option1 value"),
    (Field.OPTION2_NAME, "Option2 name"),
    (Field.OPTION2_VALUE, "Option2 value"),
    (Field.OPTION3_NAME, "Option3 name"),
    (Field.OPTION3_VALUE, "Option3 value"),
    (Field.PRICE, "Price"),
    (Field.COST, "Cost per item"),
    (Field.INVENTORY_QUANTITY, "Inventory quantity"),
    (Field.GRAMS, "Weight value (grams)"),
    (Field.REQUIRES_SHIPPING, "Requires shipping"),
    (Field.IMAGE_URL, "Product image URL"),
    (Field.IMAGE_POSITION, "Image position"),
    (Field.IMAGE_ALT, "Image alt text"),
    (Field.GIFT_CARD, "Gift card"),
)
_LEGACY: tuple[tuple[Field, str], ...] = (
    (Field.HANDLE, "Handle"),
    (Field.TITLE, "Title"),
    (Field.BODY, "Body (HTML)"),
    (Field.VENDOR, "Vendor"),
    (Field.TYPE, "Type"),
    (Field.TAGS, "Tags"),
    (Field.PUBLISHED, "Published"),
    (Field.OPTION1_NAME, "Option1 Name"),
    (Field.OPTION1_VALUE, "Option1 Value"),
    (Field.OPTION2_NAME, "Option2 Name"),
    (Field.OPTION2_VALUE, "Option2 Value"),
    (Field.OPTION3_NAME, "Option3 Name"),
    (Field.OPTION3_VALUE, "Option3 Value"),
    (Field.SKU, "Variant SKU"),
    (Field.GRAMS, "Variant Grams"),
    (Field.INVENTORY_QUANTITY, "Variant Inventory Qty"),
    (Field.PRICE, "Variant Price"),
    (Field.REQUIRES_SHIPPING, "Variant Requires Shipping"),
    (Field.IMAGE_URL, "Image Src"),
    (Field.IMAGE_POSITION, "Image Position"),
    (Field.IMAGE_ALT, "Image Alt Text"),
    (Field.GIFT_CARD, "Gift Card"),
    (Field.COST, "Cost per item"),
    (Field.STATUS, "Status"),
)
HEADERS: dict[Dialect, tuple[tuple[Field, str], ...]] = {
    Dialect.CURRENT: _CURRENT,
    Dialect.LEGACY: _LEGACY,
}

PRICE_PREFIX = "Price / "
ATTRIBUTE_PREFIX = "Attribute / "
# The catalog's attributes that Shopify's own columns carry.
VENDOR_ATTRIBUTE = "author"
TYPE_ATTRIBUTE = "type"
# Several values of one attribute (co-authors) share a cell, separated by this.
VALUE_SEPARATOR = ";"
# Shopify's stand-in for a product without options: one variant titled "Default Title".
DEFAULT_OPTION_NAME = "Title"
DEFAULT_OPTION_VALUE = "Default Title"


def column_name(dialect: Dialect, field: Field) -> str:
    """The header ``dialect`` gives ``field``."""
    return next(name for f, name in HEADERS[dialect] if f is field)


def price_column(currency: Currency) -> str:
    """The column of a variant's price in a currency other than the default one."""
    return f"{PRICE_PREFIX}{currency.value}"


def attribute_column(name: str) -> str:
    """The column of one catalog attribute (series, language, ...)."""
    return f"{ATTRIBUTE_PREFIX}{name}"


def detect_dialect(header: list[str]) -> Dialect | None:
    """The dialect a header row is written in: told by its handle column; None if neither."""
    names = {cell.strip().casefold() for cell in header}
    if "url handle" in names:
        return Dialect.CURRENT
    if "handle" in names:
        return Dialect.LEGACY
    return None


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each mapped column sits in one file's header."""

    dialect: Dialect
    fields: dict[Field, int]
    prices: dict[Currency, int]
    attributes: dict[str, int]
    ignored: tuple[str, ...]

    def name_of(self, field: Field) -> str:
        """The column's name as this dialect writes it (for error reports)."""
        return column_name(self.dialect, field)
