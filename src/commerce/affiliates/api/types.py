"""The affiliate program as partners and staff read it."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

import strawberry
from strawberry.types import Info

from commerce.affiliates import model
from commerce.affiliates.errors import AffiliateErrorCode
from commerce.affiliates.rules import tracking_link
from commerce.catalog.listing import ListingError
from commerce.graphql.arguments import After, First
from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput
from commerce.graphql.ids import to_global_id
from commerce.graphql.money import CurrencyCode, Money
from commerce.graphql.relay import Connection
from commerce.graphql.user_errors import UserError
from commerce.money import Currency
from commerce.money import Money as DomainMoney

AffiliateErrorCodeType = strawberry.enum(
    AffiliateErrorCode, name="AffiliateErrorCode", description="Why an affiliate input was refused."
)
CommissionStateType = strawberry.enum(
    model.EntryState,
    name="CommissionState",
    description="PENDING until the holding period ends, APPROVED (payable), PAID (in a payout).",
)
CommissionKindType = strawberry.enum(
    model.EntryKind,
    name="CommissionEntryKind",
    description=(
        "COMMISSION for what an order line earned, REVERSAL for what a refund took back, "
        "DISPUTE for what a card dispute took back, DISPUTE_WON for what a won dispute gave "
        "back."
    ),
)
PayoutStatusType = strawberry.enum(
    model.PayoutStatus,
    name="AffiliatePayoutStatus",
    description=(
        "DRAFT while it collects entries (a run stopped half way resumes at the next "
        "affiliatePayoutCreate), OPEN until paid, then PAID."
    ),
)

T = TypeVar("T")

PAYOUT_TYPE = "AffiliatePayout"
MAX_FEED_PAGE = 100
MONTH = re.compile(r"20\d\d-\d\d")


def gid(type_name: str, local_id: str) -> strawberry.ID:
    return strawberry.ID(to_global_id(type_name, local_id))


def percent(rate: int) -> Decimal:
    """Basis points as a percentage: 3000 -> 30.00."""
    return (Decimal(rate) / 100).quantize(Decimal("0.01"))


@strawberry.type(description="Why an affiliate input was refused.")
class AffiliateUserError(UserError):
    code: AffiliateErrorCodeType = strawberry.field(description="What is wrong, for programs.")


@strawberry.type(description="A rate for the lines of one product (it overrides the order rates).")
class ProductCommissionRate:
    product_id: strawberry.ID = strawberry.field(description="The Product.")
    percent: Decimal = strawberry.field(description="Percent of what the customer paid for it.")


@strawberry.type(description="A rate for the lines of products in one collection.")
class CollectionCommissionRate:
    collection_id: strawberry.ID = strawberry.field(description="The Collection.")
    percent: Decimal = strawberry.field(description="Percent of what the customer paid for it.")


@strawberry.type(
    description=(
        "An order rate from a monthly volume on: it applies once the partner's referred net "
        "sales of the calendar month reached the threshold, and never lowers the rule's rate."
    )
)
class VolumeTier:
    threshold: Money = strawberry.field(description="The month's volume from which it applies.")
    percent: Decimal = strawberry.field(description="The order rate from there on.")


@strawberry.type(description="How a partner is paid for the customers it refers.")
class CommissionRule:
    first_order_percent: Decimal = strawberry.field(
        description="Percent of the goods of the order that bound the customer (or a guest's)."
    )
    repeat_percent: Decimal = strawberry.field(
        description="Percent of the goods of every later order of the bound customer."
    )
    repeat_months: int | None = strawberry.field(
        description="Months after binding in which repeat orders earn; null for ever."
    )
    product_rates: list[ProductCommissionRate] = strawberry.field(
        description="Rates of single products, overriding the order rates."
    )
    fixed_per_order: Money | None = strawberry.field(
        description="A fixed amount per commissioned order (in that order's currency only)."
    )
    holding_days: int = strawberry.field(
        description="Days a commission stays pending (refundable) before it is approved."
    )
    collection_rates: list[CollectionCommissionRate] = strawberry.field(
        description="Rates of the products of collections, after product rates."
    )
    tiers: list[VolumeTier] = strawberry.field(
        description="Order rates by the partner's monthly volume, lowest threshold first."
    )

    @classmethod
    def from_domain(cls, rule: model.CommissionRule) -> CommissionRule:
        fixed = rule.fixed_per_order
        return cls(
            first_order_percent=percent(rule.first_order_rate),
            repeat_percent=percent(rule.repeat_rate),
            repeat_months=rule.repeat_months,
            product_rates=[
                ProductCommissionRate(product_id=gid("Product", p), percent=percent(r))
                for p, r in rule.product_rates
            ],
            fixed_per_order=None if fixed is None else Money.from_domain(fixed),
            holding_days=rule.holding_days,
            collection_rates=[
                CollectionCommissionRate(collection_id=gid("Collection", c), percent=percent(r))
                for c, r in rule.collection_rates
            ],
            tiers=[
                VolumeTier(threshold=Money.from_domain(t.threshold), percent=percent(t.rate))
                for t in rule.tiers
            ],
        )


@strawberry.type(description="A partner's place in the program (staff).")
class AffiliateProgram:
    partner_id: strawberry.ID = strawberry.field(description="The Partner.")
    group: str | None = strawberry.field(
        description="The group whose rule applies without its own."
    )
    connected_account_id: str | None = strawberry.field(
        description="The Stripe connected account payouts are transferred to, if any."
    )

    @classmethod
    def from_domain(cls, program: model.PartnerProgram) -> AffiliateProgram:
        return cls(
            partner_id=gid("Partner", program.partner_id),
            group=program.group,
            connected_account_id=program.connected_account_id,
        )


@strawberry.type(description="A staff change of a binding, with its reason.")
class AffiliateBindingChange:
    at: datetime = strawberry.field(description="When.")
    from_partner_id: strawberry.ID | None = strawberry.field(description="The partner before.")
    to_partner_id: strawberry.ID = strawberry.field(description="The partner after.")
    reason: str = strawberry.field(description="Why, as staff wrote it.")


@strawberry.type(description="A customer bound for life to the partner that referred them.")
class AffiliateBinding:
    partner_id: strawberry.ID = strawberry.field(description="The Partner.")
    bound_at: datetime = strawberry.field(description="When the binding was made or last changed.")
    rule: CommissionRule = strawberry.field(
        description="The rule in force at binding time: later rule changes do not apply."
    )
    history: list[AffiliateBindingChange] = strawberry.field(
        description="Staff changes, oldest first."
    )

    @classmethod
    def from_domain(cls, binding: model.Binding) -> AffiliateBinding:
        return cls(
            partner_id=gid("Partner", binding.partner_id),
            bound_at=binding.bound_at,
            rule=CommissionRule.from_domain(binding.rule),
            history=[
                AffiliateBindingChange(
                    at=c.at,
                    from_partner_id=None
                    if c.from_partner_id is None
                    else gid("Partner", c.from_partner_id),
                    to_partner_id=gid("Partner", c.to_partner_id),
                    reason=c.reason,
                )
                for c in binding.history
            ],
        )


@strawberry.type(
    description="One ledger entry: positive for a commission, negative for a reversal."
)
class CommissionEntry:
    id: str = strawberry.field(description="The entry's id (stable; events carry it).")
    order_number: int = strawberry.field(description="The order's number.")
    line: str = strawberry.field(description="The order line (ORDER for a fixed amount per order).")
    kind: CommissionKindType = strawberry.field(description="Commission or reversal.")
    amount: Money = strawberry.field(description="The amount; negative for a reversal.")
    state: CommissionStateType = strawberry.field(description="Where the entry is in its life.")
    percent: Decimal = strawberry.field(description="The rate applied.")
    base: Money = strawberry.field(description="What the customer paid for the line's goods.")
    created_at: datetime = strawberry.field(description="When the entry was written.")
    payout_id: strawberry.ID | None = strawberry.field(description="The payout that paid it.")

    @classmethod
    def from_domain(cls, entry: model.LedgerEntry) -> CommissionEntry:
        currency = entry.amount.currency
        return cls(
            id=entry.id,
            order_number=entry.order_number,
            line=entry.line_id,
            kind=entry.kind,
            amount=Money.from_domain(entry.amount),
            state=entry.state,
            percent=percent(entry.rate),
            base=Money.from_domain(DomainMoney(entry.base, currency)),
            created_at=entry.created_at,
            payout_id=None if entry.payout_id is None else gid(PAYOUT_TYPE, entry.payout_id),
        )


@strawberry.type(description="The sum of a partner's entries in one currency, by state.")
class CommissionBalance:
    currency_code: CurrencyCode = strawberry.field(description="The currency.")
    pending: Money = strawberry.field(description="Not yet approved.")
    approved: Money = strawberry.field(description="Payable (net of reversals).")
    paid: Money = strawberry.field(description="In payouts.")
    total: Money = strawberry.field(description="Every entry's sum.")

    @classmethod
    def from_domain(cls, balance: model.Balance) -> CommissionBalance:
        c = balance.currency
        return cls(
            currency_code=c,
            pending=Money.from_domain(DomainMoney(balance.pending, c)),
            approved=Money.from_domain(DomainMoney(balance.approved, c)),
            paid=Money.from_domain(DomainMoney(balance.paid, c)),
            total=Money.from_domain(DomainMoney(balance.total, c)),
        )


@strawberry.type(description="An entry a payout pays, or a reversal it deducts.")
class AffiliatePayoutLine:
    entry_id: str = strawberry.field(description="The ledger entry.")
    order_number: int = strawberry.field(description="The order's number.")
    kind: CommissionKindType = strawberry.field(description="Commission or reversal.")
    amount: Money = strawberry.field(description="The amount.")


@strawberry.type(description="A batch of a partner's approved entries in one currency.")
class AffiliatePayout:
    id: strawberry.ID = strawberry.field(description="The payout's global id.")
    partner_id: strawberry.ID = strawberry.field(description="The Partner paid.")
    status: PayoutStatusType = strawberry.field(description="DRAFT, OPEN or PAID.")
    total: Money = strawberry.field(description="What is paid: the sum of its lines.")
    created_at: datetime = strawberry.field(description="When staff created it.")
    paid_at: datetime | None = strawberry.field(description="When it was marked paid.")
    external_reference: str | None = strawberry.field(
        description="The bank transfer's reference, or the Stripe transfer's id."
    )
    lines: list[AffiliatePayoutLine] = strawberry.field(description="Its entries.")

    @classmethod
    def from_domain(cls, payout: model.Payout) -> AffiliatePayout:
        c = payout.currency
        return cls(
            id=gid(PAYOUT_TYPE, payout.id),
            partner_id=gid("Partner", payout.partner_id),
            status=payout.status,
            total=Money.from_domain(DomainMoney(payout.total, c)),
            created_at=payout.created_at,
            paid_at=payout.paid_at,
            external_reference=payout.external_reference,
            lines=[
                AffiliatePayoutLine(
                    entry_id=x.entry_id,
                    order_number=x.order_number,
                    kind=x.kind,
                    amount=Money.from_domain(DomainMoney(x.amount, c)),
                )
                for x in payout.lines
            ],
        )


@strawberry.type(
    description="A customer the partner referred, under a pseudonym: no personal data."
)
class ReferredCustomer:
    pseudonym: str = strawberry.field(
        description="Stable for this partner; another partner gets another for the same person."
    )
    bound_at: datetime = strawberry.field(description="When the customer was bound.")


@strawberry.type(description="A product with the partner's tracking link.")
class FeedProduct:
    title: str = strawberry.field(description="The product's title.")
    handle: str = strawberry.field(description="The product's handle.")
    price: Money | None = strawberry.field(
        description="The lowest variant price in the requested currency; null without one."
    )
    link: str = strawberry.field(description="The product's page with the partner's ref code.")


@strawberry.type(description="A page of the product feed.")
class ProductFeedPage:
    products: list[FeedProduct] = strawberry.field(description="The products of the page.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")
    has_next_page: bool = strawberry.field(description="Whether another page follows.")


# Relay connections of the portal's lists (the kit names them CommissionEntryConnection,
# AffiliatePayoutConnection, ReferredCustomerConnection).
CommissionEntryConnection = Connection[CommissionEntry]
AffiliatePayoutConnection = Connection[AffiliatePayout]
ReferredCustomerConnection = Connection[ReferredCustomer]


MAX_PAGE = 100
DEFAULT_PAGE = 20


def cursor_of(key: str) -> str:
    """An opaque cursor naming one item by its stable key (an entry's id, a payout's id)."""
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def _page(
    items: Sequence[T], key: Callable[[T], str], first: int | None, after: str | None
) -> tuple[list[T], bool]:
    """The page of ``items`` after the cursor ``after``, ``first`` long; and whether more
    follow. A bad page size or a cursor that names no item is a bad argument."""
    size = DEFAULT_PAGE if first is None else first
    if not 1 <= size <= MAX_PAGE:
        raise BadUserInput(f"first must be between 1 and {MAX_PAGE}", argument="first")
    start = 0
    if after is not None:
        keys = [cursor_of(key(item)) for item in items]
        if after not in keys:
            raise BadUserInput("after is not a cursor of this list", argument="after")
        start = keys.index(after) + 1
    chunk = list(items[start : start + size])
    return chunk, start + size < len(items)


@strawberry.type(description="Clicks on a partner's tracking links on one UTC day.")
class DailyClicks:
    day: date = strawberry.field(description="The day (UTC).")
    clicks: int = strawberry.field(description="Clicks recorded by the storefront that day.")


MAX_CLICK_DAYS = 366


@strawberry.type(
    description="The affiliate program as one partner sees it: only its own data, ever."
)
class PartnerPortal:
    partner_id: strawberry.Private[str]

    @strawberry.field(description="The storefront link that refers shoppers to the store.")
    def tracking_link(self, info: Info[Context, None]) -> str:
        return tracking_link(
            info.context.services.settings.storefront_url, to_global_id("Partner", self.partner_id)
        )

    @strawberry.field(description="The partner's balances by currency.")
    async def balances(self, info: Info[Context, None]) -> list[CommissionBalance]:
        found = await info.context.run(info.context.services.affiliates.balances, self.partner_id)
        return [CommissionBalance.from_domain(b) for b in found]

    @strawberry.field(
        description="Ledger entries, newest first; only one state when given (a page).",
    )
    async def commissions_connection(
        self,
        info: Info[Context, None],
        state: CommissionStateType | None = None,
        first: First = None,
        after: After = None,
    ) -> CommissionEntryConnection:
        ledger = info.context.services.affiliates.ledger
        found = await info.context.run(ledger, self.partner_id, state)
        page, more = _page(found, lambda e: e.id, first, after)
        return CommissionEntryConnection.of(
            page, CommissionEntry.from_domain, lambda e: cursor_of(e.id), has_next_page=more
        )

    @strawberry.field(description="Payouts, newest first (a page).")
    async def payouts_connection(
        self, info: Info[Context, None], first: First = None, after: After = None
    ) -> AffiliatePayoutConnection:
        found = await info.context.run(info.context.services.affiliates.payouts, self.partner_id)
        page, more = _page(found, lambda p: p.id, first, after)
        return AffiliatePayoutConnection.of(
            page, AffiliatePayout.from_domain, lambda p: cursor_of(p.id), has_next_page=more
        )

    @strawberry.field(description="Customers bound to the partner, oldest first (a page).")
    async def referred_customers_connection(
        self, info: Info[Context, None], first: First = None, after: After = None
    ) -> ReferredCustomerConnection:
        affiliates = info.context.services.affiliates
        found = await info.context.run(affiliates.referred_customers, self.partner_id)
        page, more = _page(found, lambda c: c.pseudonym, first, after)
        return ReferredCustomerConnection.of(
            page,
            lambda c: ReferredCustomer(pseudonym=c.pseudonym, bound_at=c.bound_at),
            lambda c: cursor_of(c.pseudonym),
            has_next_page=more,
        )

    @strawberry.field(
        description="Ledger entries, newest first; only one state when given.",
        deprecation_reason="Use commissionsConnection (first/after pages).",
    )
    async def commissions(
        self, info: Info[Context, None], state: CommissionStateType | None = None
    ) -> list[CommissionEntry]:
        ledger = info.context.services.affiliates.ledger
        found = await info.context.run(ledger, self.partner_id, state)
        return [CommissionEntry.from_domain(e) for e in found]

    @strawberry.field(
        description=(
            "The partner's referred net sales of a calendar month (UTC, `2026-12`) in one "
            "currency: the goods of its commissioned orders paid that month, less what "
            "refunds and open or lost disputes took back. Volume tiers are decided on it."
        )
    )
    async def monthly_volume(
        self, info: Info[Context, None], month: str, currency_code: CurrencyCode
    ) -> Money:
        if not MONTH.fullmatch(month) or not 1 <= int(month[5:]) <= 12:
            raise BadUserInput("month is a calendar month such as 2026-12", argument="month")
        affiliates = info.context.services.affiliates
        currency = Currency(currency_code)
        found = await info.context.run(affiliates.monthly_volume, self.partner_id, month, currency)
        return Money.from_domain(DomainMoney(found, currency))

    @strawberry.field(
        description=(
            "Clicks on the partner's links per UTC day from `fromDay` to `toDay` (both "
            "included, at most 366 days), days without clicks at 0: each storefront event "
            "that carried the partner's ref code counts once."
        )
    )
    async def clicks(
        self, info: Info[Context, None], from_day: date, to_day: date
    ) -> list[DailyClicks]:
        if to_day < from_day or (to_day - from_day).days >= MAX_CLICK_DAYS:
            raise BadUserInput(
                f"toDay is on or after fromDay, at most {MAX_CLICK_DAYS} days", argument="toDay"
            )
        affiliates = info.context.services.affiliates
        found = await info.context.run(affiliates.clicks, self.partner_id, from_day, to_day)
        return [DailyClicks(day=date.fromisoformat(d.day), clicks=d.clicks) for d in found]

    @strawberry.field(
        description="Payouts, newest first.",
        deprecation_reason="Use payoutsConnection (first/after pages).",
    )
    async def payouts(self, info: Info[Context, None]) -> list[AffiliatePayout]:
        found = await info.context.run(info.context.services.affiliates.payouts, self.partner_id)
        return [AffiliatePayout.from_domain(p) for p in found]

    @strawberry.field(
        description="Customers bound to the partner, oldest first (pseudonymous).",
        deprecation_reason="Use referredCustomersConnection (first/after pages).",
    )
    async def referred_customers(self, info: Info[Context, None]) -> list[ReferredCustomer]:
        affiliates = info.context.services.affiliates
        found = await info.context.run(affiliates.referred_customers, self.partner_id)
        return [ReferredCustomer(pseudonym=c.pseudonym, bound_at=c.bound_at) for c in found]

    @strawberry.field(
        description=(
            "Published products by title with the partner's link on each, priced in "
            "`currency` (never converted), up to 100 a page."
        )
    )
    async def product_feed(
        self,
        info: Info[Context, None],
        currency: CurrencyCode,
        first: int = 20,
        after: str | None = None,
    ) -> ProductFeedPage:
        if not 1 <= first <= MAX_FEED_PAGE:
            raise BadUserInput(f"first must be between 1 and {MAX_FEED_PAGE}", argument="first")
        affiliates = info.context.services.affiliates
        try:
            page = await info.context.run(affiliates.product_feed, Currency(currency), first, after)
        except ListingError as exc:
            raise BadUserInput(str(exc), argument="after") from None
        storefront = info.context.services.settings.storefront_url
        ref = to_global_id("Partner", self.partner_id)
        products = []
        for edge in page.edges:
            product = edge.product
            price = product.min_price(Currency(currency))
            products.append(
                FeedProduct(
                    title=product.title,
                    handle=product.handle,
                    price=None if price is None else Money.from_domain(price),
                    link=tracking_link(storefront, ref, f"/products/{product.handle}"),
                )
            )
        return ProductFeedPage(
            products=products,
            end_cursor=page.edges[-1].cursor if page.edges else None,
            has_next_page=page.has_next_page,
        )


@strawberry.type(description="A rule, or why it was refused.")
class CommissionRulePayload:
    rule: CommissionRule | None = strawberry.field(description="The rule stored.")
    user_errors: list[AffiliateUserError] = strawberry.field(description="Why it was refused.")


@strawberry.type(description="A program setting, or why it was refused.")
class AffiliateProgramPayload:
    program: AffiliateProgram | None = strawberry.field(description="The setting stored.")
    user_errors: list[AffiliateUserError] = strawberry.field(description="Why it was refused.")


@strawberry.type(description="The changed binding, or why it was refused.")
class AffiliateBindingPayload:
    binding: AffiliateBinding | None = strawberry.field(description="The binding now.")
    user_errors: list[AffiliateUserError] = strawberry.field(description="Why it was refused.")


@strawberry.type(description="A payout, or why it was refused.")
class AffiliatePayoutPayload:
    payout: AffiliatePayout | None = strawberry.field(description="The payout.")
    user_errors: list[AffiliateUserError] = strawberry.field(description="Why it was refused.")
