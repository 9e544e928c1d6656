"""Staff reports over GraphQL: attribution by dimension and model, cohorts, ad spend."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from commerce.attribution import Model
from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput
from commerce.graphql.ids import local_id_or_none
from commerce.graphql.inputs import InputErrors
from commerce.graphql.money import CurrencyCode, Money, MoneyInput
from commerce.graphql.permissions import ADMIN
from commerce.graphql.use_cases import run_use_case
from commerce.journeys.api.types import JourneyUserError
from commerce.journeys.commands import AdSpendRow, ad_spend_row
from commerce.journeys.crediting import Dimension
from commerce.journeys.errors import JourneyErrorCode as Code
from commerce.journeys.reports import (
    CohortFigures,
    Figures,
    as_csv,
    cohort_csv,
    cohort_figures,
    conversions_text,
    figures,
)
from commerce.journeys.service import MAX_RECREDIT_PAGE, CohortRow, Recredit, ReportRow
from commerce.money import Currency
from commerce.money import Money as DomainMoney

AttributionModel = strawberry.enum(
    Model,
    name="AttributionModel",
    description=(
        "How an order's value is shared among its journey's touches: first, last, last "
        "non-direct, linear, position-based 40/20/40, time decay, first-order Markov "
        "removal effect, Shapley values over channels."
    ),
)
ReportDimension = strawberry.enum(
    Dimension,
    name="AttributionDimension",
    description=(
        "What a report groups by: a touch's CHANNEL, SOURCE, MEDIUM, CAMPAIGN, AFFILIATE "
        "or APP (app or browser family); the order's PAYMENT_METHOD; or APP_TOUCH "
        "(journeys with a mobile-app touch, with_app, against those without)."
    ),
)
MAX_REPORT_DAYS = 400
MAX_SPEND_ROWS = 500


@strawberry.type(description="One value of a report's dimension over the date range.")
class AttributionReportRow:
    value: str = strawberry.field(description='The channel, campaign, brand..., or "(none)".')
    orders: int = strawberry.field(description="Paid orders with credit to this value.")
    conversions: Decimal = strawberry.field(
        description="Conversions credited (fractional under multi-touch models), 4 decimals."
    )
    revenue: Money = strawberry.field(description="Revenue credited, net of refunds.")
    average_order_value: Money | None = strawberry.field(
        description="Revenue per conversion; null without conversions."
    )
    spend: Money | None = strawberry.field(
        description="Ad spend imported for this channel or campaign (those dimensions only)."
    )
    roas: Decimal | None = strawberry.field(description="Revenue / spend.")
    cac: Money | None = strawberry.field(description="Spend / conversions.")
    roi: Decimal | None = strawberry.field(description="(Revenue - spend) / spend.")

    @classmethod
    def from_figures(cls, row: Figures, currency: Currency) -> AttributionReportRow:
        def money(amount: int | None) -> Money | None:
            return None if amount is None else Money.from_domain(DomainMoney(amount, currency))

        revenue = money(row.revenue)
        assert revenue is not None
        return cls(
            value=row.value,
            orders=row.orders,
            conversions=Decimal(conversions_text(row.conversions)),
            revenue=revenue,
            average_order_value=money(row.average_order_value),
            spend=money(row.spend),
            roas=row.roas,
            cac=money(row.cac),
            roi=row.roi,
        )


@strawberry.type(description="Referred customers at their n-th order.")
class CohortReportRow:
    order_number: int = strawberry.field(description="1 for first orders, 2 for second...")
    customers: int = strawberry.field(description="Customers of the cohort with this order.")
    repeat_rate: Decimal = strawberry.field(
        description="Customers with this order / customers with a first one (4 decimals)."
    )
    revenue: Money = strawberry.field(description="Revenue of these orders, net of refunds.")
    with_app_touch: int = strawberry.field(
        description="How many of these orders had a mobile-app touch in their journey."
    )
    commission: Money = strawberry.field(
        description="Affiliate commission on these orders, net of what refunds reversed."
    )
    revenue_after_commission: Money = strawberry.field(
        description="revenue minus commission: what these referrals earned the store."
    )


def _window(start: date, end: date) -> None:
    if end <= start or (end - start).days > MAX_REPORT_DAYS:
        raise BadUserInput(
            f"The range is 1 to {MAX_REPORT_DAYS} days: start is inclusive, end exclusive",
            argument="end",
        )


def _figures(rows: list[ReportRow]) -> list[Figures]:
    return [figures(r.value, r.orders, r.revenue, r.conversions, r.spend) for r in rows]


@strawberry.input(description="Spend on one campaign of one channel on one day.")
class AdSpendRowInput:
    day: date = strawberry.field(description="The day (UTC).")
    channel: str = strawberry.field(description="A marketing channel, e.g. paid_search.")
    campaign: str = strawberry.field(description="The utm_campaign it was spent on.")
    amount: MoneyInput = strawberry.field(description="What was spent.")


@strawberry.input(description="Ad spend rows; a row for a day, channel and campaign replaces it.")
class AdSpendImportInput:
    rows: list[AdSpendRowInput] = strawberry.field(description="1 to 500 rows.")

    def to_command(self, errors: InputErrors) -> list[AdSpendRow]:
        if not 1 <= len(self.rows) <= MAX_SPEND_ROWS:
            errors.add(Code.INVALID_AD_SPEND, f"Send 1 to {MAX_SPEND_ROWS} rows", "rows")
        found = []
        for i, row in enumerate(self.rows):
            at = ("rows", str(i))
            money = errors.money(row.amount, (*at, "amount"), Code.INVALID_AD_SPEND)
            if money is not None:
                spend, problems = ad_spend_row(row.day, row.channel, row.campaign, money, at)
                errors.check(problems)
                if spend is not None:
                    found.append(spend)
        return found


@strawberry.type(description="The result of an ad spend import.")
class AdSpendImportPayload:
    imported: int = strawberry.field(description="Rows stored.")
    user_errors: list[JourneyUserError] = strawberry.field(description="Why nothing was stored.")


@strawberry.input(
    description=(
        "Credit again, under the Markov and Shapley weights fitted last, one page of the "
        "orders paid from start (inclusive) to end (exclusive)."
    )
)
class AttributionRecreditInput:
    start: date = strawberry.field(description="First day (UTC).")
    end: date = strawberry.field(description="Day after the last (UTC); at most 400 days on.")
    after: str | None = strawberry.field(
        default=None, description="The nextCursor of the page before; null for the first."
    )
    first: int = strawberry.field(default=100, description="Orders in this page, 1 to 500.")

    def to_command(self, errors: InputErrors) -> Recredit | None:
        if self.end <= self.start or (self.end - self.start).days > MAX_REPORT_DAYS:
            errors.add(
                Code.INVALID_DATE_RANGE,
                f"The range is 1 to {MAX_REPORT_DAYS} days: start is inclusive, end exclusive",
                "end",
            )
        if not 1 <= self.first <= MAX_RECREDIT_PAGE:
            errors.add(Code.INVALID, f"first is 1 to {MAX_RECREDIT_PAGE}", "first")
        if self.after is not None and not _is_cursor(self.after):
            errors.add(Code.INVALID_CURSOR, "Not a cursor this mutation returned", "after")
        if errors.problems:
            return None
        return Recredit(self.start, self.end, self.after, self.first)


def _is_cursor(text: str) -> bool:
    moment, _, order_id = text.rpartition("#")
    if not order_id or len(text) > 120:
        return False
    try:
        datetime.fromisoformat(moment)
    except ValueError:
        return False
    return True


@strawberry.type(description="One page of a re-credit.")
class AttributionRecreditPayload:
    examined: int = strawberry.field(description="Credited orders of the range in this page.")
    recredited: int = strawberry.field(
        description="Of those, credited again now (the others had these weights already)."
    )
    next_cursor: str | None = strawberry.field(
        description="Pass it as after for the next page; null when the range is done."
    )
    weights_fitted_at: datetime | None = strawberry.field(
        description="When the weights the orders are credited under were fitted."
    )
    user_errors: list[JourneyUserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type
class ReportsQuery:
    @strawberry.field(
        description=(
            "Staff: orders, conversions, revenue net of refunds and average order value "
            "per value of a dimension under one attribution model, by the day orders were "
            "paid (start inclusive, end exclusive, at most 400 days), with ad spend, ROAS, "
            "CAC and ROI for channels and campaigns. Reads daily rollups: no scan."
        ),
        permission_classes=ADMIN,
    )
    async def attribution_report(
        self,
        info: Info[Context, None],
        model: AttributionModel,
        dimension: ReportDimension,
        start: Annotated[date, strawberry.argument(description="First day (UTC).")],
        end: Annotated[date, strawberry.argument(description="Day after the last (UTC).")],
        currency: CurrencyCode | None = None,
    ) -> list[AttributionReportRow]:
        _window(start, end)
        code = currency or info.context.default_currency
        rows = await info.context.run(
            info.context.services.attribution.report, model, dimension, start, end, code
        )
        return [AttributionReportRow.from_figures(f, code) for f in _figures(rows)]

    @strawberry.field(
        description="Staff: attributionReport as CSV text (RFC 4180, money in major units).",
        permission_classes=ADMIN,
    )
    async def attribution_report_csv(
        self,
        info: Info[Context, None],
        model: AttributionModel,
        dimension: ReportDimension,
        start: Annotated[date, strawberry.argument(description="First day (UTC).")],
        end: Annotated[date, strawberry.argument(description="Day after the last (UTC).")],
        currency: CurrencyCode | None = None,
    ) -> str:
        _window(start, end)
        code = currency or info.context.default_currency
        rows = await info.context.run(
            info.context.services.attribution.report, model, dimension, start, end, code
        )
        return as_csv(_figures(rows), code)

    @strawberry.field(
        description=(
            "Staff: customers whose first order came through an affiliate (affiliateId "
            "null: through none), over their first orders: customers, repeat rate, revenue "
            "net of refunds and orders with a mobile-app touch, per order number."
        ),
        permission_classes=ADMIN,
    )
    async def affiliate_cohort_report(
        self,
        info: Info[Context, None],
        affiliate_id: strawberry.ID | None = None,
        orders: int = 3,
        currency: CurrencyCode | None = None,
    ) -> list[CohortReportRow]:
        code = currency or info.context.default_currency
        rows = await _cohort_rows(info, affiliate_id, orders, code)
        return [
            CohortReportRow(
                order_number=r.order_number,
                customers=r.customers,
                repeat_rate=r.repeat_rate,
                revenue=Money.from_domain(DomainMoney(r.revenue, code)),
                with_app_touch=r.with_app_touch,
                commission=Money.from_domain(DomainMoney(r.commission, code)),
                revenue_after_commission=Money.from_domain(
                    DomainMoney(r.revenue_after_commission, code)
                ),
            )
            for r in rows
        ]

    @strawberry.field(
        description=(
            "Staff: affiliateCohortReport as CSV text (RFC 4180, money in major units): "
            "order number, customers, repeat rate, revenue, commission, revenue after "
            "commission, orders with an app touch."
        ),
        permission_classes=ADMIN,
    )
    async def affiliate_cohort_report_csv(
        self,
        info: Info[Context, None],
        affiliate_id: strawberry.ID | None = None,
        orders: int = 3,
        currency: CurrencyCode | None = None,
    ) -> str:
        code = currency or info.context.default_currency
        return cohort_csv(await _cohort_rows(info, affiliate_id, orders, code), code)


async def _cohort_rows(
    info: Info[Context, None], affiliate_id: strawberry.ID | None, orders: int, code: Currency
) -> list[CohortFigures]:
    partner = None
    if affiliate_id is not None:
        partner = local_id_or_none(affiliate_id, "Partner")
        if partner is None:
            raise BadUserInput("Not a valid Partner ID", argument="affiliateId")
    if not 1 <= orders <= 10:
        raise BadUserInput("orders is 1 to 10", argument="orders")
    rows: list[CohortRow] = await info.context.run(
        info.context.services.attribution.cohort, partner, orders, code
    )
    first = rows[0].customers if rows else 0
    return [
        cohort_figures(
            r.order_number,
            r.customers,
            first,
            revenue=r.revenue,
            commission=r.commission,
            with_app_touch=r.with_app_touch,
        )
        for r in rows
    ]


@strawberry.type
class ReportsMutation:
    @strawberry.mutation(
        description="Staff: import ad spend per channel, campaign and day (ROAS, CAC, ROI).",
        permission_classes=ADMIN,
    )
    async def ad_spend_import(
        self, info: Info[Context, None], input: AdSpendImportInput
    ) -> AdSpendImportPayload:
        errors = InputErrors(Code.INVALID_AD_SPEND)
        rows = input.to_command(errors)
        outcome = await run_use_case(
            info, errors, rows, info.context.services.attribution.import_ad_spend
        )
        return AdSpendImportPayload(
            imported=outcome.value or 0, user_errors=JourneyUserError.list_of(outcome.problems)
        )

    @strawberry.mutation(
        description=(
            "Staff: after the weights were fitted again, credit already credited orders "
            "again under them, a page at a time; the reports move by the difference and "
            "refunds stay netted. An order credited under these weights already is left "
            "alone, so a page run twice, or a run resumed after a failure, changes "
            "nothing more."
        ),
        permission_classes=ADMIN,
    )
    async def attribution_recredit(
        self, info: Info[Context, None], input: AttributionRecreditInput
    ) -> AttributionRecreditPayload:
        errors = InputErrors(Code.INVALID)
        command = input.to_command(errors)
        outcome = await run_use_case(
            info, errors, command, info.context.services.attribution.recredit
        )
        done = outcome.value
        return AttributionRecreditPayload(
            examined=done.examined if done else 0,
            recredited=done.recredited if done else 0,
            next_cursor=done.next_cursor if done else None,
            weights_fitted_at=done.weights_fitted_at if done else None,
            user_errors=JourneyUserError.list_of(outcome.problems),
        )


@strawberry.type(description="A touch's credit under one model.")
class ModelCredit:
    model: AttributionModel = strawberry.field(description="The model.")
    amount: Money = strawberry.field(description="Whole minor units, net of refunds.")


@strawberry.type(description="One touch of an order's journey and its credit under each model.")
class CreditedTouch:
    touch_id: str = strawberry.field(description="The touch's client event id.")
    occurred_at: datetime = strawberry.field(description="When it happened.")
    channel: str = strawberry.field(description="Its marketing channel.")
    campaign: str = strawberry.field(description='Its utm_campaign, or "(none)".')
    credits: list[ModelCredit] = strawberry.field(
        description="Its credit under every model, net of refunds."
    )


@strawberry.type(description="How a paid order's value was credited to its journey.")
class OrderAttribution:
    value: Money = strawberry.field(description="What was paid.")
    refunded: Money = strawberry.field(description="What was taken back from the credits.")
    payment_method: str = strawberry.field(description='Card brand or wallet, or "(none)".')
    weights_fitted_at: datetime | None = strawberry.field(
        description="When the Markov and Shapley weights used were fitted (null: none yet, linear)."
    )
    touches: list[CreditedTouch] = strawberry.field(description="In journey order.")


@strawberry.type
class OrderAttributionQuery:
    @strawberry.field(
        description="Staff: a paid order's journey and each touch's credit; null before payment.",
        permission_classes=ADMIN,
    )
    async def order_attribution(
        self, info: Info[Context, None], order_id: strawberry.ID
    ) -> OrderAttribution | None:
        local = local_id_or_none(order_id, "Order")
        if local is None:
            raise BadUserInput("Not a valid Order ID", argument="orderId")
        credit = await info.context.run(info.context.services.attribution.credit_of, local)
        if credit is None:
            return None

        def money(amount: int) -> Money:
            return Money.from_domain(DomainMoney(amount, credit.currency))

        return OrderAttribution(
            value=money(credit.value),
            refunded=money(credit.refunded),
            payment_method=credit.payment_method,
            weights_fitted_at=credit.weights_fitted_at,
            touches=[
                CreditedTouch(
                    touch_id=t.touch_id,
                    occurred_at=t.at,
                    channel=t.channel,
                    campaign=t.campaign,
                    credits=[
                        ModelCredit(model=m, amount=money(parts[i]))
                        for m, parts in credit.credits.items()
                    ],
                )
                for i, t in enumerate(credit.touches)
            ],
        )
