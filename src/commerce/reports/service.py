"""Store reports: sales, best sellers, margin, stock as of any moment, price history.

The events function keeps the rollups (``record_order``, ``record_prices``); requests
read them, one Query per grouping over the range, and never scan. Each paid order is
added once: its mark and the rollups it changes commit in one transaction, and a
refund adds only what the mark does not hold yet (a delta from the cumulative refunded
amount), so a redelivered or replayed stream record changes nothing.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from commerce.catalog.model import Product, Variant
from commerce.catalog.service import CatalogService
from commerce.db.table import MAX_TRANSACTION_ITEMS
from commerce.db.writes import ConditionsFailed, WriteSet
from commerce.inventory.service import InventoryService
from commerce.journeys.service import AttributionService
from commerce.money import Currency, Money
from commerce.orders.model import Order
from commerce.reports import store
from commerce.reports.model import (
    DateRange,
    DayRollup,
    Delta,
    Granularity,
    GroupBy,
    Labels,
    Ranking,
    SalesFigures,
    SalesRow,
    best_sellers,
    folded,
    merged,
    paid_at,
    refund_delta,
    sale_delta,
    sales_rows,
    totals,
    variant_key,
)
from commerce.reports.store import PriceChange

# Days of sales that "days of cover" divides the stock by.
COVER_DAYS = 28
# Variants whose levels one read of the stock report asks for together.
STOCK_PAGE = 100
# A filtered page looks at the levels of at most this many pages' worth of variants.
STOCK_SCAN_PAGES = 4
_ATTEMPTS = 8
RATIO_PLACES = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class MarginRow:
    """A currency's gross margin over a range, with ad spend where it was imported."""

    currency: Currency
    figures: SalesFigures
    ad_spend: int | None

    @property
    def margin_rate(self) -> Decimal | None:
        """Gross margin / net sales, 4 decimals; None without net sales."""
        net = self.figures.net
        return None if net == 0 else _ratio(self.figures.margin, net)

    @property
    def margin_after_ad_spend(self) -> int | None:
        return None if self.ad_spend is None else self.figures.margin - self.ad_spend

    @property
    def roas(self) -> Decimal | None:
        """Net sales / ad spend; None without spend."""
        return None if not self.ad_spend else _ratio(self.figures.net, self.ad_spend)


@dataclass(frozen=True, slots=True)
class StockRow:
    """One physical variant's stock at a moment, and how long it lasts at recent sales."""

    product_id: str
    variant_id: str
    title: str
    sku: str
    available: int
    units_sold: int
    days_of_cover: Decimal | None
    low: bool


# (title, product id, variant id): where a physical variant stands in the stock report.
StockPosition = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class StockPage:
    """One page of the stock report, and where the next one starts."""

    rows: list[StockRow]
    last: StockPosition | None
    has_more: bool


def _stock_row(
    product: Product, variant: Variant, available: int, units: dict[str, int], low: int | None
) -> StockRow:
    recent = units.get(variant_key(product.id, variant.id), 0)
    cover = (
        None
        if recent == 0
        else (Decimal(available * COVER_DAYS) / Decimal(recent)).quantize(Decimal("0.1"))
    )
    return StockRow(
        product_id=product.id,
        variant_id=variant.id,
        title=f"{product.title} ({variant.title})",
        sku=variant.sku,
        available=available,
        units_sold=recent,
        days_of_cover=cover,
        low=low is not None and available < low,
    )


def _ratio(numerator: int, denominator: int) -> Decimal:
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        RATIO_PLACES, rounding=ROUND_HALF_EVEN
    )


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What one order adds to the rollups, and the mark that says it is in."""

    order: Order
    changes: list[tuple[date, Delta, Labels]]
    refunded: int
    rev: int

    @property
    def keys(self) -> list[store.RollupKey]:
        """The rollup documents the order changes."""
        currency = self.order.currency
        return [(g, day, currency) for day, delta, _ in self.changes for g in delta]


def _latest_paid(orders: Sequence[Order]) -> list[Order]:
    """The paid orders of a batch, each once: the copy with the most refunded (and of
    those the last), since a later stream record never holds less."""
    latest: dict[str, Order] = {}
    for order in orders:
        known = latest.get(order.id)
        if order.is_paid and (known is None or order.refunded.amount >= known.refunded.amount):
            latest[order.id] = order
    return list(latest.values())


def _plan(order: Order, marked: tuple[int, int] | None) -> _Plan | None:
    """The sale (if not in yet) and the refund not in yet; None when nothing is new."""
    refunded = order.refunded.amount
    changes: list[tuple[date, Delta, Labels]] = []
    if marked is None:
        changes.append((paid_at(order).date(), *sale_delta(order)))
        before, rev = 0, 0
    else:
        before, rev = marked
    if refunded > before:
        changes.append((order.updated_at.date(), *refund_delta(order, refunded - before)))
    if not changes:
        return None
    return _Plan(order, changes, max(refunded, before), rev)


def _transactions(plans: list[_Plan]) -> list[list[_Plan]]:
    """Plans in groups whose marks and rollup documents fit one transaction."""
    chunks: list[list[_Plan]] = []
    keys: set[store.RollupKey] = set()
    for plan in plans:
        new = keys | set(plan.keys)
        if chunks and len(chunks[-1]) + 1 + len(new) <= MAX_TRANSACTION_ITEMS:
            chunks[-1].append(plan)
            keys = new
        else:
            chunks.append([plan])
            keys = set(plan.keys)
    return chunks


class ReportsService:
    """Rollups kept from the stream, and the reports read from them."""

    def __init__(
        self,
        catalog: CatalogService,
        inventory: InventoryService,
        attribution: AttributionService,
        *,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._catalog = catalog
        self._inventory = inventory
        self._attribution = attribution
        self._clock = clock

    # -- the events function -------------------------------------------------------------

    def record_order(self, order: Order) -> bool:
        """Add a paid order's sale (once) and its refunds (what is not in yet) to the
        rollups; False when there was nothing to add (unpaid, or already in)."""
        return self.record_orders([order]) == 1

    def record_orders(self, orders: Sequence[Order]) -> int:
        """Add a batch of orders as ``record_order`` adds each; how many changed the rollups.

        A batch of stream records is folded: one read of the orders' marks, then per
        transaction the marks of up to a hundred orders and one compare-and-swap per
        rollup document they touch, however many of them sold that day. A transaction
        that loses a race is planned again from fresh marks (an order that got in
        meanwhile adds nothing), so each sale and each refund still counts once.
        """
        pending = _latest_paid(orders)
        added = 0
        for _ in range(_ATTEMPTS):
            if not pending:
                return added
            marked = store.marks([o.id for o in pending])
            plans = [p for o in pending if (p := _plan(o, marked.get(o.id))) is not None]
            pending = []
            for chunk in _transactions(plans):
                try:
                    self._commit(chunk)
                except ConditionsFailed:
                    pending.extend(plan.order for plan in chunk)
                    continue  # other orders changed the same day, or these just got in
                added += len(chunk)
        if pending:
            ids = ", ".join(o.id for o in pending[:5])
            raise RuntimeError(f"orders {ids}: rollups kept changing; the record is retried")
        return added

    def record_prices(self, product_id: str) -> int:
        """Log the prices of the product's variants that changed since last logged (at
        the product's update time); how many changes. A replay finds nothing new."""
        view = self._catalog.product(product_id, include_unpublished=True)
        if view is None:
            return 0
        return sum(self._log_variant(view.product, v.id) for v in view.product.variants)

    # -- reads ---------------------------------------------------------------------------

    def sales(
        self,
        window: DateRange,
        granularity: Granularity,
        group: GroupBy,
        currency: Currency | None = None,
    ) -> list[SalesRow]:
        """Sales per period, currency and group key over ``window``: one Query."""
        rollups = store.rollups(group, window.start, window.end, currency)
        if group is GroupBy.COLLECTION:
            rollups = [self._with_collection_titles(r) for r in rollups]
        return sales_rows(rollups, granularity)

    def best_sellers(
        self, window: DateRange, by: Ranking, first: int, currency: Currency
    ) -> list[SalesRow]:
        """The variants sold most (units) or for most (net revenue) in one currency."""
        rollups = store.rollups(GroupBy.VARIANT, window.start, window.end, currency)
        return best_sellers(rollups, by, first)

    def margin(self, window: DateRange, currency: Currency | None = None) -> list[MarginRow]:
        """Gross margin per currency, net of refunds, with the ad spend of the range."""
        rows = sales_rows(
            store.rollups(GroupBy.CURRENCY, window.start, window.end, currency), Granularity.DAY
        )
        found = totals(rows)
        if currency is not None and currency not in found:
            found[currency] = SalesFigures.of([])
        end = window.end + timedelta(days=1)
        return [
            MarginRow(c, f, self._attribution.ad_spend_total(window.start, end, c))
            for c, f in found.items()
        ]

    def stock(self, as_of: datetime | None, low_below: int | None) -> list[StockRow]:
        """Every physical variant's stock now (``as_of`` None) or at ``as_of``, with days
        of cover from the units sold in the 28 days before; low when under ``low_below``;
        low ones first. Read a page at a time, as ``stock_page`` reads them."""
        rows: list[StockRow] = []
        after: StockPosition | None = None
        while True:
            page = self.stock_page(as_of, low_below, STOCK_PAGE, after, only_low=False)
            rows.extend(page.rows)
            if not page.has_more or page.last is None:
                break
            after = page.last
        return sorted(rows, key=lambda r: (not r.low, r.available, r.title, r.variant_id))

    def stock_page(
        self,
        as_of: datetime | None,
        low_below: int | None,
        first: int,
        after: StockPosition | None,
        *,
        only_low: bool,
    ) -> StockPage:
        """Up to ``first`` physical variants after ``after`` in title order, with their
        stock now or at ``as_of`` and days of cover; ``only_low``: those under
        ``low_below`` alone.

        What a page reads is proportional to it: the levels of at most
        ``STOCK_SCAN_PAGES`` x ``first`` variants (now: a BatchGetItem per hundred; a past
        moment: one Query each) and one Query of the 28 days of sales. The variants come
        from the catalog view held in memory, so finding where a page starts reads nothing.
        Filtered, a page may hold fewer than ``first`` rows (none even) and still be
        followed by more: ``last`` is where the next one starts.
        """
        now = self._clock()
        moment = now if as_of is None or as_of > now else as_of
        variants = self._physical_variants()
        positions = [position for position, _, _ in variants]
        start = 0 if after is None else bisect_right(positions, after)
        units = self._units_sold(moment.date())
        rows: list[StockRow] = []
        last: StockPosition | None = None
        index = start
        budget = max(first, 1) * STOCK_SCAN_PAGES
        while index < len(variants) and len(rows) < first and index - start < budget:
            chunk = variants[index : index + min(first - len(rows), STOCK_PAGE)]
            pairs = [(p.id, v.id) for _, p, v in chunk]
            if moment is now:
                counts = self._catalog.stock(pairs)
            else:
                counts = {v: self._inventory.level_as_of(p, v, moment) for p, v in pairs}
            for position, product, variant in chunk:
                index += 1
                last = position
                row = _stock_row(product, variant, counts.get(variant.id, 0), units, low_below)
                if not only_low or row.low:
                    rows.append(row)
                if len(rows) == first:
                    break
        has_more = index < len(variants)
        return StockPage(rows, last, has_more)

    def price_history(self, variant_id: str) -> list[PriceChange]:
        """A variant's price changes, oldest first (each currency's price from then on)."""
        return store.price_history(variant_id)

    # -- helpers -------------------------------------------------------------------------

    def _commit(self, chunk: list[_Plan]) -> None:
        sums = folded(
            (day, plan.order.currency, delta, labels)
            for plan in chunk
            for day, delta, labels in plan.changes
        )
        days = store.rollups_by_day(list(sums))
        writes = WriteSet()
        for plan in chunk:
            store.put_mark(writes, plan.order.id, plan.refunded, plan.rev)
        for key, (cells, labels) in sums.items():
            group, day, currency = key
            current, rev = days[key]
            merged_cells, merged_labels = merged(current.cells, current.labels, cells, labels)
            store.put_rollup(
                writes, group, DayRollup(day, currency, merged_cells, merged_labels), rev
            )
        writes.commit()

    def _physical_variants(self) -> list[tuple[StockPosition, Product, Variant]]:
        """The catalog view's variants that keep stock, in the report's order."""
        found = [
            ((f"{p.title} ({v.title})", p.id, v.id), p, v)
            for p in self._catalog.view().snapshot.products
            for v in p.variants
            if v.tracks_stock
        ]
        return sorted(found, key=lambda entry: entry[0])

    def _units_sold(self, last: date) -> dict[str, int]:
        """Units sold per variant key in the ``COVER_DAYS`` days up to ``last``: one Query."""
        sold = sales_rows(
            store.rollups(GroupBy.VARIANT, last - timedelta(days=COVER_DAYS - 1), last, None),
            Granularity.MONTH,
        )
        units: dict[str, int] = {}
        for row in sold:
            units[row.key] = units.get(row.key, 0) + row.figures.units
        return units

    def _with_collection_titles(self, rollup: DayRollup) -> DayRollup:
        labels = dict(rollup.labels)
        for key in rollup.cells:
            collection = self._catalog.collection(key)
            if collection is not None:
                labels[key] = collection.title
        return DayRollup(rollup.day, rollup.currency, rollup.cells, labels)

    def _log_variant(self, product: Product, variant_id: str) -> int:
        variant = product.variant(variant_id)
        if variant is None:
            return 0
        now_prices = {p.currency.value: p.amount for p in variant.prices}
        for _ in range(_ATTEMPTS):
            logged, rev = store.logged_prices(variant_id)
            if logged == now_prices:
                return 0
            changes = [
                PriceChange(
                    variant_id=variant_id,
                    product_id=product.id,
                    currency=Currency(code),
                    price=None
                    if code not in now_prices
                    else Money(now_prices[code], Currency(code)),
                    at=product.updated_at,
                )
                for code in sorted(set(logged) | set(now_prices))
                if logged.get(code) != now_prices.get(code)
            ]
            writes = WriteSet()
            store.put_price_changes(writes, variant_id, changes, now_prices, rev)
            try:
                writes.commit()
            except ConditionsFailed:
                continue
            return len(changes)
        raise RuntimeError(f"variant {variant_id}: prices kept changing; the record is retried")
