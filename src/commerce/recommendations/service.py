"""Recommendation use cases: signals in (paid orders, views), lists out, training, erasure.

Reads cost a bounded number of DynamoDB calls whatever the list length: a product's
complementary list is its one co-purchase row (a listing's rows come in one
BatchGetItem); a related list is the catalog view already in memory and its one
co-view row (a listing's in one BatchGetItem); a
shopper's list reads their partition (one Query), the rows of their seeds (one
BatchGetItem), the best-seller lists (one BatchGetItem) and, for a cart, the cart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from commerce.cart.service import CartService
from commerce.catalog.listing import CatalogView
from commerce.catalog.model import Availability, Product, VariantKind, availability
from commerce.catalog.service import CatalogService
from commerce.db.table import MAX_TRANSACTION_ITEMS
from commerce.db.writes import ConditionsFailed, WriteSet
from commerce.ids import is_id
from commerce.money import Currency
from commerce.orders.model import Order, OrderFilter, OrderStatus
from commerce.orders.service import OrdersService
from commerce.principals import Shopper
from commerce.problems import Rejected
from commerce.recommendations import co_views, ranking
from commerce.recommendations.model import (
    Neighbour,
    Purchase,
    Weights,
    add_basket,
    affinity,
    count_baskets,
    neighbours,
)
from commerce.recommendations.ranking import Item, Links, Recommendation, RecommendationKind
from commerce.recommendations.shoppers import (
    SECONDS_PER_DAY,
    PaidBasket,
    ShopperProfile,
    ShopperRef,
    is_shopper_id,
    with_basket,
    with_views,
)
from commerce.recommendations.store import co_purchases, orders_counted, popular, shoppers
from commerce.recommendations.store import co_views as co_view_rows

log = logging.getLogger("commerce.recommendations")

# The most a client may ask for in one list: a row of a page, not a catalog.
MAX_FIRST = 20
# Neighbours kept per product when a list is built from its row.
NEIGHBOURS = 30
# Seeds of a personal list whose rows are read (one BatchGetItem holds 100 keys).
MAX_SEEDS = 50
POPULAR_SIZE = 50
# A paid order's counts, its marker and the shopper's affinity are one transaction.
MAX_BASKET = MAX_TRANSACTION_ITEMS - 2
# The paid states a training run reads (refunded orders no longer say "I wanted this").
_TRAINED_STATES = (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.PARTIALLY_REFUNDED)
_PAGE = 100
_RETRIES = 3


# A bookstore's blend: co-purchase neighbours lead; buying the same title again is rare,
# so a past purchase weighs a quarter (groceries, as in bench/, want it at full weight).
STORE_WEIGHTS = Weights(repeat=0.25, neighbour=1.0)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class TooMany(ValueError):
    """``first`` beyond ``MAX_FIRST`` (or below 1)."""


@dataclass(frozen=True, slots=True)
class TrainingReport:
    """What a training run read and wrote."""

    orders: int
    products: int
    shoppers: int
    seconds: float


class RecommendationService:
    """Recommendations over the single table, the catalog view and the order history."""

    def __init__(
        self,
        catalog: CatalogService,
        carts: CartService,
        orders: OrdersService,
        *,
        half_life_days: float,
        view_days: int,
        history_days: int,
        weights: Weights = STORE_WEIGHTS,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._catalog = catalog
        self._carts = carts
        self._orders = orders
        self._half_life = half_life_days
        self._view_days = view_days
        self._history_days = history_days
        self._weights = weights
        self._clock = clock
        self._links: dict[tuple[int, Currency], Links] = {}

    # -- signals -----------------------------------------------------------------------

    def record_paid_order(self, order: Order) -> bool:
        """Count a paid order's basket and its shopper's affinity, once per order.

        False when it was counted already (a redelivered stream record) or holds nothing.
        Two orders sharing a product at the same moment make one of them retry.
        """
        basket = paid_basket(order)
        if not basket.product_ids:
            return False
        for attempt in range(_RETRIES):
            rows = co_purchases.get_rows(basket.product_ids)
            after = add_basket({pid: r.counts for pid, r in rows.items()}, basket.product_ids)
            writes = WriteSet()
            orders_counted.add_counted(writes, order.id, basket.paid_at + timedelta(days=30))
            co_purchases.add_row_changes(writes, rows, after)
            if basket.customer_id is not None:
                ref = ShopperRef.customer(basket.customer_id)
                profile, stored = shoppers.get_profile(ref, self._clock())
                shoppers.add_affinity_change(
                    writes, stored, with_basket(profile, basket, self._half_life)
                )
            try:
                writes.commit()
            except ConditionsFailed as failed:
                if orders_counted.COUNTED_LABEL in failed.labels:
                    return False
                log.info("co-purchase rows changed, retrying", extra={"attempt": attempt + 1})
                continue
            return True
        raise ConditionsFailed(("row unchanged",))

    def record_views(
        self,
        shopper: ShopperRef,
        product_ids: Sequence[str],
        at: datetime,
        *,
        count_co_views: bool = True,
    ) -> None:
        """The port journeys calls with the products a shopper viewed at ``at``.

        Keeps the last ``MAX_VIEWS`` products, newest first, for ``view_days``; ids that are
        not ids (of products or of the shopper) are ignored, never stored. A product new
        to the list is co-viewed once with each product already on it (``co_views.py``).
        """
        wanted = [pid for pid in product_ids if is_id(pid)]
        if not wanted or not is_shopper_id(shopper.id):
            return
        profile, _ = shoppers.get_profile(shopper, at)
        views = with_views(profile.views, wanted, at)
        shoppers.put_views(shopper, views, at + timedelta(days=self._view_days))
        if count_co_views:
            earlier = [v.product_id for v in profile.views]
            known = set(earlier)
            fresh = [pid for pid in dict.fromkeys(wanted) if pid not in known]
            self._count_co_views(fresh[: co_views.PAIR_WINDOW], earlier)

    def _count_co_views(self, fresh: Sequence[str], earlier: Sequence[str]) -> None:
        if not fresh or (len(fresh) < 2 and not earlier):
            return
        for attempt in range(_RETRIES):
            rows = co_view_rows.get_rows([*fresh, *earlier[: co_views.PAIR_WINDOW]])
            after = co_views.add_co_views(
                {pid: r.counts for pid, r in rows.items()}, fresh, earlier
            )
            writes = WriteSet()
            co_view_rows.add_row_changes(writes, rows, after)
            try:
                writes.commit()
            except ConditionsFailed:
                log.info("co-view rows changed, retrying", extra={"attempt": attempt + 1})
                continue
            return
        # A signal, not a ledger: a view that keeps losing the race pairs nothing.
        log.warning("co-views not counted after retries", extra={"products": len(fresh)})

    def products_viewed(
        self,
        visitor_id: str,
        customer_id: str | None,
        product_ids: Sequence[str],
        at: datetime,
    ) -> None:
        """Journeys' product views: the visitor's list, and the customer's when stitched.

        Both ids were issued by this store (the visitor's came out of a signed token), so
        a caller cannot fill someone else's list.
        """
        self.record_views(ShopperRef.visitor(visitor_id), product_ids, at)
        if customer_id is not None:
            # The visitor's list counted the co-views: the same person counts once.
            self.record_views(
                ShopperRef.customer(customer_id), product_ids, at, count_co_views=False
            )

    def forget_visitors(self, visitor_ids: Sequence[str]) -> None:
        """Withdrawn consent or an erased customer: the visitors' viewed lists go."""
        for visitor_id in visitor_ids:
            if is_shopper_id(visitor_id):
                shoppers.erase(ShopperRef.visitor(visitor_id))

    def recently_viewed(self, shopper: ShopperRef) -> list[str]:
        """The shopper's recently viewed products, newest first."""
        profile, _ = shoppers.get_profile(shopper, self._clock())
        return [v.product_id for v in profile.views]

    def erase_customer(self, customer_id: str) -> int:
        """Forget everything kept on a customer (affinity, views); items deleted.

        Co-purchase counts keep no shopper: they stay.
        """
        return shoppers.erase(ShopperRef.customer(customer_id))

    # -- reads -------------------------------------------------------------------------

    def for_products(
        self,
        product_ids: Sequence[str],
        kind: str,
        first: int,
        currency: Currency,
    ) -> dict[str, list[Recommendation]]:
        """Each product's list of ``kind`` (a ``RecommendationKind`` name); unknown or hidden
        products get an empty one."""
        _check_first(first)
        links = self._links_for(self._catalog.view(), currency)
        if RecommendationKind(kind) is RecommendationKind.RELATED:
            known = [pid for pid in product_ids if pid in links.items]
            viewed = co_view_rows.get_rows(known) if known else {}
            return {
                pid: ranking.related(
                    pid,
                    links,
                    first,
                    co_viewed=co_views.strongest(viewed[pid].counts, NEIGHBOURS)
                    if pid in viewed
                    else (),
                )
                for pid in product_ids
            }
        known = [pid for pid in product_ids if pid in links.items]
        rows = co_purchases.get_rows(known) if known else {}
        return {
            pid: ranking.complementary(
                pid, neighbours(rows[pid].counts, NEIGHBOURS, self._weights.metric), links, first
            )
            if pid in rows
            else []
            for pid in product_ids
        }

    def for_shopper(
        self,
        shopper: Shopper,
        first: int,
        currency: Currency,
        *,
        cart_token: str | None = None,
        visitor_id: str | None = None,
    ) -> list[Recommendation]:
        """The caller's own list: a customer's history, a visitor's views, a cart's lines.

        Another customer's cart counts as no cart: nothing of it is revealed.
        """
        _check_first(first)
        now = self._clock()
        links = self._links_for(self._catalog.view(), currency)
        profile = ShopperProfile(ref=ShopperRef.visitor(visitor_id or ""))
        if shopper.customer_id is not None:
            profile, _ = shoppers.get_profile(ShopperRef.customer(shopper.customer_id), now)
        elif visitor_id:
            profile, _ = shoppers.get_profile(ShopperRef.visitor(visitor_id), now)
        signals = ranking.ShopperSignals(
            affinity=profile.weights_at(now, self._half_life),
            owned=profile.owned,
            cart=self._cart_products(cart_token, shopper),
            viewed=tuple(v.product_id for v in profile.views),
            country=profile.country,
        )
        seeds = _strongest_seeds(signals)
        rows = co_purchases.get_rows(seeds) if seeds else {}
        lists: dict[str, Sequence[Neighbour]] = {
            pid: neighbours(row.counts, NEIGHBOURS, self._weights.metric)
            for pid, row in rows.items()
        }
        scopes = [popular.STORE_WIDE, *([signals.country] if signals.country else [])]
        best_sellers = popular.get_popular(scopes)
        return ranking.personal(
            signals,
            lists,
            links,
            best_sellers,
            first=first,
            weights=self._weights,
            store_wide=popular.STORE_WIDE,
        )

    def _cart_products(self, cart_token: str | None, shopper: Shopper) -> tuple[str, ...]:
        if cart_token is None:
            return ()
        try:
            priced = self._carts.cart(cart_token, shopper)
        except Rejected:  # expired: an empty cart, as far as taste goes
            return ()
        if priced is None:
            return ()
        return tuple(dict.fromkeys(line.product_id for line in priced.cart.lines))

    def _links_for(self, view: CatalogView, currency: Currency) -> Links:
        """The catalog's links for ``currency``, built once per catalog view."""
        key = (id(view), currency)
        links = self._links.get(key)
        if links is None:
            links = catalog_links(view, currency)
            # Views are replaced whole: keep the current one's links only.
            self._links = {key: links}
        return links

    # -- training ----------------------------------------------------------------------

    def train(self, now: datetime) -> TrainingReport:
        """Recount every row, affinity and best-seller list from the paid orders of the
        last ``history_days`` (the scheduled job; idempotent, rows are rewritten whole)."""
        started = time.perf_counter()
        since = now - timedelta(days=self._history_days)
        baskets = [paid_basket(order) for order in self._paid_orders(since, now)]
        baskets = [b for b in baskets if b.product_ids]
        rows = count_baskets(b.product_ids for b in baskets)
        co_purchases.replace_rows(rows.items())
        profiles = _profiles(baskets, now, self._half_life)
        shoppers.replace_affinities(profiles)
        popular.replace_popular(_best_sellers(baskets, now, self._half_life))
        return TrainingReport(
            orders=len(baskets),
            products=len(rows),
            shoppers=len(profiles),
            seconds=round(time.perf_counter() - started, 3),
        )

    def _paid_orders(self, since: datetime, until: datetime) -> list[Order]:
        found: list[Order] = []
        for status in _TRAINED_STATES:
            where = OrderFilter(status=status, created_from=since, created_to=until)
            after: str | None = None
            while True:
                page = self._orders.orders(where, _PAGE, after)
                found.extend(page.orders)
                if not page.has_next_page or not page.orders:
                    break
                after = page.cursors[page.orders[-1].id]
        return found


def _check_first(first: int) -> None:
    if first < 1 or first > MAX_FIRST:
        raise TooMany(f"first must be between 1 and {MAX_FIRST}")


def paid_basket(order: Order) -> PaidBasket:
    """What a paid order says about its shopper (distinct products, capped for one
    transaction; the lines after the cap still count as affinity at the next training)."""
    product_ids = tuple(dict.fromkeys(line.product_id for line in order.lines))[:MAX_BASKET]
    paid_at = next(
        (c.at for c in order.history if c.to_status is OrderStatus.PAID), order.updated_at
    )
    address = order.shipping_address
    return PaidBasket(
        order_id=order.id,
        customer_id=order.customer_id,
        paid_at=paid_at,
        product_ids=product_ids,
        one_off_ids=frozenset(
            line.product_id
            for line in order.lines
            if line.kind is VariantKind.DIGITAL and line.product_id in product_ids
        ),
        country=address.country_code if address is not None else None,
    )


def _profiles(
    baskets: Sequence[PaidBasket], now: datetime, half_life: float
) -> list[ShopperProfile]:
    by_customer: dict[str, list[PaidBasket]] = {}
    for basket in baskets:
        if basket.customer_id is not None:
            by_customer.setdefault(basket.customer_id, []).append(basket)
    profiles: list[ShopperProfile] = []
    for customer_id, own in by_customer.items():
        own.sort(key=lambda b: b.paid_at)
        purchases = [
            Purchase(pid, b.paid_at.timestamp() / SECONDS_PER_DAY)
            for b in own
            for pid in b.product_ids
        ]
        countries = [b.country for b in own if b.country]
        profiles.append(
            ShopperProfile(
                ref=ShopperRef.customer(customer_id),
                weights=affinity(purchases, now.timestamp() / SECONDS_PER_DAY, half_life),
                as_of=now,
                owned=frozenset().union(*(b.one_off_ids for b in own)),
                country=countries[-1] if countries else None,
            )
        )
    return profiles


def _best_sellers(
    baskets: Sequence[PaidBasket], now: datetime, half_life: float
) -> dict[str, list[str]]:
    """Best sellers store-wide and per country, recent sales counting more."""
    today = now.timestamp() / SECONDS_PER_DAY
    scores: dict[str, dict[str, float]] = {}
    for basket in baskets:
        weight = affinity(
            [Purchase("", basket.paid_at.timestamp() / SECONDS_PER_DAY)], today, half_life
        )[""]
        for scope in (popular.STORE_WIDE, basket.country):
            if scope is None:
                continue
            row = scores.setdefault(scope, {})
            for pid in basket.product_ids:
                row[pid] = row.get(pid, 0.0) + weight
    return {
        scope: [pid for pid, _ in sorted(row.items(), key=lambda kv: (-kv[1], kv[0]))][
            :POPULAR_SIZE
        ]
        for scope, row in scores.items()
    }


def _strongest_seeds(signals: ranking.ShopperSignals) -> list[str]:
    bought = sorted(signals.affinity.items(), key=lambda kv: (-kv[1], kv[0]))
    seeds = [*signals.cart, *signals.viewed, *(pid for pid, _ in bought)]
    return list(dict.fromkeys(seeds))[:MAX_SEEDS]


def catalog_links(view: CatalogView, currency: Currency) -> Links:
    """The ranking's facts of every product in ``view``, sellable meaning: published,
    priced in ``currency`` and with a variant for sale now (stock as old as the view)."""
    stock = view.snapshot.stock
    items = [_item(p, stock, currency) for p in view.snapshot.products]
    titles = {c.id: c.title for c in view.snapshot.collections}
    return ranking.build_links(items, titles)


def _item(product: Product, stock: Mapping[str, int], currency: Currency) -> Item:
    volumes = [int(v) for v in product.attribute("volume") if v.strip().isdigit()]
    series = product.attribute("series")
    for_sale = any(
        v.price_in(currency) is not None and _for_sale(availability(v, stock))
        for v in product.variants
    )
    return Item(
        id=product.id,
        title=product.title,
        authors=product.attribute("author"),
        series=series[0] if series else None,
        volume=volumes[0] if volumes else None,
        collections=product.collection_ids,
        tags=product.tags,
        sellable=product.published and for_sale,
    )


def _for_sale(known: Availability) -> bool:
    return known.available_for_sale
