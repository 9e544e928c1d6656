"""Staff report queries: sales, best sellers, margin, stock as of a moment, price history.

Each report has a ``...Csv`` twin that returns the same rows as CSV text (RFC 4180,
a header line, money in major units). A range outside what a report covers answers a
GraphQL error with ``extensions.code = "BAD_USER_INPUT"``, as the attribution reports do.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput
from commerce.graphql.ids import variant_global_id, variant_ref_or_none
from commerce.graphql.money import CurrencyCode, Money
from commerce.graphql.permissions import ADMIN
from commerce.graphql.relay import Connection, Edge, PageInfo
from commerce.money import Currency
from commerce.money import Money as DomainMoney
from commerce.reports.model import (
    DateRange,
    Granularity,
    GroupBy,
    Ranking,
    SalesRow,
    csv_text,
    sales_csv,
)
from commerce.reports.service import MarginRow, StockPosition, StockRow
from commerce.reports.store import PriceChange
from commerce.variant_refs import VariantRef

ReportGranularity = strawberry.enum(
    Granularity, name="ReportGranularity", description="Rows per DAY, ISO WEEK or MONTH."
)
SalesGroupBy = strawberry.enum(
    GroupBy,
    name="SalesGroupBy",
    description=(
        "What sales rows are grouped by: CURRENCY, the order's sales CHANNEL, the product's "
        "COLLECTION when sold (a product in two collections counts in both), PRODUCT or VARIANT."
    ),
)
BestSellerRanking = strawberry.enum(
    Ranking, name="BestSellerRanking", description="Rank by UNITS sold or by net REVENUE."
)
MAX_BEST_SELLERS = 250
MAX_STOCK_PAGE = 250


@strawberry.input(description="Days from `from` to `to`, both included (UTC), at most 400.")
class ReportRangeInput:
    start: date = strawberry.field(name="from", description="The first day.")
    end: date = strawberry.field(name="to", description="The last day (included).")

    def to_range(self) -> DateRange:
        window = DateRange(self.start, self.end)
        problem = window.problem()
        if problem is not None:
            raise BadUserInput(problem, argument="range")
        return window


def _money(amount: int | None, currency: Currency) -> Money | None:
    return None if amount is None else Money.from_domain(DomainMoney(amount, currency))


def _need(amount: int, currency: Currency) -> Money:
    return Money.from_domain(DomainMoney(amount, currency))


@strawberry.type(description="One group's sales in one period and currency.")
class SalesReportRow:
    period: date = strawberry.field(description="The first day of the day, week or month.")
    currency_code: CurrencyCode = strawberry.field(description="The currency of the figures.")
    key: str = strawberry.field(
        description=(
            "The group: a currency code, a channel, a collection or product id, a variant's "
            '"<product id>.<variant id>", or "(none)".'
        )
    )
    label: str = strawberry.field(description="What staff read: a title, a channel name...")
    orders: int = strawberry.field(description="Paid orders with a line in the group.")
    units: int = strawberry.field(description="Units sold.")
    gross: Money = strawberry.field(description="Unit price times units, before discounts.")
    discounts: Money = strawberry.field(description="Promotions' savings on the lines.")
    refunds: Money = strawberry.field(
        description="Refunded in the period (shared among an order's lines by their value)."
    )
    net: Money = strawberry.field(description="Gross less discounts and refunds.")
    cost: Money = strawberry.field(description="Cost of the units, as recorded when sold.")
    gross_margin: Money = strawberry.field(description="Net less cost.")
    uncosted_units: int = strawberry.field(
        description="Units sold without a cost in the order's currency (not in cost)."
    )

    @classmethod
    def from_domain(cls, row: SalesRow) -> SalesReportRow:
        f, c = row.figures, row.currency
        return cls(
            period=row.period,
            currency_code=c,
            key=row.key,
            label=row.label,
            orders=f.orders,
            units=f.units,
            gross=_need(f.gross, c),
            discounts=_need(f.discounts, c),
            refunds=_need(f.refunds, c),
            net=_need(f.net, c),
            cost=_need(f.cost, c),
            gross_margin=_need(f.margin, c),
            uncosted_units=f.uncosted_units,
        )


@strawberry.type(description="A best-selling variant over a range.")
class BestSeller:
    rank: int = strawberry.field(description="1 for the best.")
    variant_id: strawberry.ID = strawberry.field(description="The ProductVariant id.")
    label: str = strawberry.field(description="Product title, variant title and SKU when sold.")
    units: int = strawberry.field(description="Units sold.")
    revenue: Money = strawberry.field(description="Net revenue (after discounts and refunds).")
    orders: int = strawberry.field(description="Paid orders with the variant (summed per day).")


@strawberry.type(description="A currency's gross margin over a range.")
class MarginReportRow:
    currency_code: CurrencyCode = strawberry.field(description="The currency of the figures.")
    net_sales: Money = strawberry.field(description="Gross less discounts and refunds.")
    refunds: Money = strawberry.field(description="Refunded in the range.")
    cost: Money = strawberry.field(description="Cost of the units sold, as recorded when sold.")
    gross_margin: Money = strawberry.field(description="Net sales less cost.")
    margin_rate: Decimal | None = strawberry.field(
        description="Gross margin / net sales (4 decimals); null without net sales."
    )
    uncosted_units: int = strawberry.field(
        description="Units sold without a recorded cost: their cost is not in the margin."
    )
    ad_spend: Money | None = strawberry.field(
        description="Ad spend imported for the range (adSpendImport); null when none was."
    )
    margin_after_ad_spend: Money | None = strawberry.field(
        description="Gross margin less ad spend; null without ad spend."
    )
    roas: Decimal | None = strawberry.field(description="Net sales / ad spend (4 decimals).")

    @classmethod
    def from_domain(cls, row: MarginRow) -> MarginReportRow:
        f, c = row.figures, row.currency
        return cls(
            currency_code=c,
            net_sales=_need(f.net, c),
            refunds=_need(f.refunds, c),
            cost=_need(f.cost, c),
            gross_margin=_need(f.margin, c),
            margin_rate=row.margin_rate,
            uncosted_units=f.uncosted_units,
            ad_spend=_money(row.ad_spend, c),
            margin_after_ad_spend=_money(row.margin_after_ad_spend, c),
            roas=row.roas,
        )


@strawberry.type(description="A physical variant's stock at a moment.")
class StockReportRow:
    variant_id: strawberry.ID = strawberry.field(description="The ProductVariant id.")
    title: str = strawberry.field(description="Product and variant title.")
    sku: str = strawberry.field(description="The variant's SKU.")
    available: int = strawberry.field(description="Units available at the moment asked.")
    units_sold: int = strawberry.field(description="Units sold in the 28 days up to then.")
    days_of_cover: Decimal | None = strawberry.field(
        description="How many days the stock lasts at that pace; null without sales."
    )
    low: bool = strawberry.field(description="Below lowStockBelow.")

    @classmethod
    def from_domain(cls, row: StockRow) -> StockReportRow:
        return cls(
            variant_id=strawberry.ID(variant_global_id(VariantRef(row.product_id, row.variant_id))),
            title=row.title,
            sku=row.sku,
            available=row.available,
            units_sold=row.units_sold,
            days_of_cover=row.days_of_cover,
            low=row.low,
        )


@strawberry.type(description="A variant's price in one currency from a moment on.")
class PriceHistoryEntry:
    at: datetime = strawberry.field(description="When the price took effect.")
    currency_code: CurrencyCode = strawberry.field(description="The currency.")
    price: Money | None = strawberry.field(description="The price; null when it was removed.")

    @classmethod
    def from_domain(cls, change: PriceChange) -> PriceHistoryEntry:
        price = None if change.price is None else Money.from_domain(change.price)
        return cls(at=change.at, currency_code=change.currency, price=price)


def _best(rows: Sequence[SalesRow]) -> list[BestSeller]:
    found = []
    for rank, row in enumerate(rows, start=1):
        ref = VariantRef.parse(row.key)
        found.append(
            BestSeller(
                rank=rank,
                variant_id=strawberry.ID(variant_global_id(ref) if ref else row.key),
                label=row.label,
                units=row.figures.units,
                revenue=_need(row.figures.net, row.currency),
                orders=row.figures.orders,
            )
        )
    return found


def _first(first: int) -> int:
    if not 1 <= first <= MAX_BEST_SELLERS:
        raise BadUserInput(f"first is 1 to {MAX_BEST_SELLERS}", argument="first")
    return first


def encode_stock_cursor(position: StockPosition) -> str:
    """An opaque cursor for a variant's place in the stock report."""
    raw = json.dumps(["stock", *position], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_stock_cursor(cursor: str) -> StockPosition | None:
    """The place inside a stock report cursor; None when it is not one."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeError, ValueError):
        return None
    if not (isinstance(raw, list) and len(raw) == 4 and raw[0] == "stock"):
        return None
    if not all(isinstance(part, str) for part in raw[1:]):
        return None
    return (raw[1], raw[2], raw[3])


def _low(low_stock_below: int | None) -> int | None:
    if low_stock_below is not None and not 0 <= low_stock_below <= 1_000_000:
        raise BadUserInput("lowStockBelow is 0 to 1000000", argument="lowStockBelow")
    return low_stock_below


def _variant(variant_id: strawberry.ID) -> VariantRef:
    ref = variant_ref_or_none(variant_id)
    if ref is None:
        raise BadUserInput(f"{variant_id!r} is not a valid ProductVariant ID", argument="variantId")
    return ref


def _major(money: Money | None) -> str:
    return "" if money is None else str(money.amount)


RangeArg = Annotated[ReportRangeInput, strawberry.argument(description="The days covered.")]
AsOfArg = Annotated[
    datetime | None,
    strawberry.argument(description="The moment (ISO 8601 with offset); null for now."),
]


@strawberry.type
class StoreReportsQuery:
    @strawberry.field(
        description=(
            "Staff: units, gross, discounts, refunds, net, cost and gross margin per day, "
            "week or month and per currency, channel, collection, product or variant. Sales "
            "count on the day an order was paid, refunds on the day they were made. Reads "
            "daily rollups the events function keeps: one Query, no scan."
        ),
        permission_classes=ADMIN,
    )
    async def sales_report(
        self,
        info: Info[Context, None],
        range: RangeArg,
        granularity: ReportGranularity = Granularity.DAY,
        group_by: SalesGroupBy = GroupBy.CURRENCY,
        currency: CurrencyCode | None = None,
    ) -> list[SalesReportRow]:
        window = range.to_range()
        rows = await info.context.run(
            info.context.services.reports.sales, window, granularity, group_by, currency
        )
        return [SalesReportRow.from_domain(r) for r in rows]

    @strawberry.field(
        description="Staff: salesReport as CSV text (RFC 4180, money in major units).",
        permission_classes=ADMIN,
    )
    async def sales_report_csv(
        self,
        info: Info[Context, None],
        range: RangeArg,
        granularity: ReportGranularity = Granularity.DAY,
        group_by: SalesGroupBy = GroupBy.CURRENCY,
        currency: CurrencyCode | None = None,
    ) -> str:
        window = range.to_range()
        rows = await info.context.run(
            info.context.services.reports.sales, window, granularity, group_by, currency
        )
        return sales_csv(rows)

    @strawberry.field(
        description=(
            "Staff: the variants sold most, by units or by net revenue, in one currency "
            "(default: the store's) over a range."
        ),
        permission_classes=ADMIN,
    )
    async def best_sellers(
        self,
        info: Info[Context, None],
        range: RangeArg,
        by: BestSellerRanking = Ranking.UNITS,
        first: int = 10,
        currency: CurrencyCode | None = None,
    ) -> list[BestSeller]:
        window, count = range.to_range(), _first(first)
        code = currency or info.context.default_currency
        rows = await info.context.run(
            info.context.services.reports.best_sellers, window, by, count, code
        )
        return _best(rows)

    @strawberry.field(
        description="Staff: bestSellers as CSV text (RFC 4180, money in major units).",
        permission_classes=ADMIN,
    )
    async def best_sellers_csv(
        self,
        info: Info[Context, None],
        range: RangeArg,
        by: BestSellerRanking = Ranking.UNITS,
        first: int = 10,
        currency: CurrencyCode | None = None,
    ) -> str:
        window, count = range.to_range(), _first(first)
        code = currency or info.context.default_currency
        rows = await info.context.run(
            info.context.services.reports.best_sellers, window, by, count, code
        )
        return csv_text(
            ["rank", "variant_id", "label", "units", "revenue", "currency", "orders"],
            [
                [
                    b.rank,
                    str(b.variant_id),
                    b.label,
                    b.units,
                    _major(b.revenue),
                    code.value,
                    b.orders,
                ]
                for b in _best(rows)
            ],
        )

    @strawberry.field(
        description=(
            "Staff: gross margin per currency over a range, from the cost recorded on each "
            "order line when it was sold, net of refunds; with the ad spend imported for "
            "the range, the margin after it and ROAS where there is any."
        ),
        permission_classes=ADMIN,
    )
    async def margin_report(
        self, info: Info[Context, None], range: RangeArg, currency: CurrencyCode | None = None
    ) -> list[MarginReportRow]:
        window = range.to_range()
        rows = await info.context.run(info.context.services.reports.margin, window, currency)
        return [MarginReportRow.from_domain(r) for r in rows]

    @strawberry.field(
        description="Staff: marginReport as CSV text (RFC 4180, money in major units).",
        permission_classes=ADMIN,
    )
    async def margin_report_csv(
        self, info: Info[Context, None], range: RangeArg, currency: CurrencyCode | None = None
    ) -> str:
        window = range.to_range()
        rows = await info.context.run(info.context.services.reports.margin, window, currency)
        return csv_text(
            [
                "currency",
                "net_sales",
                "refunds",
                "cost",
                "gross_margin",
                "margin_rate",
                "uncosted_units",
                "ad_spend",
                "margin_after_ad_spend",
                "roas",
            ],
            [
                [
                    r.currency.value,
                    _major(m.net_sales),
                    _major(m.refunds),
                    _major(m.cost),
                    _major(m.gross_margin),
                    "" if m.margin_rate is None else str(m.margin_rate),
                    m.uncosted_units,
                    _major(m.ad_spend),
                    _major(m.margin_after_ad_spend),
                    "" if m.roas is None else str(m.roas),
                ]
                for r, m in ((r, MarginReportRow.from_domain(r)) for r in rows)
            ],
        )

    @strawberry.field(
        description=(
            "Staff: every physical variant's stock now, or as of a past moment (summed from "
            "its movement ledger: staff changes, checkout takes, releases), low ones first, "
            "with the units sold in the 28 days up to then and the days of cover they give."
        ),
        permission_classes=ADMIN,
        deprecation_reason=(
            "A whole catalog in one answer. Use stockLevels (pages in title order; its "
            "lowStockBelow keeps only the low variants) or stockReportCsv."
        ),
    )
    async def stock_report(
        self,
        info: Info[Context, None],
        as_of: AsOfArg = None,
        low_stock_below: int | None = None,
    ) -> list[StockReportRow]:
        low = _low(low_stock_below)
        rows = await info.context.run(info.context.services.reports.stock, as_of, low)
        return [StockReportRow.from_domain(r) for r in rows]

    @strawberry.field(
        description=(
            "Staff: a page of physical variants in title order, with their stock now or as "
            "of a past moment (summed from the movement ledger), the units sold in the 28 "
            "days up to then and the days of cover they give. With lowStockBelow, only the "
            "variants below it: such a page looks at most 4 x first variants and may hold "
            "fewer rows (none even) while hasNextPage says more follow. A page reads in "
            "proportion to its size, however large the catalog."
        ),
        permission_classes=ADMIN,
    )
    async def stock_levels(
        self,
        info: Info[Context, None],
        first: Annotated[
            int, strawberry.argument(description=f"Variants per page, 1 to {MAX_STOCK_PAGE}.")
        ] = 50,
        after: Annotated[
            str | None, strawberry.argument(description="Start after this cursor.")
        ] = None,
        as_of: AsOfArg = None,
        low_stock_below: Annotated[
            int | None,
            strawberry.argument(
                description="Only the variants with fewer available (0 to 1000000)."
            ),
        ] = None,
    ) -> Connection[StockReportRow]:
        if not 1 <= first <= MAX_STOCK_PAGE:
            raise BadUserInput(f"first is 1 to {MAX_STOCK_PAGE}", argument="first")
        position = None if after is None else decode_stock_cursor(after)
        if after is not None and position is None:
            raise BadUserInput("Not a valid cursor", argument="after")
        low = _low(low_stock_below)
        reports = info.context.services.reports
        page = await info.context.run(
            reports.stock_page, as_of, low, first, position, only_low=low is not None
        )
        cursors = [encode_stock_cursor((r.title, r.product_id, r.variant_id)) for r in page.rows]
        end = None if page.last is None else encode_stock_cursor(page.last)
        nodes = [StockReportRow.from_domain(r) for r in page.rows]
        return Connection[StockReportRow](
            edges=[Edge(node=n, cursor=c) for n, c in zip(nodes, cursors, strict=True)],
            nodes=nodes,
            page_info=PageInfo(
                has_next_page=page.has_more,
                has_previous_page=False,
                start_cursor=cursors[0] if cursors else None,
                # Where the next page starts, also when every variant looked at was
                # filtered out.
                end_cursor=end if page.has_more or cursors else None,
            ),
        )

    @strawberry.field(
        description=(
            "Staff: stockReport as CSV text (RFC 4180): every physical variant, low ones "
            "first, read a page at a time."
        ),
        permission_classes=ADMIN,
    )
    async def stock_report_csv(
        self,
        info: Info[Context, None],
        as_of: AsOfArg = None,
        low_stock_below: int | None = None,
    ) -> str:
        low = _low(low_stock_below)
        rows = await info.context.run(info.context.services.reports.stock, as_of, low)
        return csv_text(
            ["variant_id", "title", "sku", "available", "units_sold_28d", "days_of_cover", "low"],
            [
                [
                    str(s.variant_id),
                    s.title,
                    s.sku,
                    s.available,
                    s.units_sold,
                    "" if s.days_of_cover is None else str(s.days_of_cover),
                    "yes" if s.low else "no",
                ]
                for s in (StockReportRow.from_domain(r) for r in rows)
            ],
        )

    @strawberry.field(
        description="Staff: a variant's price changes, oldest first, per currency.",
        permission_classes=ADMIN,
    )
    async def price_history(
        self, info: Info[Context, None], variant_id: strawberry.ID
    ) -> list[PriceHistoryEntry]:
        ref = _variant(variant_id)
        changes = await info.context.run(
            info.context.services.reports.price_history, ref.variant_id
        )
        return [PriceHistoryEntry.from_domain(c) for c in changes if c.product_id == ref.product_id]

    @strawberry.field(
        description="Staff: priceHistory as CSV text (RFC 4180, money in major units).",
        permission_classes=ADMIN,
    )
    async def price_history_csv(self, info: Info[Context, None], variant_id: strawberry.ID) -> str:
        ref = _variant(variant_id)
        changes = await info.context.run(
            info.context.services.reports.price_history, ref.variant_id
        )
        return csv_text(
            ["at", "currency", "price"],
            [
                [
                    c.at.isoformat(),
                    c.currency.value,
                    "" if c.price is None else str(c.price.to_decimal()),
                ]
                for c in changes
                if c.product_id == ref.product_id
            ],
        )
