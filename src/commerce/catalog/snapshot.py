"""The published catalog snapshot: a listing index in a compact file, loaded in a blink.

A snapshot is built where the catalog changes, off the request path (see
``docs/decisions/0012-catalog-at-scale.md``), and every instance loads it. Loading must
stay well under a second for 100,000 products, so the file holds the index itself,
not products to index again: the sort orders and ranks as raw 32-bit arrays, posting
lists as plain lists (made sets on first use, ``listing.Postings``), and each product as
its own small MessagePack record, decoded only when a request shows it.

The format is versioned (``FORMAT``); a loader refuses a format it does not know
rather than guessing, and keeps serving the view it has.
"""

from __future__ import annotations

import sys
import threading
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, overload

import msgpack

from commerce.catalog.listing import (
    CatalogView,
    ListingIndex,
    OrderKey,
    Postings,
    ProductSort,
    Ragged,
    build_index,
    rating_columns,
    rating_key,
    view_of,
)
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
from commerce.money import Currency, Money

FORMAT = 1

# Products decoded and kept per loaded view; a page shows at most a few hundred, and
# the busiest pages stay decoded. Past this the cache starts over (memory stays bounded).
DECODED_PRODUCTS_KEPT = 20_000

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
K = TypeVar("K")
_ATTRIBUTE_SEPARATOR = "\x00"


class SnapshotFormatError(ValueError):
    """A snapshot file this code cannot read (another format, or damaged)."""


def encode(snapshot: CatalogSnapshot, built_at: datetime) -> bytes:
    """The snapshot and its listing index as one file."""
    return encode_index(snapshot, build_index(snapshot), built_at)


def encode_index(snapshot: CatalogSnapshot, index: ListingIndex, built_at: datetime) -> bytes:
    """The snapshot with its already built listing index, as one file."""
    records = [msgpack.packb(_product_record(p)) for p in snapshot.products]
    stock = sorted(snapshot.stock.items())
    document = {
        "format": FORMAT,
        "built_at": _micros(built_at),
        "collections": [_collection_record(c) for c in snapshot.collections],
        "stock": [[variant_id for variant_id, _ in stock], _int32_bytes([n for _, n in stock])],
        "products": [b"".join(records), _int32_bytes(_offsets(records))],
        "ids": list(index.ids),
        "handles": list(index.handles),
        "id_order": _int32_bytes(index.id_order),
        "handle_order": _int32_bytes(index.handle_order),
        "titles": list(index.titles),
        "created": list(index.created),
        "published": _int32_bytes(sorted(index.published)),
        "available": _int32_bytes(sorted(index.available)),
        "by_collection": _postings_out(index.by_collection, str),
        "by_attribute": _postings_out(index.by_attribute, _ATTRIBUTE_SEPARATOR.join),
        "postings": _postings_out(index.postings, str),
        "title_postings": _postings_out(index.title_postings, str),
        "prices": {c.value: _ragged_out(amounts) for c, amounts in index.prices.items()},
        # Review counts: ids, then five counts (1 to 5 stars) per rated product.
        "ratings": [
            list(snapshot.ratings),
            _int32_bytes([n for r in snapshot.ratings.values() for n in r.distribution]),
        ],
        "rating_tenths": _int32_bytes(index.rating_tenths),
        "rating_counts": _int32_bytes(index.rating_counts),
        "orders": {_order_name(k): _int32_bytes(v) for k, v in index.orders.items()},
        "ranks": {_order_name(k): _int32_bytes(v) for k, v in index.ranks.items()},
    }
    # Not compressed: inflating costs more at load than the bytes saved on the wire.
    return bytes(msgpack.packb(document))


def decode(data: bytes, version: str) -> CatalogView:
    """The view a snapshot file holds; ``SnapshotFormatError`` when it cannot be read."""
    try:
        document = msgpack.unpackb(data)
    except (ValueError, msgpack.UnpackException) as exc:
        raise SnapshotFormatError("the catalog snapshot is damaged") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else None
        raise SnapshotFormatError(f"catalog snapshot format {found!r} is not {FORMAT}")
    try:
        return _view(document, version)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise SnapshotFormatError("the catalog snapshot is incomplete") from exc


def _view(document: dict[str, Any], version: str) -> CatalogView:
    blob, offsets = document["products"]
    products = LazyProducts(blob, _int32_array(offsets))
    terms = _postings_in(document["postings"], str)
    title_terms = _postings_in(document["title_postings"], str)
    index = ListingIndex(
        products=products,
        ids=document["ids"],
        handles=document["handles"],
        id_order=_int32_array(document["id_order"]),
        handle_order=_int32_array(document["handle_order"]),
        titles=document["titles"],
        created=document["created"],
        published=frozenset(_int32_array(document["published"])),
        available=frozenset(_int32_array(document["available"])),
        by_collection=_postings_in(document["by_collection"], str),
        by_attribute=_postings_in(document["by_attribute"], _attribute_key),
        postings=terms,
        vocabulary=terms.keys_in_order,
        title_postings=title_terms,
        title_vocabulary=title_terms.keys_in_order,
        prices={Currency(code): _ragged_in(raw) for code, raw in document["prices"].items()},
        rating_tenths=_int32_array(document.get("rating_tenths", b"")),
        rating_counts=_int32_array(document.get("rating_counts", b"")),
        orders={_order_key(k): _int32_array(v) for k, v in document["orders"].items()},
        ranks={_order_key(k): _int32_array(v) for k, v in document["ranks"].items()},
    )
    if len(index.ids) != len(products) or len(index.handles) != len(products):
        raise ValueError("columns of different lengths")
    variant_ids, counts = document["stock"]
    snapshot = CatalogSnapshot(
        products=products,
        collections=tuple(_collection_from_record(r) for r in document["collections"]),
        stock=dict(zip(variant_ids, _int32_array(counts), strict=True)),
        ratings=_ratings_in(document.get("ratings")),
    )
    if "rating_tenths" not in document:
        index = _with_rating_columns(index, snapshot)
    return view_of(snapshot, index, version)


def _ratings_in(raw: list[Any] | None) -> dict[str, ProductRating]:
    if raw is None:  # a file written before ratings: no product has any
        return {}
    ids, flat = raw[0], _int32_array(raw[1])
    if len(flat) != 5 * len(ids):
        raise ValueError("rating columns of different lengths")
    return {
        pid: ProductRating(
            (flat[5 * i], flat[5 * i + 1], flat[5 * i + 2], flat[5 * i + 3], flat[5 * i + 4])
        )
        for i, pid in enumerate(ids)
    }


def _with_rating_columns(index: ListingIndex, snapshot: CatalogSnapshot) -> ListingIndex:
    """A file written before ratings loads with every product unrated, sorted by id in
    the rating order, so instances keep serving it while a new snapshot is published."""
    tenths, counts = rating_columns(snapshot)
    key = rating_key(index.ids, tenths, counts)
    forward = sorted(range(len(index.ids)), key=key)
    orders = dict(index.orders)
    ranks = dict(index.ranks)
    # Every product is unrated: one group, so the reversed order is the list reversed.
    for reverse, order in ((False, forward), (True, forward[::-1])):
        orders[ProductSort.RATING, None, reverse] = array("i", order)
        placed = array("i", bytes(4 * len(order)))
        for rank, position in enumerate(order):
            placed[position] = rank
        ranks[ProductSort.RATING, None, reverse] = placed
    return replace(index, rating_tenths=tenths, rating_counts=counts, orders=orders, ranks=ranks)


def _attribute_key(raw: str) -> tuple[str, str]:
    name, value = raw.split(_ATTRIBUTE_SEPARATOR, 1)
    return (name, value)


def _offsets(records: Sequence[bytes]) -> list[int]:
    offsets, total = [0], 0
    for record in records:
        total += len(record)
        offsets.append(total)
    return offsets


def _ragged_out(ragged: Ragged) -> list[bytes]:
    return [_int32_bytes(ragged.values), _int32_bytes(ragged.offsets)]


def _ragged_in(raw: list[bytes]) -> Ragged:
    return Ragged(_int32_array(raw[0]), _int32_array(raw[1]))


def _postings_out(postings: Postings[K], name: Callable[[K], str]) -> list[Any]:
    return [[name(k) for k in postings.keys_in_order], _ragged_out(postings.lists)]


def _postings_in(raw: list[Any], key: Callable[[str], K]) -> Postings[K]:
    names, lists = raw
    keys = names if key is str else [key(n) for n in names]
    return Postings(keys, _ragged_in(lists))


class LazyProducts(Sequence[Product]):
    """The snapshot's products, each decoded from its record the first time it is read."""

    __slots__ = ("_blob", "_decoded", "_lock", "_offsets")

    def __init__(self, blob: bytes, offsets: array[int]) -> None:
        self._blob = blob
        self._offsets = offsets
        self._decoded: dict[int, Product] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, position: int) -> Product: ...

    @overload
    def __getitem__(self, position: slice) -> Sequence[Product]: ...

    def __getitem__(self, position: int | slice) -> Product | Sequence[Product]:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        if position < 0:
            position += len(self)
        found = self._decoded.get(position)
        if found is None:
            start, end = self._offsets[position], self._offsets[position + 1]
            found = _product_from_record(msgpack.unpackb(self._blob[start:end]))
            with self._lock:
                if len(self._decoded) >= DECODED_PRODUCTS_KEPT:
                    self._decoded.clear()
                self._decoded[position] = found
        return found

    def __iter__(self) -> Iterator[Product]:
        return (self[i] for i in range(len(self)))


# -- records: positional lists, the smallest MessagePack form ------------------------------


def _micros(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _moment(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


def _money(raw: list[Any] | None) -> Money | None:
    return None if raw is None else Money(int(raw[0]), Currency(raw[1]))


def _image_record(image: Image) -> list[Any]:
    return [image.url, image.alt_text, image.width, image.height]


def _image_from_record(raw: list[Any]) -> Image:
    return Image(url=raw[0], alt_text=raw[1], width=raw[2], height=raw[3])


def _product_record(product: Product) -> list[Any]:
    return [
        product.id,
        product.handle,
        product.title,
        product.description,
        _micros(product.created_at),
        _micros(product.updated_at),
        [
            [
                v.id,
                v.sku,
                [[o.name, o.value] for o in v.options],
                [[p.currency.value, p.amount] for p in v.prices],
                v.kind.value,
                None if v.cost is None else [v.cost.amount, v.cost.currency.value],
                v.weight_grams,
                v.asset_key,
            ]
            for v in product.variants
        ],
        [[a.name, list(a.values)] for a in product.attributes],
        list(product.tags),
        [_image_record(i) for i in product.images],
        list(product.collection_ids),
        product.published,
    ]


def _product_from_record(raw: list[Any]) -> Product:
    (pid, handle, title, description, created, updated, variants, attributes, tags, images,
     collection_ids, published) = raw  # fmt: skip
    return Product(
        id=pid,
        handle=handle,
        title=title,
        description=description,
        created_at=_moment(created),
        updated_at=_moment(updated),
        variants=tuple(
            Variant(
                id=vid,
                sku=sku,
                options=tuple(OptionValue(sys.intern(n), sys.intern(v)) for n, v in options),
                prices=tuple(Money(int(amount), Currency(code)) for code, amount in prices),
                kind=VariantKind(kind),
                cost=_money(cost),
                weight_grams=weight,
                asset_key=asset,
            )
            for vid, sku, options, prices, kind, cost, weight, asset in variants
        ),
        attributes=tuple(Attribute(name, tuple(values)) for name, values in attributes),
        tags=tuple(tags),
        images=tuple(_image_from_record(i) for i in images),
        collection_ids=tuple(collection_ids),
        published=published,
    )


def _collection_record(collection: Collection) -> list[Any]:
    return [
        collection.id,
        collection.handle,
        collection.title,
        collection.description,
        _micros(collection.created_at),
        _micros(collection.updated_at),
        None if collection.image is None else _image_record(collection.image),
    ]


def _collection_from_record(raw: list[Any]) -> Collection:
    cid, handle, title, description, created, updated, image = raw
    return Collection(
        id=cid,
        handle=handle,
        title=title,
        description=description,
        created_at=_moment(created),
        updated_at=_moment(updated),
        image=None if image is None else _image_from_record(image),
    )


def _order_name(key: OrderKey) -> str:
    sort, currency, reverse = key
    return f"{sort.value}|{'' if currency is None else currency.value}|{int(reverse)}"


def _order_key(name: str) -> OrderKey:
    sort, currency, reverse = name.split("|")
    return (ProductSort(sort), Currency(currency) if currency else None, reverse == "1")


def _int32_bytes(values: Sequence[int]) -> bytes:
    packed = array("i", values)
    if sys.byteorder != "little":  # the file is little-endian wherever it was written
        packed.byteswap()
    return packed.tobytes()


def _int32_array(raw: bytes) -> array[int]:
    packed = array("i")
    packed.frombytes(raw)
    if sys.byteorder != "little":
        packed.byteswap()
    return packed


def snapshot_facts(view: CatalogView) -> Mapping[str, int]:
    """Counts a log line or a benchmark reports about a loaded view."""
    return {
        "products": len(view.index.ids),
        "collections": len(view.snapshot.collections),
        "terms": len(view.index.vocabulary),
    }
