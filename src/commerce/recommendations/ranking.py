"""From scores and catalog facts to recommendations, each with its reason: pure.

Three lists are built here:

- ``complementary``: a product's co-purchase neighbours (frequently bought together);
- ``related``: products sharing the product's series, author, collections or tags;
- ``personal``: a shopper's next volumes, co-purchase neighbours of what they bought,
  had in their cart or viewed, authors they read, and what they buy again; filled up with
  the best sellers of their country, then of the store.

Only sellable products are recommended (published, something in stock, priced in the
requested currency); the caller says which those are in ``Item.sellable``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from commerce.recommendations.model import Neighbour, Weights, personal_scores

# How a personal list weighs its signals against the strongest affinity (1.0).
NEXT_VOLUME = 2.0
AUTHOR = 0.6
# A cart line counts like the strongest purchase; a view like half of it.
CART = 1.0
VIEW = 0.5


class RecommendationKind(enum.StrEnum):
    """The lists a product page can ask for."""

    COMPLEMENTARY = "COMPLEMENTARY"
    RELATED = "RELATED"


class ReasonCode(enum.StrEnum):
    """Why a product is recommended (each comes with a sentence for shoppers)."""

    BOUGHT_TOGETHER = "BOUGHT_TOGETHER"
    SAME_SERIES = "SAME_SERIES"
    SAME_AUTHOR = "SAME_AUTHOR"
    SAME_COLLECTION = "SAME_COLLECTION"
    SHARED_TAG = "SHARED_TAG"
    VIEWED_TOGETHER = "VIEWED_TOGETHER"
    NEXT_IN_SERIES = "NEXT_IN_SERIES"
    BECAUSE_YOU_BOUGHT = "BECAUSE_YOU_BOUGHT"
    AUTHOR_YOU_READ = "AUTHOR_YOU_READ"
    BUY_AGAIN = "BUY_AGAIN"
    GOES_WITH_CART = "GOES_WITH_CART"
    BECAUSE_YOU_VIEWED = "BECAUSE_YOU_VIEWED"
    POPULAR_IN_COUNTRY = "POPULAR_IN_COUNTRY"
    POPULAR = "POPULAR"


@dataclass(frozen=True, slots=True)
class Reason:
    code: ReasonCode
    message: str


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A product to show, and why."""

    product_id: str
    reason: Reason


@dataclass(frozen=True, slots=True)
class Item:
    """What the ranking needs to know of a product."""

    id: str
    title: str
    authors: tuple[str, ...] = ()
    series: str | None = None
    volume: int | None = None
    collections: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    sellable: bool = True


@dataclass(frozen=True, slots=True)
class Links:
    """Products by series, author, collection and tag: built once per catalog view."""

    items: Mapping[str, Item]
    by_series: Mapping[str, tuple[str, ...]]
    by_author: Mapping[str, tuple[str, ...]]
    by_collection: Mapping[str, tuple[str, ...]]
    by_tag: Mapping[str, tuple[str, ...]]
    collection_titles: Mapping[str, str] = field(default_factory=dict)


def build_links(items: Iterable[Item], collection_titles: Mapping[str, str]) -> Links:
    """The indexes of ``items`` that ``related`` and ``personal`` look up."""
    by_series: dict[str, list[str]] = {}
    by_author: dict[str, list[str]] = {}
    by_collection: dict[str, list[str]] = {}
    by_tag: dict[str, list[str]] = {}
    found: dict[str, Item] = {}
    for item in items:
        found[item.id] = item
        if item.series:
            by_series.setdefault(item.series.casefold(), []).append(item.id)
        for author in item.authors:
            by_author.setdefault(author.casefold(), []).append(item.id)
        for collection in item.collections:
            by_collection.setdefault(collection, []).append(item.id)
        for tag in item.tags:
            by_tag.setdefault(tag.casefold(), []).append(item.id)

    def frozen(index: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
        return {key: tuple(ids) for key, ids in index.items()}

    return Links(
        found,
        frozen(by_series),
        frozen(by_author),
        frozen(by_collection),
        frozen(by_tag),
        dict(collection_titles),
    )


def _title(item: Item | None) -> str:
    return f"*{item.title}*" if item is not None else "something you bought"


def complementary(
    product_id: str, neighbour_list: Sequence[Neighbour], links: Links, first: int
) -> list[Recommendation]:
    """What is bought with the product, most similar first."""
    source = links.items.get(product_id)
    found: list[Recommendation] = []
    for neighbour in neighbour_list:
        item = links.items.get(neighbour.product_id)
        if item is None or not item.sellable or item.id == product_id:
            continue
        reason = Reason(ReasonCode.BOUGHT_TOGETHER, f"Often bought with {_title(source)}")
        found.append(Recommendation(item.id, reason))
        if len(found) >= first:
            break
    return found


def related(
    product_id: str,
    links: Links,
    first: int,
    co_viewed: Sequence[tuple[str, int]] = (),
) -> list[Recommendation]:
    """Products sharing the product's series (nearest volumes first), author, collections
    or tags, the strongest shared link as the reason; then the products its viewers also
    viewed (``co_viewed``, most viewers first), the second signal: a shared link says
    more of what a product is than a click does."""
    source = links.items.get(product_id)
    if source is None:
        return []
    # Per candidate: the sum of its links, and the strongest single link as its reason.
    scores: dict[str, tuple[float, float, Reason]] = {}

    def offer(ids: Iterable[str], score: float, reason: Reason) -> None:
        for pid in ids:
            if pid == product_id:
                continue
            total, strongest, held = scores.get(pid, (0.0, 0.0, reason))
            if score > strongest:
                strongest, held = score, reason
            scores[pid] = (total + score, strongest, held)

    if source.series:
        for pid in links.by_series.get(source.series.casefold(), ()):
            other = links.items[pid]
            distance = abs((other.volume or 0) - (source.volume or 0))
            offer(
                [pid],
                4.0 - min(distance, 10) * 0.1,
                Reason(ReasonCode.SAME_SERIES, f"Also in *{source.series}*"),
            )
    for author in source.authors:
        offer(
            links.by_author.get(author.casefold(), ()),
            2.0,
            Reason(ReasonCode.SAME_AUTHOR, f"Also by {author}"),
        )
    for collection in source.collections:
        if collection in links.collection_titles and not _is_series(links, collection, source):
            title = links.collection_titles[collection]
            offer(
                links.by_collection.get(collection, ()),
                1.0,
                Reason(ReasonCode.SAME_COLLECTION, f"Also in {title}"),
            )
    for tag in source.tags:
        offer(
            links.by_tag.get(tag.casefold(), ()),
            0.5,
            Reason(ReasonCode.SHARED_TAG, f"Also tagged {tag}"),
        )
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1][0], links.items[kv[0]].title, kv[0]))
    found = [
        Recommendation(pid, reason) for pid, (_, _, reason) in ranked if links.items[pid].sellable
    ][:first]
    if len(found) < first:
        viewed = Reason(
            ReasonCode.VIEWED_TOGETHER, f"Viewed by shoppers who viewed {_title(source)}"
        )
        for pid, _ in co_viewed:
            item = links.items.get(pid)
            if item is None or not item.sellable or pid == product_id or pid in scores:
                continue
            found.append(Recommendation(pid, viewed))
            if len(found) >= first:
                break
    return found


def _is_series(links: Links, collection: str, item: Item) -> bool:
    # A series' own collection repeats the series link; it is not a second reason.
    return item.series is not None and links.collection_titles.get(collection) == item.series


# ``personal``'s collector of candidates: product id, score, reason.
_Offer = Callable[[str, float, "Reason"], None]


@dataclass(frozen=True, slots=True)
class ShopperSignals:
    """Everything known of the shopper, as of now."""

    affinity: Mapping[str, float] = field(default_factory=dict)
    owned: frozenset[str] = frozenset()
    cart: tuple[str, ...] = ()
    viewed: tuple[str, ...] = ()
    country: str | None = None


def personal(
    signals: ShopperSignals,
    neighbour_lists: Mapping[str, Sequence[Neighbour]],
    links: Links,
    popular: Mapping[str, Sequence[str]],
    *,
    first: int,
    weights: Weights,
    store_wide: str = "*",
) -> list[Recommendation]:
    """A shopper's list, best first; ``popular`` lists by country code and ``store_wide``."""
    bought = signals.affinity
    top = max(bought.values(), default=1.0) or 1.0
    seeds: dict[str, float] = dict(bought)
    origin: dict[str, ReasonCode] = dict.fromkeys(bought, ReasonCode.BECAUSE_YOU_BOUGHT)
    for pid in signals.viewed:
        if pid not in seeds:
            seeds[pid], origin[pid] = VIEW * top, ReasonCode.BECAUSE_YOU_VIEWED
    for pid in signals.cart:
        seeds[pid], origin[pid] = max(seeds.get(pid, 0.0), CART * top), ReasonCode.GOES_WITH_CART
    # Never what is in the cart, nor a one-off already owned.
    exclude = set(signals.cart) | set(signals.owned)
    repeatable = {pid for pid in bought if pid not in signals.owned}
    best: dict[str, tuple[float, Reason]] = {}

    def offer(pid: str, score: float, reason: Reason) -> None:
        item = links.items.get(pid)
        if pid in exclude or item is None or not item.sellable:
            return
        held = best.get(pid)
        if held is None or score > held[0]:
            best[pid] = (score, reason)

    for scored in personal_scores(
        seeds,
        neighbour_lists,
        weights,
        repeatable=repeatable | set(signals.viewed),
        exclude=exclude,
    ):
        if scored.because_of is None:
            if scored.product_id in bought:
                offer(
                    scored.product_id,
                    scored.score,
                    Reason(ReasonCode.BUY_AGAIN, "You bought this before"),
                )
            continue
        code = origin.get(scored.because_of, ReasonCode.BECAUSE_YOU_BOUGHT)
        seed = _title(links.items.get(scored.because_of))
        message = {
            ReasonCode.GOES_WITH_CART: f"Goes with {seed} in your cart",
            ReasonCode.BECAUSE_YOU_VIEWED: f"Because you viewed {seed}",
        }.get(code, f"Because you bought {seed}")
        offer(scored.product_id, scored.score, Reason(code, message))
    _series_and_authors(bought, top, links, offer)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))
    chosen = [Recommendation(pid, reason) for pid, (_, reason) in ranked[:first]]
    _fill_with_popular(
        chosen,
        signals,
        links,
        popular,
        first=first,
        exclude=exclude | set(bought),
        store_wide=store_wide,
    )
    return chosen


def _series_and_authors(
    bought: Mapping[str, float], top: float, links: Links, offer: _Offer
) -> None:
    """The next volume of each series the shopper bought, and their authors' other books."""
    reading: dict[str, tuple[int, float]] = {}
    authors: dict[str, tuple[str, float]] = {}
    for pid, weight in bought.items():
        item = links.items.get(pid)
        if item is None:
            continue
        if item.series and item.volume is not None:
            key = item.series.casefold()
            last, total = reading.get(key, (0, 0.0))
            reading[key] = (max(last, item.volume), total + weight)
        for author in item.authors:
            name, total = authors.get(author.casefold(), (author, 0.0))
            authors[author.casefold()] = (name, total + weight)
    for key, (last, weight) in reading.items():
        for pid in links.by_series.get(key, ()):
            item = links.items[pid]
            if item.volume == last + 1 and pid not in bought:
                offer(
                    pid,
                    NEXT_VOLUME * (1 + weight / top),
                    Reason(ReasonCode.NEXT_IN_SERIES, f"Next in *{item.series}*"),
                )
    for key, (_name, weight) in authors.items():
        for pid in links.by_author.get(key, ()):
            if pid not in bought:
                offer(
                    pid,
                    AUTHOR * weight / top,
                    Reason(ReasonCode.AUTHOR_YOU_READ, "By an author you read"),
                )


def _fill_with_popular(
    chosen: list[Recommendation],
    signals: ShopperSignals,
    links: Links,
    popular: Mapping[str, Sequence[str]],
    *,
    first: int,
    exclude: Collection[str],
    store_wide: str,
) -> None:
    taken = {r.product_id for r in chosen} | set(exclude)
    lists: list[tuple[Sequence[str], Reason]] = []
    if signals.country and signals.country in popular:
        lists.append(
            (
                popular[signals.country],
                Reason(ReasonCode.POPULAR_IN_COUNTRY, f"Popular in {signals.country}"),
            )
        )
    lists.append((popular.get(store_wide, ()), Reason(ReasonCode.POPULAR, "Popular in the store")))
    for ids, reason in lists:
        for pid in ids:
            if len(chosen) >= first:
                return
            item = links.items.get(pid)
            if pid in taken or item is None or not item.sellable:
                continue
            chosen.append(Recommendation(pid, reason))
            taken.add(pid)
