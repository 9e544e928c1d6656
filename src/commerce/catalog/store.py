"""Catalog items in the single table, and the reads and writes the service needs.

Keys (see ``docs/data-model.md``):

- ``PRODUCT#<id> / PRODUCT``: the product with its variants (one item: read whole, written whole)
- ``PRODUCT#<id> / STOCK#<variant>``: stock of one physical variant, apart from the product so
  checkout can decrement it without rewriting the product
- ``COLLECTION#<id> / COLLECTION``: a collection
- ``HANDLE#PRODUCT#<handle> / HANDLE`` and ``HANDLE#COLLECTION#<handle> / HANDLE``: handle
  lookups, written in the same transaction as their owner, which makes handles unique
- ``SKU#<sku> / SKU``: SKU lookups, unique store-wide the same way
- ``PRODUCT#<id> / RATING``: the product's published review counts per star rating, changed
  by the reviews context through the service, in that context's own transaction
- GSI1 ``CATALOG / PRODUCT#<id> | COLLECTION#<id> | STOCK#<variant> | RATING#<id>``: the
  whole catalog, read (as sort-key ranges side by side) only where a snapshot is built,
  never on a request path
- ``CATALOG#SNAPSHOT / POINTER``: which published snapshot file is the newest; the one item
  instances read (one GetItem, throttled) to learn that the catalog changed
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import PutError
from pynamodb.expressions.update import Action

from commerce.catalog import key_ranges
from commerce.catalog.model import (
    Attribute,
    CatalogSnapshot,
    Collection,
    Image,
    OptionValue,
    Product,
    ProductRating,
    Variant,
    VariantKind,
)
from commerce.db.table import MAX_BATCH_GET_KEYS, TableItem
from commerce.db.writes import WriteSet
from commerce.money import Currency, Money

CATALOG_PARTITION = "CATALOG"


def product_pk(product_id: str) -> str:
    return f"PRODUCT#{product_id}"


def collection_pk(collection_id: str) -> str:
    return f"COLLECTION#{collection_id}"


def product_handle_pk(handle: str) -> str:
    return f"HANDLE#PRODUCT#{handle}"


def collection_handle_pk(handle: str) -> str:
    return f"HANDLE#COLLECTION#{handle}"


def sku_pk(sku: str) -> str:
    return f"SKU#{sku}"


def stock_sk(variant_id: str) -> str:
    return f"STOCK#{variant_id}"


class ProductItem(TableItem, discriminator="Product"):
    """A product and its variants, as one item."""

    product_id = UnicodeAttribute()
    handle = UnicodeAttribute()
    title = UnicodeAttribute()
    published = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    # Variants, attributes, images and memberships are read and written with the
    # product, never queried on their own: one JSON string is compact and fast.
    body = JSONAttribute()
    version = VersionAttribute()


class StockItem(TableItem, discriminator="Stock"):
    """Units of one physical variant available for sale."""

    product_id = UnicodeAttribute()
    variant_id = UnicodeAttribute()
    available = NumberAttribute(default=0)
    # The inventory movement that made the last change, so the events function can stamp
    # the level it left on that movement (the stream's new image has both).
    last_move = UnicodeAttribute(null=True)


class RatingItem(TableItem, discriminator="ProductRating"):
    """Published reviews of one product, counted per star rating (``stars_1`` .. ``stars_5``).

    Changed only with ADD in the transaction that changes a review's state, so the counts
    always equal what the reviews say (no read-modify-write to lose a race).
    """

    product_id = UnicodeAttribute()
    stars_1 = NumberAttribute(default=0)
    stars_2 = NumberAttribute(default=0)
    stars_3 = NumberAttribute(default=0)
    stars_4 = NumberAttribute(default=0)
    stars_5 = NumberAttribute(default=0)


RATING_SK = "RATING"


def _rating_of(item: RatingItem) -> ProductRating:
    return ProductRating(
        (
            int(item.stars_1 or 0),
            int(item.stars_2 or 0),
            int(item.stars_3 or 0),
            int(item.stars_4 or 0),
            int(item.stars_5 or 0),
        )
    )


class CollectionItem(TableItem, discriminator="Collection"):
    """A collection of products."""

    collection_id = UnicodeAttribute()
    handle = UnicodeAttribute()
    title = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    body = JSONAttribute()
    version = VersionAttribute()


class HandleItem(TableItem, discriminator="Handle"):
    """Which product or collection owns a handle."""

    owner_id = UnicodeAttribute()


class SkuItem(TableItem, discriminator="Sku"):
    """Which variant owns a SKU."""

    product_id = UnicodeAttribute()
    variant_id = UnicodeAttribute()


class SnapshotPointerItem(TableItem, discriminator="CatalogSnapshotPointer"):
    """The newest published catalog snapshot file, and when its read of the table began."""

    file_key = UnicodeAttribute()
    read_started = NumberAttribute()
    product_count = NumberAttribute()
    size_bytes = NumberAttribute()


SNAPSHOT_POINTER_PK = "CATALOG#SNAPSHOT"


@dataclass(frozen=True, slots=True)
class SnapshotPointer:
    """A published snapshot: its file, and the instant (microseconds) its read began.

    Every change written before ``read_started`` is in the file.
    """

    file_key: str
    read_started: int
    product_count: int
    size_bytes: int


@dataclass(frozen=True, slots=True)
class ProductRecord:
    """A product as stored: with its stock and the version an update must match."""

    product: Product
    stock: dict[str, int]
    version: int


@dataclass(frozen=True, slots=True)
class CollectionRecord:
    """A collection as stored, with the version an update must match."""

    collection: Collection
    version: int


# -- conversions ---------------------------------------------------------------------------


def _money_to_json(money: Money | None) -> list[Any] | None:
    return None if money is None else [money.amount, money.currency.value]


def _money_from_json(raw: list[Any] | None) -> Money | None:
    return None if raw is None else Money(int(raw[0]), Currency(raw[1]))


def _image_to_json(image: Image) -> dict[str, Any]:
    return {"url": image.url, "alt": image.alt_text, "w": image.width, "h": image.height}


def _image_from_json(raw: dict[str, Any]) -> Image:
    return Image(
        url=raw["url"], alt_text=raw.get("alt", ""), width=raw.get("w"), height=raw.get("h")
    )


def _variant_to_json(variant: Variant) -> dict[str, Any]:
    return {
        "id": variant.id,
        "sku": variant.sku,
        "options": [[o.name, o.value] for o in variant.options],
        "prices": {p.currency.value: p.amount for p in variant.prices},
        "kind": variant.kind.value,
        "cost": _money_to_json(variant.cost),
        "weight": variant.weight_grams,
        "asset": variant.asset_key,
    }


def _variant_from_json(raw: dict[str, Any]) -> Variant:
    return Variant(
        id=raw["id"],
        sku=raw["sku"],
        options=tuple(OptionValue(name, value) for name, value in raw["options"]),
        prices=tuple(Money(int(amount), Currency(code)) for code, amount in raw["prices"].items()),
        kind=VariantKind(raw["kind"]),
        cost=_money_from_json(raw.get("cost")),
        weight_grams=raw.get("weight"),
        asset_key=raw.get("asset"),
    )


def _product_item(product: Product) -> ProductItem:
    return ProductItem(
        pk=product_pk(product.id),
        sk="PRODUCT",
        gsi1pk=CATALOG_PARTITION,
        gsi1sk=product_pk(product.id),
        product_id=product.id,
        handle=product.handle,
        title=product.title,
        published=product.published,
        created_at=product.created_at,
        updated_at=product.updated_at,
        body={
            "description": product.description,
            "variants": [_variant_to_json(v) for v in product.variants],
            "attributes": [[a.name, list(a.values)] for a in product.attributes],
            "tags": list(product.tags),
            "images": [_image_to_json(i) for i in product.images],
            "collections": list(product.collection_ids),
        },
    )


def _product_from_item(item: ProductItem) -> Product:
    body = item.body
    return Product(
        id=item.product_id,
        handle=item.handle,
        title=item.title,
        description=body.get("description", ""),
        created_at=item.created_at,
        updated_at=item.updated_at,
        variants=tuple(_variant_from_json(v) for v in body.get("variants", [])),
        attributes=tuple(Attribute(n, tuple(vs)) for n, vs in body.get("attributes", [])),
        tags=tuple(body.get("tags", [])),
        images=tuple(_image_from_json(i) for i in body.get("images", [])),
        collection_ids=tuple(body.get("collections", [])),
        published=item.published,
    )


def _collection_item(collection: Collection) -> CollectionItem:
    return CollectionItem(
        pk=collection_pk(collection.id),
        sk="COLLECTION",
        gsi1pk=CATALOG_PARTITION,
        gsi1sk=collection_pk(collection.id),
        collection_id=collection.id,
        handle=collection.handle,
        title=collection.title,
        created_at=collection.created_at,
        updated_at=collection.updated_at,
        body={
            "description": collection.description,
            "image": None if collection.image is None else _image_to_json(collection.image),
        },
    )


def _collection_from_item(item: CollectionItem) -> Collection:
    image = item.body.get("image")
    return Collection(
        id=item.collection_id,
        handle=item.handle,
        title=item.title,
        description=item.body.get("description", ""),
        created_at=item.created_at,
        updated_at=item.updated_at,
        image=None if image is None else _image_from_json(image),
    )


def _stock_item(product_id: str, variant_id: str, available: int) -> StockItem:
    return StockItem(
        pk=product_pk(product_id),
        sk=stock_sk(variant_id),
        gsi1pk=CATALOG_PARTITION,
        gsi1sk=stock_sk(variant_id),
        product_id=product_id,
        variant_id=variant_id,
        available=available,
    )


def _handle_item(pk: str, owner_id: str) -> HandleItem:
    return HandleItem(pk=pk, sk="HANDLE", owner_id=owner_id)


def _sku_item(product_id: str, variant: Variant) -> SkuItem:
    return SkuItem(pk=sku_pk(variant.sku), sk="SKU", product_id=product_id, variant_id=variant.id)


# -- reads ---------------------------------------------------------------------------------


def load_snapshot() -> CatalogSnapshot:
    """Every product, collection and stock count: the GSI1 ``CATALOG`` partition, read as
    bounded sort-key ranges side by side (``catalog_items``)."""
    products: list[Product] = []
    collections: list[Collection] = []
    stock: dict[str, int] = {}
    ratings: dict[str, ProductRating] = {}
    for item in catalog_items():
        if isinstance(item, ProductItem):
            products.append(_product_from_item(item))
        elif isinstance(item, StockItem):
            stock[item.variant_id] = int(item.available)
        elif isinstance(item, CollectionItem):
            collections.append(_collection_from_item(item))
        elif isinstance(item, RatingItem):
            rating = _rating_of(item)
            if rating.count > 0:
                ratings[item.product_id] = rating
    return CatalogSnapshot(
        products=tuple(products), collections=tuple(collections), stock=stock, ratings=ratings
    )


# The kinds of item in the catalog partition, by their GSI1 sort-key prefix; each kind's
# keys are split on their own (ids of one kind cluster, the kinds lie far apart).
_CATALOG_KINDS = (collection_pk(""), product_pk(""), f"{RATING_SK}#", stock_sk(""))
# Ranges each kind starts as, and how many are read at once. A range that still has
# items after its first page is halved again at the page's end, so big catalogs end up
# in about page-sized ranges whatever these say.
_RANGES_PER_KIND = 16
_READERS = 8
_WRITERS = 2
_SORT_KEY = "GSI1SK"
# Items per page. Without a Limit, DynamoDB Local prices a page by the rest of its range
# (60,000 items: 9-12 s a page) but with one by the Limit (1,000 items: 0.7 s, 100:
# 0.03 s); on DynamoDB, 300 items of about 1 KB is a third of its own 1 MB page.
_PAGE_ITEMS: int | None = 300
# Pages read one after another before the rest is cut into ranges read side by side.
_SEQUENTIAL_PAGES = 4


@dataclass(frozen=True)
class _Range:
    """Catalog keys from ``low`` to ``high`` (both included unless dropped), read from
    ``start`` (a page's LastEvaluatedKey) when the range was read in part already."""

    low: str
    high: str
    drop_low: bool
    drop_high: bool
    start: dict[str, Any] | None = None


def _edge_key(prefix: str | None, *, first: bool) -> str | None:
    condition = None if prefix is None else TableItem.gsi1sk.startswith(prefix)
    query = TableItem.gsi1.query(CATALOG_PARTITION, condition, limit=1, scan_index_forward=first)
    item = next(iter(query), None)
    return None if item is None else str(item.gsi1sk)


def _initial_ranges(after: dict[str, Any] | None = None) -> list[_Range]:
    """The partition from its first key (or from ``after``, a page's LastEvaluatedKey) to
    its last, cut at each kind's first key and at even steps between each kind's first and
    last key (a few one-item Queries)."""
    last = _edge_key(None, first=False)
    first = _edge_key(None, first=True) if after is None else str(after[_SORT_KEY]["S"])
    if first is None or last is None:
        return []
    cuts: set[str] = set()
    for prefix in _CATALOG_KINDS:
        low, high = _edge_key(prefix, first=True), _edge_key(prefix, first=False)
        if low is None or high is None:
            continue
        cuts.update((low, *key_ranges.split_points(low, high, _RANGES_PER_KIND)))
    bounds = [first, *sorted(cut for cut in cuts if first < cut <= last)]
    if bounds[-1] != last:
        bounds.append(last)
    if len(bounds) == 1:
        return [_Range(first, last, drop_low=False, drop_high=False, start=after)]
    return [
        _Range(
            low,
            high,
            drop_low=False,
            drop_high=n < len(bounds) - 2,
            start=after if n == 0 else None,
        )
        for n, (low, high) in enumerate(pairwise(bounds))
    ]


def _first_pages() -> tuple[list[TableItem], dict[str, Any] | None]:
    """Up to ``_SEQUENTIAL_PAGES`` pages of the partition, one after another, and where
    they stopped (None: that was all of it). Most catalogs end here in a call or two; the
    ranges and their edge Queries are only worth it for a big one."""
    found: list[TableItem] = []
    start: dict[str, Any] | None = None
    for _ in range(_SEQUENTIAL_PAGES):
        query = TableItem.gsi1.query(
            CATALOG_PARTITION, last_evaluated_key=start, page_size=_PAGE_ITEMS
        )
        page = next(query.page_iter)
        found.extend(TableItem.from_raw_data(raw) for raw in page.get("Items", []))
        start = query.page_iter.last_evaluated_key
        if start is None:
            return found, None
    return found, start


def _read_page(part: _Range) -> tuple[list[TableItem], list[_Range]]:
    """One page of ``part``, and what of it is left, halved when it can be."""
    query = TableItem.gsi1.query(
        CATALOG_PARTITION,
        TableItem.gsi1sk.between(part.low, part.high),
        last_evaluated_key=part.start,
        page_size=_PAGE_ITEMS,
    )
    page = next(query.page_iter)
    items = [
        TableItem.from_raw_data(raw)
        for raw in page.get("Items", [])
        if not (part.drop_low and raw[_SORT_KEY]["S"] == part.low)
        and not (part.drop_high and raw[_SORT_KEY]["S"] == part.high)
    ]
    left = query.page_iter.last_evaluated_key
    if left is None:
        return items, []
    reached = str(left[_SORT_KEY]["S"])
    middle = key_ranges.midpoint(reached, part.high)
    if middle is None:
        return items, [_Range(part.low, part.high, part.drop_low, part.drop_high, left)]
    return items, [
        _Range(reached, middle, drop_low=False, drop_high=False, start=left),
        _Range(middle, part.high, drop_low=True, drop_high=part.drop_high),
    ]


def catalog_items() -> list[TableItem]:
    """Every item of the GSI1 ``CATALOG`` partition, in sort-key order.

    The first ``_SEQUENTIAL_PAGES`` pages are read in turn; what is left of a bigger
    catalog is read as bounded ranges, ``_READERS`` at a time, in pages of ``_PAGE_ITEMS``: one
    Query paginated through the whole partition without a Limit costs, on DynamoDB Local,
    the rest of the partition per page (100,000 products did not finish in 50 minutes);
    a page with a Limit costs the Limit, and on DynamoDB the ranges overlap instead of
    waiting for each other.
    """
    found, stopped = _first_pages()
    if stopped is not None or _SEQUENTIAL_PAGES == 0:
        with ThreadPoolExecutor(max_workers=_READERS, thread_name_prefix="catalog-read") as pool:
            pending = {pool.submit(_read_page, part) for part in _initial_ranges(stopped)}
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    items, left = future.result()
                    found.extend(items)
                    pending.update(pool.submit(_read_page, part) for part in left)
    found.sort(key=lambda item: (str(item.gsi1sk), str(item.pk), str(item.sk)))
    return found


def get_snapshot_pointer() -> SnapshotPointer | None:
    """The newest published snapshot (one strongly consistent GetItem); None before the first."""
    try:
        item = SnapshotPointerItem.get(SNAPSHOT_POINTER_PK, "POINTER", consistent_read=True)
    except SnapshotPointerItem.DoesNotExist:
        return None
    return SnapshotPointer(
        file_key=str(item.file_key),
        read_started=int(item.read_started),
        product_count=int(item.product_count),
        size_bytes=int(item.size_bytes),
    )


def publish_snapshot_pointer(pointer: SnapshotPointer) -> bool:
    """Point instances at ``pointer``'s file unless a snapshot whose read began later is
    already published (two builders racing: the newer read wins, whatever finishes first).
    """
    item = SnapshotPointerItem(
        pk=SNAPSHOT_POINTER_PK,
        sk="POINTER",
        file_key=pointer.file_key,
        read_started=pointer.read_started,
        product_count=pointer.product_count,
        size_bytes=pointer.size_bytes,
    )
    try:
        item.save(
            condition=SnapshotPointerItem.pk.does_not_exist()
            | (SnapshotPointerItem.read_started < pointer.read_started)
        )
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def get_product_record(product_id: str) -> ProductRecord | None:
    """The product with its stock, from one strongly consistent Query of its partition."""
    product: ProductItem | None = None
    stock: dict[str, int] = {}
    for item in TableItem.query(product_pk(product_id), consistent_read=True):
        if isinstance(item, ProductItem):
            product = item
        elif isinstance(item, StockItem):
            stock[item.variant_id] = int(item.available)
    if product is None:
        return None
    return ProductRecord(_product_from_item(product), stock, int(product.version or 0))


def product_id_for_handle(handle: str) -> str | None:
    """The id of the product that owns ``handle``."""
    try:
        item = HandleItem.get(product_handle_pk(handle), "HANDLE")
    except HandleItem.DoesNotExist:
        return None
    return str(item.owner_id)


def collection_id_for_handle(handle: str) -> str | None:
    """The id of the collection that owns ``handle``."""
    try:
        item = HandleItem.get(collection_handle_pk(handle), "HANDLE")
    except HandleItem.DoesNotExist:
        return None
    return str(item.owner_id)


def get_products(product_ids: Sequence[str]) -> dict[str, Product]:
    """Products by id through BatchGetItem (100 keys a call); missing ids are absent."""
    found: dict[str, Product] = {}
    keys = [(product_pk(pid), "PRODUCT") for pid in dict.fromkeys(product_ids)]
    for start in range(0, len(keys), MAX_BATCH_GET_KEYS):
        for item in ProductItem.batch_get(keys[start : start + MAX_BATCH_GET_KEYS]):
            found[item.product_id] = _product_from_item(item)
    return found


def get_stock(variants: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Stock by variant id for (product id, variant id) pairs, through BatchGetItem."""
    keys = [(product_pk(pid), stock_sk(vid)) for pid, vid in dict.fromkeys(variants)]
    found: dict[str, int] = {}
    for start in range(0, len(keys), MAX_BATCH_GET_KEYS):
        for item in StockItem.batch_get(keys[start : start + MAX_BATCH_GET_KEYS]):
            found[item.variant_id] = int(item.available)
    return found


def existing_collection_ids(collection_ids: Sequence[str]) -> set[str]:
    """Which of these collections exist, through BatchGetItem."""
    keys = [(collection_pk(cid), "COLLECTION") for cid in dict.fromkeys(collection_ids)]
    found: set[str] = set()
    for start in range(0, len(keys), MAX_BATCH_GET_KEYS):
        for item in CollectionItem.batch_get(keys[start : start + MAX_BATCH_GET_KEYS]):
            found.add(item.collection_id)
    return found


def get_collection_record(collection_id: str) -> CollectionRecord | None:
    """A collection by id, strongly consistent."""
    try:
        item = CollectionItem.get(collection_pk(collection_id), "COLLECTION", consistent_read=True)
    except CollectionItem.DoesNotExist:
        return None
    return CollectionRecord(_collection_from_item(item), int(item.version or 0))


# -- writes --------------------------------------------------------------------------------
# Failed conditions come back as ConditionsFailed with these labels.
HANDLE_TAKEN = "handle"
PRODUCT_CHANGED = "product"
COLLECTION_CHANGED = "collection"


def sku_label(sku: str) -> str:
    return f"sku:{sku}"


def insert_product(product: Product, stock: dict[str, int]) -> None:
    """Create a product with its handle, SKUs and stock items, or nothing at all."""
    writes = WriteSet()
    item = _product_item(product)
    writes.put(item, ProductItem.pk.does_not_exist(), PRODUCT_CHANGED)
    writes.put(
        _handle_item(product_handle_pk(product.handle), product.id),
        HandleItem.pk.does_not_exist(),
        HANDLE_TAKEN,
    )
    for variant in product.variants:
        writes.put(
            _sku_item(product.id, variant), SkuItem.pk.does_not_exist(), sku_label(variant.sku)
        )
        if variant.tracks_stock:
            writes.put(_stock_item(product.id, variant.id, stock.get(variant.id, 0)))
    writes.commit()


def insert_products_in_bulk(products: Sequence[tuple[Product, dict[str, int]]]) -> None:
    """Write many new products with their handles, SKUs and stock through BatchWriteItem.

    For importing into a catalog known not to hold these handles or SKUs (the caller
    checks them against each other): BatchWriteItem takes no conditions, and is not
    atomic. What one transaction per product would take an hour for, this does in minutes;
    ``_WRITERS`` writers side by side (each its own run of BatchWriteItem calls) cut that
    again, since each call mostly waits on the table. (More did not help on DynamoDB
    Local's on-disk store, which takes one write at a time, and they then waited past the
    read timeout.)
    """
    share = -(-len(products) // _WRITERS) or 1
    with ThreadPoolExecutor(max_workers=_WRITERS, thread_name_prefix="catalog-write") as pool:
        parts = [products[start : start + share] for start in range(0, len(products), share)]
        for done in [pool.submit(_write_in_batches, part) for part in parts]:
            done.result()


def _write_in_batches(products: Sequence[tuple[Product, dict[str, int]]]) -> None:
    with TableItem.batch_write() as batch:
        for product, stock in products:
            batch.save(_product_item(product))
            batch.save(_handle_item(product_handle_pk(product.handle), product.id))
            for variant in product.variants:
                batch.save(_sku_item(product.id, variant))
                if variant.tracks_stock:
                    batch.save(_stock_item(product.id, variant.id, stock.get(variant.id, 0)))


def replace_product(old: ProductRecord, new: Product, new_stock: dict[str, int]) -> None:
    """Write ``new`` over ``old`` if nobody changed it meanwhile, moving handle and SKUs.

    ``new_stock`` holds stock for variants that start tracking stock in this change.
    """
    writes = WriteSet()
    item = _product_item(new)
    item.version = old.version
    writes.put(item, label=PRODUCT_CHANGED)
    before = old.product
    if new.handle != before.handle:
        writes.delete(_handle_item(product_handle_pk(before.handle), before.id))
        writes.put(
            _handle_item(product_handle_pk(new.handle), new.id),
            HandleItem.pk.does_not_exist(),
            HANDLE_TAKEN,
        )
    old_variants = {v.id: v for v in before.variants}
    new_variants = {v.id: v for v in new.variants}
    for variant_id, variant in old_variants.items():
        kept = new_variants.get(variant_id)
        if kept is None or kept.sku != variant.sku:
            writes.delete(_sku_item(before.id, variant))
        if variant.tracks_stock and (kept is None or not kept.tracks_stock):
            writes.delete(_stock_item(before.id, variant_id, 0))
    for variant_id, variant in new_variants.items():
        previous = old_variants.get(variant_id)
        if previous is None or previous.sku != variant.sku:
            writes.put(
                _sku_item(new.id, variant), SkuItem.pk.does_not_exist(), sku_label(variant.sku)
            )
        if variant.tracks_stock and (previous is None or not previous.tracks_stock):
            writes.put(
                _stock_item(new.id, variant_id, new_stock.get(variant_id, 0)),
                StockItem.pk.does_not_exist(),
            )
    writes.commit()


def replace_products(records: Sequence[tuple[ProductRecord, Product]]) -> None:
    """Rewrite several products at once (same handles and SKUs), each version-checked."""
    writes = WriteSet()
    for old, new in records:
        item = _product_item(new)
        item.version = old.version
        writes.put(item, label=f"{PRODUCT_CHANGED}:{new.id}")
    writes.commit()


def delete_product(record: ProductRecord) -> None:
    """Remove a product with its handle, SKUs and stock, if unchanged since read."""
    product = record.product
    writes = WriteSet()
    item = _product_item(product)
    item.version = record.version
    writes.delete(item, label=PRODUCT_CHANGED)
    writes.delete(_handle_item(product_handle_pk(product.handle), product.id))
    for variant in product.variants:
        writes.delete(_sku_item(product.id, variant))
        if variant.tracks_stock:
            writes.delete(_stock_item(product.id, variant.id, 0))
    writes.commit()


def insert_collection(collection: Collection) -> None:
    """Create a collection and claim its handle, or nothing at all."""
    writes = WriteSet()
    writes.put(_collection_item(collection), CollectionItem.pk.does_not_exist(), COLLECTION_CHANGED)
    writes.put(
        _handle_item(collection_handle_pk(collection.handle), collection.id),
        HandleItem.pk.does_not_exist(),
        HANDLE_TAKEN,
    )
    writes.commit()


def replace_collection(old: CollectionRecord, new: Collection) -> None:
    """Write ``new`` over ``old`` if unchanged meanwhile, moving its handle."""
    writes = WriteSet()
    item = _collection_item(new)
    item.version = old.version
    writes.put(item, label=COLLECTION_CHANGED)
    if new.handle != old.collection.handle:
        writes.delete(_handle_item(collection_handle_pk(old.collection.handle), new.id))
        writes.put(
            _handle_item(collection_handle_pk(new.handle), new.id),
            HandleItem.pk.does_not_exist(),
            HANDLE_TAKEN,
        )
    writes.commit()


def delete_collection(record: CollectionRecord) -> None:
    """Remove a collection and free its handle, if unchanged since read."""
    writes = WriteSet()
    item = _collection_item(record.collection)
    item.version = record.version
    writes.delete(item, label=COLLECTION_CHANGED)
    writes.delete(
        _handle_item(collection_handle_pk(record.collection.handle), record.collection.id)
    )
    writes.commit()


# -- stock counters: the level inventory changes, in the caller's unit of work --------------


def _stock_counter(product_id: str, variant_id: str) -> StockItem:
    """The counter's key alone, for updates that must not touch its other attributes."""
    return StockItem(pk=product_pk(product_id), sk=stock_sk(variant_id))


def get_stock_level(product_id: str, variant_id: str) -> int | None:
    """A variant's count now (strongly consistent); None when it has no counter."""
    try:
        item = StockItem.get(product_pk(product_id), stock_sk(variant_id), consistent_read=True)
    except StockItem.DoesNotExist:
        return None
    return int(item.available)


def add_stock_swap(
    writes: WriteSet,
    product_id: str,
    variant_id: str,
    *,
    previous: int | None,
    available: int,
    label: str,
    movement: str | None = None,
) -> None:
    """Move a count from ``previous`` (None: no counter yet) to ``available``.

    A compare-and-swap: a checkout that took a unit meanwhile fails the ``label``
    condition rather than having its sale silently undone.
    """
    if previous is None:
        # A physical variant always has a counter; one missing is made here, as on creation.
        item = _stock_item(product_id, variant_id, available)
        item.last_move = movement
        writes.put(item, StockItem.pk.does_not_exist(), label=label)
        return
    writes.update(
        _stock_counter(product_id, variant_id),
        [StockItem.available.set(available), *_moved_by(movement)],
        StockItem.pk.exists() & (StockItem.available == previous),
        label=label,
    )


def _moved_by(movement: str | None) -> list[Action]:
    return [] if movement is None else [StockItem.last_move.set(movement)]


def add_stock_take(
    writes: WriteSet,
    product_id: str,
    variant_id: str,
    quantity: int,
    label: str,
    *,
    movement: str | None = None,
) -> None:
    """Decrement a count by ``quantity``, on condition that many are available."""
    writes.update(
        _stock_counter(product_id, variant_id),
        [StockItem.available.add(-quantity), *_moved_by(movement)],
        StockItem.pk.exists() & (StockItem.available >= quantity),
        label=label,
    )


def add_stock_return(
    writes: WriteSet,
    product_id: str,
    variant_id: str,
    quantity: int,
    label: str,
    *,
    movement: str | None = None,
) -> None:
    """Increment a count; a counter that no longer exists (variant deleted) fails ``label``."""
    writes.update(
        _stock_counter(product_id, variant_id),
        [StockItem.available.add(quantity), *_moved_by(movement)],
        StockItem.pk.exists(),
        label=label,
    )


# -- rating counts: the reviews context changes them, in its unit of work -------------------


def add_rating_change(writes: WriteSet, product_id: str, deltas: Sequence[int]) -> None:
    """Add ``deltas`` (one per star rating, 1 to 5) to the product's counts.

    One UpdateItem with ADD, which creates the item on its first review: the index keys
    are set every time so the whole-catalog Query finds it.
    """
    item = RatingItem(pk=product_pk(product_id), sk=RATING_SK)
    stars = (
        RatingItem.stars_1,
        RatingItem.stars_2,
        RatingItem.stars_3,
        RatingItem.stars_4,
        RatingItem.stars_5,
    )
    actions: list[Any] = [
        RatingItem.entity.set(RatingItem),
        RatingItem.product_id.set(product_id),
        RatingItem.gsi1pk.set(CATALOG_PARTITION),
        RatingItem.gsi1sk.set(f"{RATING_SK}#{product_id}"),
    ]
    actions += [attribute.add(delta) for attribute, delta in zip(stars, deltas, strict=True)]
    writes.update(item, actions)


def get_ratings(product_ids: Sequence[str]) -> dict[str, ProductRating]:
    """The counts of these products now (strongly consistent BatchGetItem, 100 a call)."""
    keys = [(product_pk(pid), RATING_SK) for pid in dict.fromkeys(product_ids)]
    found: dict[str, ProductRating] = {}
    for start in range(0, len(keys), MAX_BATCH_GET_KEYS):
        chunk = keys[start : start + MAX_BATCH_GET_KEYS]
        for item in RatingItem.batch_get(chunk, consistent_read=True):
            if isinstance(item, RatingItem):
                found[item.product_id] = _rating_of(item)
    return found


def catalog_is_empty() -> bool:
    """Whether no product exists yet (the seed command only fills an empty catalog)."""
    return next(iter(TableItem.gsi1.query(CATALOG_PARTITION, limit=1)), None) is None


# -- bulk lookups, for catalog files (catalog_exchange) ------------------------------------


def product_ids_for_handles(handles: Sequence[str]) -> dict[str, str]:
    """Product id by handle for the handles that have one, through BatchGetItem."""
    keys = [(product_handle_pk(h), "HANDLE") for h in dict.fromkeys(handles)]
    found: dict[str, str] = {}
    for start in range(0, len(keys), MAX_BATCH_GET_KEYS):
        for item in HandleItem.batch_get(keys[start : start + MAX_BATCH_GET_KEYS]):
            found[str(item.pk).removeprefix(product_handle_pk(""))] = str(item.owner_id)
    return found


def product_ids_for_skus(skus: Sequence[str]) -> dict[str, str]:
    """The id of the product owning each SKU that is in use, through BatchGetItem."""
    keys = [(sku_pk(s), "SKU") for s in dict.fromkeys(skus)]
    found: dict[str, str] = {}
    for start in range(0, len(keys), MAX_BATCH_GET_KEYS):
        for item in SkuItem.batch_get(keys[start : start + MAX_BATCH_GET_KEYS]):
            found[str(item.pk).removeprefix(sku_pk(""))] = str(item.product_id)
    return found


def any_product_exists() -> bool:
    """Whether the catalog holds a product (collections aside)."""
    first = TableItem.gsi1.query(
        CATALOG_PARTITION, TableItem.gsi1sk.startswith(product_pk("")), limit=1
    )
    return next(iter(first), None) is not None
