"""What a catalog file says, after reading: plain frozen dataclasses, no I/O.

``None`` in an imported field means the file leaves it as it is: the column is absent,
or its cell blank. An import never clears a value or removes a variant.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from commerce.catalog.model import Attribute, Image, OptionValue, VariantKind
from commerce.catalog_exchange.columns import Dialect
from commerce.catalog_exchange.errors import CatalogImportErrorCode
from commerce.money import Currency, Money


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of a file, where staff find it: a line (1 is the header) and a column."""

    line: int
    column: str
    code: CatalogImportErrorCode
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.message} [{self.code.value}]"


@dataclass(frozen=True, slots=True)
class ImportedVariant:
    """A variant row: found again by SKU within its product."""

    line: int
    sku: str
    options: tuple[OptionValue, ...]
    prices: tuple[Money, ...]
    cost: Money | None
    weight_grams: int | None
    stock: int | None
    kind: VariantKind | None


@dataclass(frozen=True, slots=True)
class ImportedProduct:
    """The rows of one handle: the product's own fields come from its first row."""

    line: int
    handle: str
    title: str | None
    description: str | None
    tags: tuple[str, ...] | None
    published: bool | None
    attributes: tuple[Attribute, ...]
    images: tuple[Image, ...]
    variants: tuple[ImportedVariant, ...]
    gift_card: bool = False


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """A whole file read and checked on its own (before any storage is read)."""

    dialect: Dialect | None
    products: tuple[ImportedProduct, ...]
    errors: tuple[RowError, ...]
    rows: int
    currencies: tuple[Currency, ...] = ()
    ignored_columns: tuple[str, ...] = ()


class ProductOutcome(enum.Enum):
    """What an import does, or did, to one product."""

    CREATED = "CREATED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"
    SKIPPED = "SKIPPED"


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """Counts of an import (or of a dry run: what it would do), with its problems."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rows: int = 0
    errors: tuple[RowError, ...] = ()
    changes: tuple[str, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """True when the file was accepted (every product applied, or would be)."""
        return not self.errors
