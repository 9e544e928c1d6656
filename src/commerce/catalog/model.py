"""The catalog's domain types: plain frozen dataclasses, no I/O.

A product is one aggregate with its variants; stock is kept apart, per physical
variant, because checkout decrements it in a transaction of its own (see
``docs/data-model.md``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from commerce.money import Currency, Money


class VariantKind(enum.Enum):
    """Whether a variant ships as a parcel or is delivered by download."""

    PHYSICAL = "PHYSICAL"
    DIGITAL = "DIGITAL"


@dataclass(frozen=True, slots=True)
class OptionValue:
    """One choice that tells variants apart, such as Format: Hardcover."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Attribute:
    """A named product property with one or more values (author, series, ...)."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Image:
    """A product or collection picture, referenced by URL."""

    url: str
    alt_text: str = ""
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class Variant:
    """A purchasable version of a product, identified by its SKU."""

    id: str
    sku: str
    options: tuple[OptionValue, ...]
    prices: tuple[Money, ...]
    kind: VariantKind = VariantKind.PHYSICAL
    cost: Money | None = None
    weight_grams: int | None = None
    # Digital goods: the file a download delivers (a key in the files bucket or folder).
    asset_key: str | None = None

    @property
    def title(self) -> str:
        """A readable name made of the option values ("Hardcover")."""
        return " / ".join(o.value for o in self.options) or "Default"

    def price_in(self, currency: Currency) -> Money | None:
        """The price in ``currency``, or None: prices are never converted."""
        for price in self.prices:
            if price.currency is currency:
                return price
        return None

    @property
    def tracks_stock(self) -> bool:
        """Digital goods have no stock limit."""
        return self.kind is VariantKind.PHYSICAL


@dataclass(frozen=True, slots=True)
class Product:
    """A catalog entry with its variants; the unit a storefront lists."""

    id: str
    handle: str
    title: str
    description: str
    created_at: datetime
    updated_at: datetime
    variants: tuple[Variant, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    tags: tuple[str, ...] = ()
    images: tuple[Image, ...] = ()
    collection_ids: tuple[str, ...] = ()
    published: bool = False

    def attribute(self, name: str) -> tuple[str, ...]:
        """The values of attribute ``name`` (case-insensitive), empty when absent."""
        wanted = name.casefold()
        for attribute in self.attributes:
            if attribute.name.casefold() == wanted:
                return attribute.values
        return ()

    def variant(self, variant_id: str) -> Variant | None:
        """The variant with this id, if it belongs to the product."""
        return next((v for v in self.variants if v.id == variant_id), None)

    def min_price(self, currency: Currency) -> Money | None:
        """The lowest variant price in ``currency``, or None when none is priced in it."""
        prices = [p for v in self.variants if (p := v.price_in(currency)) is not None]
        return min(prices) if prices else None

    def max_price(self, currency: Currency) -> Money | None:
        """The highest variant price in ``currency``, or None when none is priced in it."""
        prices = [p for v in self.variants if (p := v.price_in(currency)) is not None]
        return max(prices) if prices else None


@dataclass(frozen=True, slots=True)
class Collection:
    """A named group of products: a series, a category, a curated shelf."""

    id: str
    handle: str
    title: str
    description: str
    created_at: datetime
    updated_at: datetime
    image: Image | None = None


@dataclass(frozen=True, slots=True)
class StockLevel:
    """Units of a physical variant that can still be sold."""

    product_id: str
    variant_id: str
    available: int


@dataclass(frozen=True, slots=True)
class Availability:
    """What a shopper may buy of a variant right now."""

    available_for_sale: bool
    quantity: int | None  # None: not limited (digital goods)


def availability(variant: Variant, stock: Mapping[str, int]) -> Availability:
    """Whether ``variant`` can be sold, given stock counts by variant id."""
    if not variant.tracks_stock:
        return Availability(available_for_sale=True, quantity=None)
    quantity = max(0, stock.get(variant.id, 0))
    return Availability(available_for_sale=quantity > 0, quantity=quantity)


@dataclass(frozen=True, slots=True)
class ProductView:
    """A product as a shopper or staff member reads it: with stock by variant id."""

    product: Product
    stock: Mapping[str, int]


STARS = (1, 2, 3, 4, 5)


@dataclass(frozen=True, slots=True)
class ProductRating:
    """A product's published reviews in numbers: how many gave each star rating.

    Whole counts only, never a float: the count and the total follow from them, and the
    average is an exact ``Decimal`` of those two, shown with one decimal. Reviews are
    kept by the reviews context; the catalog keeps these counts on the product's
    partition so that listings sort and filter by them (docs/decisions/0021-reviews.md).
    """

    distribution: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)

    @property
    def count(self) -> int:
        """Published reviews."""
        return sum(self.distribution)

    @property
    def total(self) -> int:
        """The sum of their star ratings."""
        return sum(stars * n for stars, n in zip(STARS, self.distribution, strict=True))

    @property
    def average(self) -> Decimal | None:
        """The mean rating with one decimal, rounded half up (4.25 shows as 4.3); None
        without reviews."""
        if self.count == 0:
            return None
        return (Decimal(self.total) / Decimal(self.count)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def tenths(self) -> int | None:
        """The shown average in tenths of a star (43 for 4.3): what sorting and the
        ``minRating`` filter compare, so a listing agrees with what shoppers read."""
        if self.count == 0:
            return None
        # Half up in integers: floor((20 * total + count) / (2 * count)).
        return (20 * self.total + self.count) // (2 * self.count)

    def changed(self, deltas: Sequence[int]) -> ProductRating:
        """These counts with ``deltas`` (one per star rating) added."""
        moved = tuple(n + d for n, d in zip(self.distribution, deltas, strict=True))
        return ProductRating((moved[0], moved[1], moved[2], moved[3], moved[4]))


@dataclass(frozen=True, slots=True)
class CatalogSnapshot:
    """Every product, collection and stock count, as read at one moment.

    The storefront lists, filters and searches from a published snapshot held in
    memory (``docs/decisions/0012-catalog-at-scale.md``); ``products`` may decode
    each product only when it is read.
    """

    products: Sequence[Product]
    collections: tuple[Collection, ...]
    stock: Mapping[str, int] = field(default_factory=dict)
    # Published reviews' counts by product id; products without reviews are absent.
    ratings: Mapping[str, ProductRating] = field(default_factory=dict)

    def product_by_handle(self, handle: str) -> Product | None:
        """The product with this handle, if any."""
        return next((p for p in self.products if p.handle == handle), None)

    def collection_by_handle(self, handle: str) -> Collection | None:
        """The collection with this handle, if any."""
        return next((c for c in self.collections if c.handle == handle), None)


_HANDLE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NON_WORD = re.compile(r"[^a-z0-9]+")

MAX_HANDLE_LENGTH = 120


def is_valid_handle(handle: str) -> bool:
    """Handles are lowercase words joined by hyphens, as used in storefront URLs."""
    return len(handle) <= MAX_HANDLE_LENGTH and bool(_HANDLE.match(handle))


def handle_from_title(title: str) -> str:
    """A URL handle derived from a title ("The Hobbit!" -> "the-hobbit")."""
    ascii_title = title.casefold().encode("ascii", "ignore").decode()
    return _NON_WORD.sub("-", ascii_title).strip("-")[:MAX_HANDLE_LENGTH].strip("-")


def search_terms(product: Product) -> frozenset[str]:
    """The words a text query can match: title, author and tags."""
    words: set[str] = set()
    for text in (product.title, *product.attribute("author"), *product.tags):
        words.update(w for w in _NON_WORD.split(text.casefold()) if w)
    return frozenset(words)


def tokenize_query(text: str) -> tuple[str, ...]:
    """The words of a shopper's search text, in the same form as ``search_terms``."""
    return tuple(w for w in _NON_WORD.split(text.casefold()) if w)


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """Values in first-seen order without repeats."""
    return tuple(dict.fromkeys(values))
