"""The storefront listing: filter, sort and page the products of a catalog snapshot.

A snapshot stays in memory for a few seconds and serves many requests (see
``docs/decisions/0002-catalog-listing.md``), so ``build_index`` computes once
everything that does not depend on the request: search terms, products per
collection, attribute and stock lookups, and every sort order. A request then
only intersects sets and walks a precomputed order.

Pagination follows the GraphQL Cursor Connections spec with keyset cursors: a
cursor carries the sort key of its product rather than an offset, so the next
page starts in the right place even when products were added or removed since
the previous page was served.
"""

from __future__ import annotations

import base64
import enum
import itertools
import json
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import ClassVar, TypeVar

from commerce.catalog.model import (
    CatalogSnapshot,
    Collection,
    Product,
    availability,
    search_terms,
    tokenize_query,
    unique,
)
from commerce.money import Currency

DEFAULT_PAGE_SIZE = 20

# Bounds the work spent decoding untrusted input; far above any cursor we issue
# (the largest part is the casefolded title of a product).
MAX_CURSOR_LENGTH = 16_384

# The attribute name under which tags can be filtered like any other property.
TAG_ATTRIBUTE = "tag"


class ProductSort(enum.Enum):
    """The orders a storefront can list products in."""

    TITLE = "TITLE"
    PRICE = "PRICE"
    NEWEST = "NEWEST"
    RELEVANCE = "RELEVANCE"


@dataclass(frozen=True, slots=True)
class AttributeFilter:
    """Keep products whose attribute ``name`` has ``value``, both compared ignoring case.

    The name ``tag`` also matches the product's tags, so that shoppers can
    narrow by tag the same way as by author or series.
    """

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class ProductQuery:
    """What a shopper asks the storefront to list, and in which order.

    Prices are in minor units of ``currency`` and are never converted: a product
    with no price in ``currency`` matches no price filter and sorts last by price.
    """

    currency: Currency
    text: str | None = None
    collection_id: str | None = None
    attributes: tuple[AttributeFilter, ...] = ()
    min_price: int | None = None
    max_price: int | None = None
    in_stock: bool | None = None
    include_unpublished: bool = False
    sort: ProductSort = ProductSort.TITLE
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Relay pagination arguments: ``first``/``after`` page forward, ``last``/``before`` back."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


@dataclass(frozen=True, slots=True)
class ProductEdge:
    """A listed product with the cursor that pages on from it."""

    product: Product
    cursor: str


@dataclass(frozen=True, slots=True)
class ProductPage:
    """One page of a listing; ``total_count`` counts every match, not just this page."""

    edges: tuple[ProductEdge, ...]
    has_next_page: bool
    has_previous_page: bool
    total_count: int


class ListingError(ValueError):
    """A listing request the storefront cannot answer; ``code`` is stable for clients."""

    code: ClassVar[str]

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidCursor(ListingError):
    """A cursor that was not issued for this listing's order, or was altered."""

    code = "INVALID_CURSOR"


class InvalidPageRequest(ListingError):
    """Page-size arguments outside what the storefront allows."""

    code = "INVALID_PAGE_REQUEST"


# A product's position in one sort order: a group that reversing never flips
# (priced before unpriced) and the key within the group, ending with the id.
SortKey = tuple[int, tuple[int | str, ...]]

# The cursor's sort key, after the group, as JSON types per sort.
_KEY_SHAPES: Mapping[ProductSort, tuple[type, ...]] = {
    ProductSort.TITLE: (str, str),
    ProductSort.PRICE: (int, str),
    ProductSort.NEWEST: (int, str),
    ProductSort.RELEVANCE: (int, int, str, str),
}

_UNPRICED = 1
_CURSOR_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MICROSECOND = timedelta(microseconds=1)
_Key = TypeVar("_Key")


@dataclass(frozen=True, slots=True, eq=False)
class ListingIndex:
    """A snapshot prepared for listing; build it with ``build_index``.

    Products are referred to by their position in ``products``. The fields are
    read by ``list_products`` only and are not meant as an API of their own.
    """

    products: tuple[Product, ...]
    published: frozenset[int]
    available: frozenset[int]
    by_collection: Mapping[str, frozenset[int]]
    by_attribute: Mapping[tuple[str, str], frozenset[int]]
    terms: tuple[frozenset[str], ...]
    title_terms: tuple[frozenset[str], ...]
    vocabulary: tuple[str, ...]
    postings: Mapping[str, frozenset[int]]
    prices: Mapping[Currency, tuple[tuple[int, ...], ...]]
    keys: Mapping[tuple[ProductSort, Currency | None], tuple[SortKey, ...]]
    orders: Mapping[tuple[ProductSort, Currency | None, bool], tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class _Ordering:
    """What a cursor is only valid for: prices in another currency are another order."""

    sort: ProductSort
    reverse: bool
    currency: Currency | None


def build_index(snapshot: CatalogSnapshot) -> ListingIndex:
    """Precompute everything a listing request needs that does not depend on the request."""
    products = snapshot.products
    positions = range(len(products))
    terms = tuple(search_terms(p) for p in products)

    by_collection: defaultdict[str, set[int]] = defaultdict(set)
    by_attribute: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
    postings: defaultdict[str, set[int]] = defaultdict(set)
    amounts: defaultdict[Currency, list[tuple[int, ...]]] = defaultdict(
        lambda: [() for _ in positions]
    )
    for position, product in enumerate(products):
        for collection_id in product.collection_ids:
            by_collection[collection_id].add(position)
        for attribute in product.attributes:
            for value in attribute.values:
                by_attribute[attribute.name.casefold(), value.casefold()].add(position)
        for tag in product.tags:
            by_attribute[TAG_ATTRIBUTE, tag.casefold()].add(position)
        for term in terms[position]:
            postings[term].add(position)
        for currency in {price.currency for v in product.variants for price in v.prices}:
            priced = (v.price_in(currency) for v in product.variants)
            amounts[currency][position] = tuple(sorted(p.amount for p in priced if p is not None))

    keys: dict[tuple[ProductSort, Currency | None], tuple[SortKey, ...]] = {
        (ProductSort.TITLE, None): tuple(_title_key(p) for p in products),
        (ProductSort.NEWEST, None): tuple(_newest_key(p) for p in products),
        # Prices in a currency no product is priced in: every product is unpriced.
        (ProductSort.PRICE, None): tuple(_price_key(p, ()) for p in products),
    }
    for priced_in, per_product in amounts.items():
        keys[ProductSort.PRICE, priced_in] = tuple(
            _price_key(p, a) for p, a in zip(products, per_product, strict=True)
        )
    orders: dict[tuple[ProductSort, Currency | None, bool], tuple[int, ...]] = {}
    for (sort, sorted_in), sort_keys in keys.items():
        forward = tuple(sorted(positions, key=sort_keys.__getitem__))
        orders[sort, sorted_in, False] = forward
        orders[sort, sorted_in, True] = _reversed_within_groups(forward, sort_keys)

    return ListingIndex(
        products=products,
        published=frozenset(i for i in positions if products[i].published),
        available=frozenset(
            i
            for i in positions
            if any(availability(v, snapshot.stock).available_for_sale for v in products[i].variants)
        ),
        by_collection=_frozen(by_collection),
        by_attribute=_frozen(by_attribute),
        terms=terms,
        title_terms=tuple(frozenset(tokenize_query(p.title)) for p in products),
        vocabulary=tuple(sorted(postings)),
        postings=_frozen(postings),
        prices={c: tuple(per_product) for c, per_product in amounts.items()},
        keys=keys,
        orders=orders,
    )


def list_products(
    index: ListingIndex,
    query: ProductQuery,
    page: PageRequest,
    max_page_size: int = 100,
) -> ProductPage:
    """One page of the products matching ``query``, in its order, as a Relay connection."""
    if max_page_size < 1:
        raise ValueError("max_page_size must be at least 1")
    size, backward = _page_size(page, max_page_size)
    ordering = _Ordering(
        query.sort, query.reverse, query.currency if query.sort is ProductSort.PRICE else None
    )
    after = None if page.after is None else _decode_cursor(page.after, ordering, "after")
    before = None if page.before is None else _decode_cursor(page.before, ordering, "before")

    words = unique(tokenize_query(query.text)) if query.text else ()
    matched = _matching(index, query, words)
    ordered, key_of = _in_order(index, matched, ordering, words)

    # The Cursor Connections algorithm: narrow to the window between the
    # cursors, then take `first` from its start or `last` from its end.
    low = 0 if after is None else _count_preceding(ordered, key_of, after, query.reverse, True)
    high = len(ordered)
    if before is not None:
        high = max(low, _count_preceding(ordered, key_of, before, query.reverse, False))
    if backward:
        start, end = max(low, high - size), high
    else:
        start, end = low, min(high, low + size)

    return ProductPage(
        edges=tuple(
            ProductEdge(index.products[i], _encode_cursor(ordering, key_of(i)))
            for i in ordered[start:end]
        ),
        # Honest flags from the whole filtered list, which the spec allows.
        has_next_page=end < len(ordered),
        has_previous_page=start > 0,
        total_count=len(ordered),
    )


def _page_size(page: PageRequest, max_page_size: int) -> tuple[int, bool]:
    """The checked page size, and whether it is taken from the end (``last``)."""
    if page.first is not None and page.last is not None:
        raise InvalidPageRequest("first and last cannot be used together", field="last")
    for name, size in (("first", page.first), ("last", page.last)):
        if size is not None and not 0 <= size <= max_page_size:
            raise InvalidPageRequest(f"{name} must be between 0 and {max_page_size}", field=name)
    if page.last is not None:
        return page.last, True
    if page.first is not None:
        return page.first, False
    return min(DEFAULT_PAGE_SIZE, max_page_size), False


def _matching(index: ListingIndex, query: ProductQuery, words: Sequence[str]) -> set[int]:
    """Positions of the products that pass every filter of ``query``."""
    candidates = (
        set(range(len(index.products))) if query.include_unpublished else set(index.published)
    )
    if query.collection_id is not None:
        candidates &= index.by_collection.get(query.collection_id, frozenset())
    for wanted in query.attributes:
        key = (wanted.name.casefold(), wanted.value.casefold())
        candidates &= index.by_attribute.get(key, frozenset())
    if query.in_stock is True:
        candidates &= index.available
    elif query.in_stock is False:
        candidates -= index.available
    for word in words:
        if not candidates:
            break
        candidates &= _with_word(index, word)
    if query.min_price is not None or query.max_price is not None:
        candidates = _within_price(index, candidates, query)
    return candidates


def _with_word(index: ListingIndex, word: str) -> set[int]:
    """Products with a search term that is ``word`` or starts with it ("tolk" -> "tolkien")."""
    vocabulary = index.vocabulary
    found: set[int] = set()
    position = bisect_left(vocabulary, word)
    while position < len(vocabulary) and vocabulary[position].startswith(word):
        found |= index.postings[vocabulary[position]]
        position += 1
    return found


def _within_price(index: ListingIndex, candidates: set[int], query: ProductQuery) -> set[int]:
    """Products with a variant priced in the query currency inside the bounds."""
    amounts = index.prices.get(query.currency)
    if amounts is None:
        return set()
    low = query.min_price if query.min_price is not None else -(2**63)
    high = query.max_price if query.max_price is not None else 2**63
    return {i for i in candidates if any(low <= a <= high for a in amounts[i])}


def _in_order(
    index: ListingIndex, matched: set[int], ordering: _Ordering, words: Sequence[str]
) -> tuple[Sequence[int], Callable[[int], SortKey]]:
    """The matched positions in listing order, with the sort key of each."""
    if ordering.sort is ProductSort.RELEVANCE:
        relevance = {i: _relevance_key(index, i, words) for i in matched}
        forward = tuple(sorted(matched, key=relevance.__getitem__))
        ordered = forward[::-1] if ordering.reverse else forward
        return ordered, relevance.__getitem__
    keys = index.keys.get((ordering.sort, ordering.currency))
    if keys is None:  # prices in a currency that no product of the snapshot has
        keys = index.keys[ordering.sort, None]
        order = index.orders[ordering.sort, None, ordering.reverse]
    else:
        order = index.orders[ordering.sort, ordering.currency, ordering.reverse]
    return [i for i in order if i in matched], keys.__getitem__


def _relevance_key(index: ListingIndex, position: int, words: Sequence[str]) -> SortKey:
    """More whole-word matches first, then more title matches, then title order."""
    terms = index.terms[position]
    title_terms = index.title_terms[position]
    whole = sum(1 for w in words if w in terms)
    in_title = sum(1 for w in words if any(t.startswith(w) for t in title_terms))
    product = index.products[position]
    return (0, (-whole, -in_title, product.title.casefold(), product.id))


def _title_key(product: Product) -> SortKey:
    return (0, (product.title.casefold(), product.id))


def _newest_key(product: Product) -> SortKey:
    return (0, (-_microseconds(product.created_at), product.id))


def _price_key(product: Product, amounts: tuple[int, ...]) -> SortKey:
    if not amounts:
        return (_UNPRICED, (0, product.id))
    return (0, (amounts[0], product.id))


def _microseconds(moment: datetime) -> int:
    """Exact microseconds since the epoch; naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _ONE_MICROSECOND


def _precedes(a: SortKey, b: SortKey, reverse: bool) -> bool:
    """Whether ``a`` lists before ``b``; reversing never moves unpriced products first."""
    if a[0] != b[0]:
        return a[0] < b[0]
    return a[1] > b[1] if reverse else a[1] < b[1]


def _count_preceding(
    ordered: Sequence[int],
    key_of: Callable[[int], SortKey],
    cursor: SortKey,
    reverse: bool,
    inclusive: bool,
) -> int:
    """How many listed products come before ``cursor`` (and the cursor's own, if inclusive).

    A binary search on keys rather than a lookup of the cursor's product, so a
    cursor still positions correctly after its product was removed.
    """
    low, high = 0, len(ordered)
    while low < high:
        middle = (low + high) // 2
        key = key_of(ordered[middle])
        if _precedes(key, cursor, reverse) or (inclusive and key == cursor):
            low = middle + 1
        else:
            high = middle
    return low


def _reversed_within_groups(forward: Iterable[int], keys: Sequence[SortKey]) -> tuple[int, ...]:
    """The reverse order, except that groups (priced, unpriced) keep their places."""
    runs = itertools.groupby(forward, key=lambda i: keys[i][0])
    return tuple(i for _, run in runs for i in reversed(tuple(run)))


def _frozen(sets: Mapping[_Key, set[int]]) -> dict[_Key, frozenset[int]]:
    return {k: frozenset(v) for k, v in sets.items()}


def _encode_cursor(ordering: _Ordering, key: SortKey) -> str:
    payload = {
        "s": ordering.sort.value,
        "r": ordering.reverse,
        "c": None if ordering.currency is None else ordering.currency.value,
        "k": [key[0], *key[1]],
    }
    # ASCII escapes keep any title encodable, lone surrogates included.
    raw = json.dumps(payload, separators=(",", ":")).encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode_cursor(cursor: str, ordering: _Ordering, field: str) -> SortKey:
    """The sort key in ``cursor``; anything we would not have issued for this order is refused."""
    if len(cursor) > MAX_CURSOR_LENGTH or not _CURSOR_ALPHABET.fullmatch(cursor):
        raise InvalidCursor(f"{field} is not a valid cursor", field=field)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # bad base64, UTF-8 or JSON; absurd nesting
        raise InvalidCursor(f"{field} is not a valid cursor", field=field) from None
    key = _key_from_payload(payload, ordering)
    if key is None:
        raise InvalidCursor(
            f"{field} is not a cursor of this listing's sort order; start from the first page",
            field=field,
        )
    # Only the exact text we issue is accepted, so an edited or re-encoded
    # cursor cannot slip through with fields we did not check.
    if _encode_cursor(ordering, key) != cursor:
        raise InvalidCursor(f"{field} is not a valid cursor", field=field)
    return key


def _key_from_payload(payload: object, ordering: _Ordering) -> SortKey | None:
    """The sort key if ``payload`` is a cursor of ``ordering`` with a well-formed key."""
    if not isinstance(payload, dict) or set(payload) != {"s", "r", "c", "k"}:
        return None
    currency = None if ordering.currency is None else ordering.currency.value
    expected = (ordering.sort.value, ordering.reverse, currency)
    if (payload["s"], payload["r"], payload["c"]) != expected:
        return None
    values = payload["k"]
    shape = _KEY_SHAPES[ordering.sort]
    if not isinstance(values, list) or len(values) != len(shape) + 1:
        return None
    group, *rest = values
    allowed_groups = (0, _UNPRICED) if ordering.sort is ProductSort.PRICE else (0,)
    if type(group) is not int or group not in allowed_groups:
        return None
    # type() rather than isinstance(): JSON true/false must not pass as 1/0.
    if any(type(value) is not kind for value, kind in zip(rest, shape, strict=True)):
        return None
    if not rest[-1]:  # every key ends with a product id
        return None
    return (group, tuple(rest))


@dataclass(frozen=True, slots=True)
class CollectionEdge:
    """A listed collection with the cursor that pages on from it."""

    collection: Collection
    cursor: str


@dataclass(frozen=True, slots=True)
class CollectionPage:
    """One page of collections, ordered by title."""

    edges: tuple[CollectionEdge, ...]
    has_next_page: bool
    has_previous_page: bool
    total_count: int


# Collections list by title only; their cursors share the title cursors' shape.
_COLLECTION_ORDER = _Ordering(ProductSort.TITLE, False, None)


def list_collections(
    collections: Sequence[Collection], page: PageRequest, max_page_size: int = 100
) -> CollectionPage:
    """One page of collections by title, with the same cursor rules as products."""
    size, backward = _page_size(page, max_page_size)
    ordered = sorted(collections, key=lambda c: (c.title.casefold(), c.id))
    keys: list[SortKey] = [(0, (c.title.casefold(), c.id)) for c in ordered]
    positions = range(len(ordered))
    after = None if page.after is None else _decode_cursor(page.after, _COLLECTION_ORDER, "after")
    before = (
        None if page.before is None else _decode_cursor(page.before, _COLLECTION_ORDER, "before")
    )
    low = 0 if after is None else _count_preceding(positions, keys.__getitem__, after, False, True)
    high = len(ordered)
    if before is not None:
        high = max(low, _count_preceding(positions, keys.__getitem__, before, False, False))
    start, end = (max(low, high - size), high) if backward else (low, min(high, low + size))
    return CollectionPage(
        edges=tuple(
            CollectionEdge(ordered[i], _encode_cursor(_COLLECTION_ORDER, keys[i]))
            for i in range(start, end)
        ),
        has_next_page=end < len(ordered),
        has_previous_page=start > 0,
        total_count=len(ordered),
    )


@dataclass(frozen=True, slots=True, eq=False)
class CatalogView:
    """A snapshot with everything a storefront request looks up in it, built once."""

    snapshot: CatalogSnapshot
    index: ListingIndex
    products_by_id: Mapping[str, Product]
    products_by_handle: Mapping[str, Product]
    collections_by_id: Mapping[str, Collection]
    collections_by_handle: Mapping[str, Collection]


def build_view(snapshot: CatalogSnapshot) -> CatalogView:
    """The listing index and lookup tables of ``snapshot``."""
    return CatalogView(
        snapshot=snapshot,
        index=build_index(snapshot),
        products_by_id={p.id: p for p in snapshot.products},
        products_by_handle={p.handle: p for p in snapshot.products},
        collections_by_id={c.id: c for c in snapshot.collections},
        collections_by_handle={c.handle: c for c in snapshot.collections},
    )


@dataclass(frozen=True, slots=True)
class CollectionFilter:
    """The collection a shopper's filter narrows a listing to, by id and/or handle."""

    id: str | None = None
    handle: str | None = None


# What a listing narrowed to no collection at all answers.
EMPTY_PAGE = ProductPage(edges=(), has_next_page=False, has_previous_page=False, total_count=0)


def narrowed_to_collection(
    view: CatalogView, query: ProductQuery, wanted: CollectionFilter
) -> ProductQuery | None:
    """``query`` narrowed to the collection ``wanted`` names; None when nothing can match.

    A collection that does not exist lists nothing: a deleted collection's former
    products keep its id, and must not be listed under it. A filter that names another
    collection than the one being listed (``query.collection_id``) lists nothing either.
    """
    collection_id = query.collection_id
    if wanted.id is not None:
        known = wanted.id in view.collections_by_id
        if not known or (collection_id is not None and wanted.id != collection_id):
            return None
        collection_id = wanted.id
    if wanted.handle is not None:
        found = view.collections_by_handle.get(wanted.handle)
        if found is None or (collection_id is not None and found.id != collection_id):
            return None
        collection_id = found.id
    return replace(query, collection_id=collection_id)
