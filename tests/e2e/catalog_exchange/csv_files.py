"""The catalog files the tests import, and reading CSV back for comparisons."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "catalog_csv"
# Shopify's product CSV template (current header dialect) and the same rows in the legacy one.
TEMPLATE = FIXTURES / "shopify_template.csv"
TEMPLATE_LEGACY = FIXTURES / "shopify_template_legacy.csv"
# A bookshop's file: prices in three currencies, digital variants, attribute columns.
BOOKSHOP = FIXTURES / "bookshop.csv"


def table(text: str) -> list[dict[str, str]]:
    """The rows of a CSV as dicts by column."""
    return list(csv.DictReader(io.StringIO(text)))


def normalised(rows: list[dict[str, str]], columns: list[str]) -> list[dict[str, str]]:
    """Rows restricted to ``columns``, with cells in one spelling: booleans upper case,
    amounts and numbers as decimals, statuses lower case."""
    return [{c: _normal(row.get(c) or "") for c in columns} for row in rows]


def _normal(cell: str) -> str:
    value = cell.strip()
    if value.casefold() in ("true", "false"):
        return value.upper()
    try:
        return str(Decimal(value).normalize()) if value else ""
    except InvalidOperation:
        return value
