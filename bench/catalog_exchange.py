"""Catalog import throughput: `python -m bench --only catalog-import [--products N]`.

Generates a Shopify product CSV (current dialect) of N products (10,000 by default), each
with two variants priced in USD and EUR and an image, and imports it with
``commerce catalog import``'s code into a fresh table on DynamoDB Local (in memory,
127.0.0.1): first into the empty catalog (every product created), then again (every
product unchanged: the file is read, checked and compared, nothing is written). A dry run
of a changed file is timed too. Figures, never asserts.
"""

from __future__ import annotations

import csv
import io
import time
import uuid

Row = tuple[str, str, str]
HEADER = [
    "Title",
    "URL handle",
    "Description",
    "Vendor",
    "Type",
    "Tags",
    "Published on online store",
    "Status",
    "SKU",
    "Option1 name",
    "Option1 value",
    "Price",
    "Price / EUR",
    "Inventory quantity",
    "Weight value (grams)",
    "Requires shipping",
    "Product image URL",
    "Image position",
]


def generated_file(products: int, price_cents: int = 1999) -> bytes:
    """A file of ``products`` products with two variants each (2 rows per product)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    price = f"{price_cents // 100}.{price_cents % 100:02d}"
    for n in range(products):
        handle = f"bench-book-{n:06d}"
        writer.writerow(
            [
                f"Bench Book {n}",
                handle,
                f"<p>Volume {n} of the benchmark shelf.</p>",
                f"Author {n % 97}",
                "Book",
                "bench, fiction",
                "TRUE",
                "active",
                f"BB{n:06d}-HC",
                "Format",
                "Hardcover",
                price,
                "18.50",
                str(n % 50),
                "450",
                "TRUE",
                f"https://images.example.com/{handle}.jpg",
                "1",
            ]
        )
        ebook = ["", handle, "", "", "", "", "", "", f"BB{n:06d}-EB", "", "E-book", "9.99", "8.99"]
        writer.writerow([*ebook, "", "", "FALSE", "", ""])
    return out.getvalue().encode("utf-8")


def catalog_import_rows(endpoint: str, products: int = 10_000) -> list[Row]:
    from commerce.composition import build_services
    from commerce.db.table import create_table_if_missing
    from commerce.settings import Settings

    services = build_services(
        Settings(table_name=f"bench-{uuid.uuid4().hex[:8]}", dynamodb_endpoint=endpoint)
    )
    create_table_if_missing()
    exchange = services.catalog_exchange
    data = generated_file(products)
    rows = products * 2
    rows_out: list[Row] = [
        (f"catalog file: {products} products, {rows} rows", f"{len(data) / 1e6:.1f} MB", "")
    ]

    def timed(label: str, source: bytes, *, dry_run: bool) -> None:
        started = time.perf_counter()
        summary = exchange.import_file(source, dry_run=dry_run, actor="bench")
        seconds = time.perf_counter() - started
        assert summary.ok, summary.errors[:3]
        counts = (
            f"{summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged"
        )
        rows_out.append((label, f"{rows / seconds:,.0f} rows/s", f"{seconds:.1f} s; {counts}"))

    timed("catalog import into an empty catalog", data, dry_run=False)
    timed("catalog import again, dry run (all unchanged)", data, dry_run=True)
    timed(
        "catalog import again, dry run of new prices", generated_file(products, 2099), dry_run=True
    )
    return rows_out
