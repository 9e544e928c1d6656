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
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import ClassVar, TypeVar, overload

from commerce.catalog.model import (
    CatalogSnapshot,
    Collection,
    Product,
    availability,
    search_terms,
    tokenize_query,
    unique,
)
from commerce.catalog.relevance import Position, RankedClasses, score_classes
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
    # Best rated first (the average shown, then more reviews first); unrated products last.
    RATING = "RATING"


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
    # Only products whose shown average (tenths of a star: 40 is 4.0) is at least this.
    min_rating_tenths: int | None = None
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
    ProductSort.RATING: (int, int, str),
}

_UNPRICED = 1
_CURSOR_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MICROSECOND = timedelta(microseconds=1)
_Key = TypeVar("_Key")


class Ragged(Sequence[Sequence[int]]):
    """Many short integer lists in two flat arrays: values, and where each list starts.

    100,000 products' prices or a million posting entries as Python lists of lists cost
    seconds to load and tens of megabytes; as two arrays they load as raw bytes.
    """

    __slots__ = ("offsets", "values")

    def __init__(self, values: array[int], offsets: array[int]) -> None:
        self.values = values
        self.offsets = offsets

    @classmethod
    def of(cls, lists: Iterable[Iterable[int]]) -> Ragged:
        values, offsets = array("i"), array("i", [0])
        for entries in lists:
            values.extend(entries)
            offsets.append(len(values))
        return cls(values, offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, i: int) -> Sequence[int]: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[Sequence[int]]: ...

    def __getitem__(self, i: int | slice) -> Sequence[int] | Sequence[Sequence[int]]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        return self.values[self.offsets[i] : self.offsets[i + 1]]


class Postings(Mapping[_Key, frozenset[int]]):
    """Product positions by key (a term, a collection), stored flat and made sets on use.

    A loaded catalog of 100,000 products holds about a million positions across its
    terms; turning every list into a set at load time would cost most of the load for
    terms nobody searches, so each becomes a set the first time a request needs it.
    ``keys`` are in ascending order, which is the search vocabulary.
    """

    __slots__ = ("_lists", "_sets", "keys_in_order")

    def __init__(self, keys: Sequence[_Key], lists: Ragged) -> None:  # keys sorted
        self.keys_in_order = keys
        self._lists = lists
        self._sets: dict[_Key, frozenset[int]] = {}

    @classmethod
    def of(cls, positions: Mapping[_Key, Sequence[int]]) -> Postings[_Key]:
        keys = sorted(positions)  # type: ignore[type-var]
        return cls(keys, Ragged.of(positions[k] for k in keys))

    def __getitem__(self, key: _Key) -> frozenset[int]:
        found = self._sets.get(key)
        if found is None:
            # A binary search, not a dict: a dict of every term would cost the load time.
            keys = self.keys_in_order
            slot = bisect_left(keys, key)  # type: ignore[call-overload]
            if slot == len(keys) or keys[slot] != key:
                raise KeyError(key)
            # Two threads may both build it; the results are equal and either is kept.
            found = self._sets.setdefault(key, frozenset(self._lists[slot]))
        return found

    def __iter__(self) -> Iterator[_Key]:
        return iter(self.keys_in_order)

    def __len__(self) -> int:
        return len(self.keys_in_order)

    def positions_between(self, low: int, high: int) -> frozenset[int]:
        """Every position under the keys ``keys_in_order[low:high]``, as one set."""
        offsets = self._lists.offsets
        return frozenset(self._lists.values[offsets[low] : offsets[high]])

    @property
    def lists(self) -> Ragged:
        """Every key's positions, in the order of ``keys_in_order`` (for the snapshot file)."""
        return self._lists


# The orders every index holds: by title, by newest, and by price in each currency
# (``None``: a currency no product is priced in, where every product is unpriced).
OrderKey = tuple[ProductSort, Currency | None, bool]


@dataclass(frozen=True, slots=True, eq=False)
class ListingIndex:
    """A snapshot prepared for listing; build it with ``build_index``.

    Products are referred to by their position in ``products``. Every column is one
    entry per position, so a request reads the few positions it lists and never walks
    the catalog. The fields are read by ``list_products`` and the snapshot codec only.
    """

    products: Sequence[Product]
    ids: Sequence[str]
    handles: Sequence[str]
    # Positions sorted by id and by handle, for lookups by binary search.
    id_order: Sequence[int]
    handle_order: Sequence[int]
    # Casefolded titles and creation instants (microseconds): the sort keys.
    titles: Sequence[str]
    created: Sequence[int]
    published: frozenset[int]
    available: frozenset[int]
    by_collection: Postings[str]
    by_attribute: Postings[tuple[str, str]]
    # Search terms (title, author, tags), and title words alone for relevance.
    postings: Postings[str]
    vocabulary: Sequence[str]
    title_postings: Postings[str]
    title_vocabulary: Sequence[str]
    # Per currency, each product's variant amounts in ascending order.
    prices: Mapping[Currency, Ragged]
    # Each product's shown average rating in tenths (-1: no reviews) and review count.
    rating_tenths: Sequence[int]
    rating_counts: Sequence[int]
    # Each order lists every position; ``ranks`` gives a position's place in it.
    orders: Mapping[OrderKey, Sequence[int]]
    ranks: Mapping[OrderKey, Sequence[int]]


@dataclass(frozen=True, slots=True)
class _Ordering:
    """What a cursor is only valid for: prices in another currency are another order."""

    sort: ProductSort
    reverse: bool
    currency: Currency | None


def build_index(snapshot: CatalogSnapshot) -> ListingIndex:
    """Precompute everything a listing request needs that does not depend on the request.

    Runs where a snapshot is built (off the request path, see
    ``docs/decisions/0012-catalog-at-scale.md``); instances load its result.
    """
    products = snapshot.products
    count = len(products)
    ids = [p.id for p in products]
    titles = [p.title.casefold() for p in products]
    created = [_microseconds(p.created_at) for p in products]
    rating_tenths, rating_counts = rating_columns(snapshot)

    by_collection: defaultdict[str, list[int]] = defaultdict(list)
    by_attribute: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
    postings: defaultdict[str, list[int]] = defaultdict(list)
    title_postings: defaultdict[str, list[int]] = defaultdict(list)
    amounts: defaultdict[Currency, list[tuple[int, ...]]] = defaultdict(lambda: [()] * count)
    for position, product in enumerate(products):
        for collection_id in unique(product.collection_ids):
            by_collection[collection_id].append(position)
        attribute_keys = {
            (attribute.name.casefold(), value.casefold())
            for attribute in product.attributes
            for value in attribute.values
        }
        attribute_keys.update((TAG_ATTRIBUTE, tag.casefold()) for tag in product.tags)
        for key in attribute_keys:
            by_attribute[key].append(position)
        for term in search_terms(product):
            postings[term].append(position)
        for term in set(tokenize_query(product.title)):
            title_postings[term].append(position)
        for currency in {price.currency for v in product.variants for price in v.prices}:
            priced = (v.price_in(currency) for v in product.variants)
            amounts[currency][position] = tuple(sorted(p.amount for p in priced if p is not None))

    def key_of_price(currency: Currency | None) -> Callable[[int], SortKey]:
        per_product = amounts.get(currency) if currency is not None else None
        if per_product is None:
            return lambda i: (_UNPRICED, (0, ids[i]))
        return lambda i: _price_key(ids[i], per_product[i])

    key_functions: dict[tuple[ProductSort, Currency | None], Callable[[int], SortKey]] = {
        (ProductSort.TITLE, None): lambda i: (0, (titles[i], ids[i])),
        (ProductSort.NEWEST, None): lambda i: (0, (-created[i], ids[i])),
        (ProductSort.PRICE, None): key_of_price(None),
        (ProductSort.RATING, None): rating_key(ids, rating_tenths, rating_counts),
    }
    for priced_in in amounts:
        key_functions[ProductSort.PRICE, priced_in] = key_of_price(priced_in)
    orders: dict[OrderKey, Sequence[int]] = {}
    ranks: dict[OrderKey, Sequence[int]] = {}
    for (sort, sorted_in), key_of in key_functions.items():
        forward = sorted(range(count), key=key_of)
        for reverse, order in (
            (False, forward),
            (True, _reversed_within_groups(forward, key_of)),
        ):
            orders[sort, sorted_in, reverse] = array("i", order)
            ranks[sort, sorted_in, reverse] = _ranks(order)

    return ListingIndex(
        products=products,
        ids=ids,
        handles=(handles := [p.handle for p in products]),
        id_order=array("i", sorted(range(count), key=ids.__getitem__)),
        handle_order=array("i", sorted(range(count), key=handles.__getitem__)),
        titles=titles,
        created=created,
        published=frozenset(i for i in range(count) if products[i].published),
        available=frozenset(
            i
            for i in range(count)
            if any(availability(v, snapshot.stock).available_for_sale for v in products[i].variants)
        ),
        by_collection=Postings.of(by_collection),
        by_attribute=Postings.of(by_attribute),
        postings=(terms := Postings.of(postings)),
        vocabulary=terms.keys_in_order,
        title_postings=(title_terms := Postings.of(title_postings)),
        title_vocabulary=title_terms.keys_in_order,
        prices={c: Ragged.of(a) for c, a in amounts.items()},
        rating_tenths=rating_tenths,
        rating_counts=rating_counts,
        orders=orders,
        ranks=ranks,
    )


def rating_columns(snapshot: CatalogSnapshot) -> tuple[array[int], array[int]]:
    """Per position, the shown average in tenths (-1 without reviews) and the count."""
    tenths, counts = array("i"), array("i")
    for product in snapshot.products:
        rating = snapshot.ratings.get(product.id)
        shown = None if rating is None else rating.tenths
        tenths.append(-1 if shown is None else shown)
        counts.append(0 if rating is None else rating.count)
    return tenths, counts


def rating_key(
    ids: Sequence[str], tenths: Sequence[int], counts: Sequence[int]
) -> Callable[[int], SortKey]:
    """Best shown average first, then the most reviewed, then by id; unrated ones last
    whichever way the list runs (the group reversing never flips)."""
    return lambda i: (
        (0, (-tenths[i], -counts[i], ids[i])) if tenths[i] >= 0 else (_UNPRICED, (0, 0, ids[i]))
    )


def _ranks(order: Sequence[int]) -> Sequence[int]:
    """Each position's place in ``order``."""
    ranks = array("i", bytes(4 * len(order)))
    for rank, position in enumerate(order):
        ranks[position] = rank
    return ranks


def list_products(
    index: ListingIndex,
    query: ProductQuery,
    page: PageRequest,
    max_page_size: int = 100,
) -> ProductPage:
    """One page of the products matching ``query``, in its order, as a Relay connection.

    The work is bounded by the page and the matches, not the catalog: filters are
    intersected from the smallest set up, and the page is then either picked from the
    precomputed order of every product (many matches: a few steps per listed product)
    or sorted from the matches by their rank in that order (few matches).
    """
    if max_page_size < 1:
        raise ValueError("max_page_size must be at least 1")
    size, backward = _page_size(page, max_page_size)
    ordering = _Ordering(
        query.sort, query.reverse, query.currency if query.sort is ProductSort.PRICE else None
    )
    after = None if page.after is None else _decode_cursor(page.after, ordering, "after")
    before = None if page.before is None else _decode_cursor(page.before, ordering, "before")
    window = _Window(after, before, size, backward, query.reverse)

    words = unique(tokenize_query(query.text)) if query.text else ()
    matched = _matching(index, query, words)
    if ordering.sort is ProductSort.RELEVANCE and words:
        return _relevance_page(index, ordering, matched, words, window)

    order_key, key_of = _order_of(index, ordering)
    order = index.orders[order_key]
    if matched is None or len(matched) ** 2 >= (size + 1) * len(order):
        return _walked_page(index, ordering, order, key_of, matched=matched, window=window)
    rank = index.ranks[order_key]
    return _page_of(index, ordering, sorted(matched, key=rank.__getitem__), key_of, window)


@dataclass(frozen=True, slots=True)
class _Window:
    """The cursors and size of a page request, decoded and checked."""

    after: SortKey | None
    before: SortKey | None
    size: int
    backward: bool
    reverse: bool


def _order_of(
    index: ListingIndex, ordering: _Ordering
) -> tuple[OrderKey, Callable[[int], SortKey]]:
    """The precomputed order to list in, and the cursor key of a position in it."""
    ids = index.ids
    if ordering.sort is ProductSort.NEWEST:
        created = index.created
        return (ProductSort.NEWEST, None, ordering.reverse), lambda i: (0, (-created[i], ids[i]))
    if ordering.sort is ProductSort.RATING:
        key = rating_key(ids, index.rating_tenths, index.rating_counts)
        return (ProductSort.RATING, None, ordering.reverse), key
    titles = index.titles
    if ordering.sort is ProductSort.RELEVANCE:
        # No words to weigh: every product is equally relevant, so the order is by title.
        return (ProductSort.TITLE, None, ordering.reverse), lambda i: (
            0,
            (0, 0, titles[i], ids[i]),
        )
    if ordering.sort is ProductSort.TITLE:
        return (ProductSort.TITLE, None, ordering.reverse), lambda i: (0, (titles[i], ids[i]))
    per_product = None if ordering.currency is None else index.prices.get(ordering.currency)
    if per_product is None:  # prices in a currency that no product of the snapshot has
        return (ProductSort.PRICE, None, ordering.reverse), lambda i: (_UNPRICED, (0, ids[i]))
    return (ProductSort.PRICE, ordering.currency, ordering.reverse), lambda i: _price_key(
        ids[i], per_product[i]
    )


def _page_of(
    index: ListingIndex,
    ordering: _Ordering,
    ordered: Sequence[int],
    key_of: Callable[[int], SortKey],
    window: _Window,
) -> ProductPage:
    """The page from every match in listing order (the Cursor Connections algorithm)."""
    # Narrow to the window between the cursors, then take `first` from its start or
    # `last` from its end.
    after, before, size = window.after, window.before, window.size
    low = 0 if after is None else _count_preceding(ordered, key_of, after, window.reverse, True)
    high = len(ordered)
    if before is not None:
        high = max(low, _count_preceding(ordered, key_of, before, window.reverse, False))
    if window.backward:
        start, end = max(low, high - size), high
    else:
        start, end = low, min(high, low + size)
    return ProductPage(
        edges=_edges(index, ordering, ordered[start:end], key_of),
        # Honest flags from the whole filtered list, which the spec allows.
        has_next_page=end < len(ordered),
        has_previous_page=start > 0,
        total_count=len(ordered),
    )


def _walked_page(
    index: ListingIndex,
    ordering: _Ordering,
    order: Sequence[int],
    key_of: Callable[[int], SortKey],
    *,
    matched: AbstractSet[int] | None,
    window: _Window,
) -> ProductPage:
    """The page picked along the order of every product, skipping those not matched.

    Used when at least about one product in ``sqrt(catalog / page)`` matches, so the
    walk takes a few steps per listed product. Gives the same page as ``_page_of`` over
    the matches in order.
    """
    after, before = window.after, window.before
    low = 0 if after is None else _count_preceding(order, key_of, after, window.reverse, True)
    high = len(order)
    if before is not None:
        high = max(low, _count_preceding(order, key_of, before, window.reverse, False))

    def listed(place: int) -> bool:
        return matched is None or order[place] in matched

    picked: list[int] = []
    if window.backward:
        place = high - 1
        while place >= low and len(picked) < window.size:
            if listed(place):
                picked.append(place)
            place -= 1
        picked.reverse()
    else:
        place = low
        while place < high and len(picked) < window.size:
            if listed(place):
                picked.append(place)
            place += 1
    if picked:
        first, last = picked[0], picked[-1] + 1
    else:
        first = last = high if window.backward else low
    return ProductPage(
        edges=_edges(index, ordering, [order[p] for p in picked], key_of),
        has_next_page=any(listed(p) for p in range(last, len(order))),
        has_previous_page=any(listed(p) for p in range(first - 1, -1, -1)),
        total_count=len(order) if matched is None else len(matched),
    )


def _edges(
    index: ListingIndex,
    ordering: _Ordering,
    positions: Iterable[int],
    key_of: Callable[[int], SortKey],
) -> tuple[ProductEdge, ...]:
    return tuple(
        ProductEdge(index.products[i], _encode_cursor(ordering, key_of(i))) for i in positions
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


_NOTHING: frozenset[int] = frozenset()


def _matching(
    index: ListingIndex, query: ProductQuery, words: Sequence[str]
) -> AbstractSet[int] | None:
    """Positions of the products that pass every filter of ``query``; None: every product.

    Sets are intersected smallest first, and each intersection costs the smaller of its
    two sides, so a narrow filter makes the whole request cheap.
    """
    required: list[AbstractSet[int]] = []
    if not query.include_unpublished:
        required.append(index.published)
    if query.collection_id is not None:
        required.append(index.by_collection.get(query.collection_id, _NOTHING))
    for wanted in query.attributes:
        key = (wanted.name.casefold(), wanted.value.casefold())
        required.append(index.by_attribute.get(key, _NOTHING))
    if query.in_stock is True:
        required.append(index.available)
    for word in words:
        required.append(_with_prefix(index.postings, index.vocabulary, word))
    matched: AbstractSet[int] | None = None
    everyone = len(index.ids)
    for found in sorted(required, key=len):
        if len(found) == everyone:  # every product (all published, a word all share)
            continue
        matched = found if matched is None else matched & found
        if not matched:
            break
    if query.in_stock is False:
        everything = range(len(index.ids)) if matched is None else matched
        matched = {i for i in everything if i not in index.available}
    if query.min_price is not None or query.max_price is not None:
        matched = _within_price(index, range(len(index.ids)) if matched is None else matched, query)
    if query.min_rating_tenths is not None:
        rated = _rated_at_least(index, query.min_rating_tenths)
        matched = rated if matched is None else {i for i in matched if i in rated}
    return matched


def _rated_at_least(index: ListingIndex, tenths: int) -> set[int]:
    """Products whose shown average is at least ``tenths``: the head of the rating order
    (best first), walked until the first below; the work is the matches, not the catalog."""
    found: set[int] = set()
    for position in index.orders[ProductSort.RATING, None, False]:
        if index.rating_tenths[position] < tenths:
            break
        found.add(position)
    return found


def _with_prefix(postings: Postings[str], vocabulary: Sequence[str], word: str) -> AbstractSet[int]:
    """Products with a term that is ``word`` or starts with it ("tolk" -> "tolkien")."""
    low = bisect_left(vocabulary, word)
    last = word[-1:]
    if last and last != _LAST_CHARACTER:
        # The terms starting with ``word`` are the sorted run up to the first term at or
        # after ``word`` with its last character moved one up.
        high = bisect_left(vocabulary, word[:-1] + chr(ord(last) + 1), low)
    else:
        high = low
        while high < len(vocabulary) and vocabulary[high].startswith(word):
            high += 1
    if high - low == 1:
        return postings[vocabulary[low]]
    # The run's positions are one slice of the flat postings: one set made in C, not a
    # Python step per term (a short prefix of a big catalog starts thousands of terms).
    return postings.positions_between(low, high) if high > low else _NOTHING


_LAST_CHARACTER = chr(0x10FFFF)


def _within_price(index: ListingIndex, candidates: Iterable[int], query: ProductQuery) -> set[int]:
    """Products with a variant priced in the query currency inside the bounds."""
    amounts = index.prices.get(query.currency)
    if amounts is None:
        return set()
    low = query.min_price if query.min_price is not None else -(2**63)
    high = query.max_price if query.max_price is not None else 2**63
    return {i for i in candidates if any(low <= a <= high for a in amounts[i])}


def _relevance_page(
    index: ListingIndex,
    ordering: _Ordering,
    matched: AbstractSet[int] | None,
    words: Sequence[str],
    window: _Window,
) -> ProductPage:
    """A page in relevance order: more whole-word matches first, then more title
    matches, then title order; taken class by class (``catalog/relevance.py``)."""
    whole = [index.postings.get(w, _NOTHING) for w in words]
    in_title = [_with_prefix(index.title_postings, index.title_vocabulary, w) for w in words]
    members = frozenset(range(len(index.ids))) if matched is None else matched
    by_title: OrderKey = (ProductSort.TITLE, None, ordering.reverse)
    order, rank = index.orders[by_title], index.ranks[by_title]
    classes = score_classes(members, whole, in_title)
    ranked = RankedClasses(classes, order, rank, window.size, ordering.reverse)
    titles, ids = index.titles, index.ids

    def title_key(i: int) -> SortKey:
        return (0, (titles[i], ids[i]))

    def boundary(cursor: SortKey, inclusive: bool) -> Position:
        minus_whole, minus_title, title, product_id = cursor[1]
        assert isinstance(minus_whole, int)
        assert isinstance(minus_title, int)
        tail: SortKey = (0, (title, product_id))
        place = _count_preceding(order, title_key, tail, ordering.reverse, inclusive)
        return ranked.start_of((-minus_whole, -minus_title), place)

    low = (0, 0) if window.after is None else boundary(window.after, True)
    high = ranked.end if window.before is None else max(low, boundary(window.before, False))
    picked = list(itertools.islice(ranked.listed(low, high, window.backward), window.size))
    if window.backward:
        picked.reverse()
    if picked:
        first = (picked[0][0], rank[picked[0][1]])
        after_last = (picked[-1][0], rank[picked[-1][1]] + 1)
    else:
        first = after_last = high if window.backward else low

    def cursor_of(segment: int, i: int) -> str:
        score = ranked.score_of(segment)
        return _encode_cursor(ordering, (0, (-score[0], -score[1], titles[i], ids[i])))

    return ProductPage(
        edges=tuple(ProductEdge(index.products[i], cursor_of(c, i)) for c, i in picked),
        # Honest flags from the whole filtered list, as elsewhere.
        has_next_page=next(ranked.listed(after_last, ranked.end, False), None) is not None,
        has_previous_page=next(ranked.listed((0, 0), first, True), None) is not None,
        total_count=len(members),
    )


def _price_key(product_id: str, amounts: Sequence[int]) -> SortKey:
    if not amounts:
        return (_UNPRICED, (0, product_id))
    return (0, (amounts[0], product_id))


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


def _reversed_within_groups(forward: Iterable[int], key_of: Callable[[int], SortKey]) -> list[int]:
    """The reverse order, except that groups (priced, unpriced) keep their places."""
    runs = itertools.groupby(forward, key=lambda i: key_of(i)[0])
    return [i for _, run in runs for i in reversed(tuple(run))]


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
    grouped = ordering.sort in (ProductSort.PRICE, ProductSort.RATING)
    allowed_groups = (0, _UNPRICED) if grouped else (0,)
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


class ProductsByKey(Mapping[str, Product]):
    """Products by id or handle: a binary search over positions sorted by that key.

    No dict of every product: building two of them would be most of a snapshot's load.
    """

    __slots__ = ("_keys", "_order", "_products")

    def __init__(
        self, keys: Sequence[str], order: Sequence[int], products: Sequence[Product]
    ) -> None:
        self._keys = keys
        self._order = order
        self._products = products

    def __getitem__(self, key: str) -> Product:
        keys, order = self._keys, self._order
        low, high = 0, len(order)
        while low < high:
            middle = (low + high) // 2
            if keys[order[middle]] < key:
                low = middle + 1
            else:
                high = middle
        if low == len(order) or keys[order[low]] != key:
            raise KeyError(key)
        return self._products[order[low]]

    def __iter__(self) -> Iterator[str]:
        return (self._keys[i] for i in self._order)

    def __len__(self) -> int:
        return len(self._order)


@dataclass(frozen=True, slots=True, eq=False)
class CatalogView:
    """A snapshot with everything a storefront request looks up in it, built once.

    ``version`` names the published snapshot it was loaded from ("" when built in place).
    """

    snapshot: CatalogSnapshot
    index: ListingIndex
    products_by_id: Mapping[str, Product]
    products_by_handle: Mapping[str, Product]
    collections_by_id: Mapping[str, Collection]
    collections_by_handle: Mapping[str, Collection]
    version: str = ""


def build_view(snapshot: CatalogSnapshot, version: str = "") -> CatalogView:
    """The listing index and lookup tables of ``snapshot``."""
    return view_of(snapshot, build_index(snapshot), version)


def view_of(snapshot: CatalogSnapshot, index: ListingIndex, version: str = "") -> CatalogView:
    """The view of a snapshot whose index is already built (or loaded)."""
    products = index.products
    return CatalogView(
        snapshot=snapshot,
        index=index,
        products_by_id=ProductsByKey(index.ids, index.id_order, products),
        products_by_handle=ProductsByKey(index.handles, index.handle_order, products),
        collections_by_id={c.id: c for c in snapshot.collections},
        collections_by_handle={c.handle: c for c in snapshot.collections},
        version=version,
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
