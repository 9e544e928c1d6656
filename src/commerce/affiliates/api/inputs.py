"""Staff inputs of the affiliate program, decoded into the service's commands."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import strawberry

from commerce.affiliates.errors import AffiliateErrorCode as Code
from commerce.affiliates.model import (
    DEFAULT_HOLDING_DAYS,
    FULL_RATE,
    CommissionRule,
    VolumeTier,
)
from commerce.affiliates.service import (
    ChangeBinding,
    CreatePayout,
    MarkPayoutPaid,
    SetProgram,
    SetRule,
)
from commerce.graphql.inputs import InputErrors, Path
from commerce.graphql.money import CurrencyCode, MoneyInput
from commerce.money import Currency

PAYOUT_TYPE = "AffiliatePayout"
MAX_HOLDING_DAYS = 365
MAX_REPEAT_MONTHS = 1200
MAX_TEXT = 500


def rate_of(value: Decimal, errors: InputErrors, at: Path) -> int | None:
    """A percentage (at most two decimals, 0 to 100) in basis points; else None, recorded."""
    try:
        points = value * 100
        whole = points == points.to_integral_value()
    except (InvalidOperation, ValueError):
        whole = False
    if not whole or not 0 <= value <= 100:
        errors.add(Code.INVALID_RATE, "A percentage from 0 to 100 with at most two decimals", at)
        return None
    rate = int(points)
    return rate if rate <= FULL_RATE else None


@strawberry.input(description="A rate for one product's lines.")
class ProductCommissionRateInput:
    product_id: strawberry.ID = strawberry.field(description="The Product.")
    percent: Decimal = strawberry.field(description="Percent of what the customer paid for it.")


@strawberry.input(description="A rate for the lines of products in one collection.")
class CollectionCommissionRateInput:
    collection_id: strawberry.ID = strawberry.field(description="The Collection.")
    percent: Decimal = strawberry.field(description="Percent of what the customer paid for it.")


@strawberry.input(
    description=(
        "A rate that applies once the partner's referred net sales of the calendar month "
        "(before the order, in the threshold's currency) reached the threshold."
    )
)
class VolumeTierInput:
    threshold: MoneyInput = strawberry.field(
        description="The month's volume from which the rate applies."
    )
    percent: Decimal = strawberry.field(
        description="The order rate from there on (it never lowers the rule's own rate)."
    )


MAX_RATES = 50
MAX_TIERS = 10


@strawberry.input(
    description="A commission rule for one partner or for a group (give exactly one of them)."
)
class CommissionRuleSetInput:
    partner_id: strawberry.ID | None = strawberry.field(default=None, description="The Partner.")
    group: str | None = strawberry.field(
        default=None, description="A group of partners (a partner's program names its group)."
    )
    first_order_percent: Decimal = strawberry.field(
        default=Decimal(0), description="Percent of the first (binding) order's goods."
    )
    repeat_percent: Decimal = strawberry.field(
        default=Decimal(0), description="Percent of every later order's goods of a bound customer."
    )
    repeat_months: int | None = strawberry.field(
        default=None, description="Months after binding in which repeat orders earn; null for ever."
    )
    product_rates: list[ProductCommissionRateInput] = strawberry.field(
        default_factory=list, description="Rates of single products (at most 50)."
    )
    fixed_per_order: MoneyInput | None = strawberry.field(
        default=None, description="A fixed amount per commissioned order in its currency."
    )
    holding_days: int = strawberry.field(
        default=DEFAULT_HOLDING_DAYS, description="Days a commission stays pending (0 to 365)."
    )
    collection_rates: list[CollectionCommissionRateInput] = strawberry.field(
        default_factory=list,
        description=(
            "Rates of the lines of products in these collections (at most 50): a product's "
            "own rate wins, then the highest of its collections', then the order rate."
        ),
    )
    tiers: list[VolumeTierInput] = strawberry.field(
        default_factory=list,
        description="Order rates by the partner's monthly volume (at most 10 thresholds).",
    )

    def to_command(self, errors: InputErrors) -> SetRule | None:
        partner = errors.optional_id(self.partner_id, "Partner", "partnerId")
        group = (self.group or "").strip() or None
        if (self.partner_id is None) == (group is None):
            errors.add(Code.INVALID, "Give either partnerId or group", "partnerId")
        if group is not None and len(group) > 100:
            errors.add(Code.INVALID, "A group name has at most 100 characters", "group")
        first = rate_of(self.first_order_percent, errors, "firstOrderPercent")
        repeat = rate_of(self.repeat_percent, errors, "repeatPercent")
        if self.repeat_months is not None and not 0 <= self.repeat_months <= MAX_REPEAT_MONTHS:
            errors.add(Code.INVALID, f"repeatMonths is 0 to {MAX_REPEAT_MONTHS}", "repeatMonths")
        if not 0 <= self.holding_days <= MAX_HOLDING_DAYS:
            errors.add(Code.INVALID, f"holdingDays is 0 to {MAX_HOLDING_DAYS}", "holdingDays")
        if len(self.product_rates) > MAX_RATES:
            errors.add(Code.INVALID, "At most 50 product rates", "productRates")
        products = []
        for i, entry in enumerate(self.product_rates):
            product = errors.id(entry.product_id, "Product", ("productRates", str(i), "productId"))
            rate = rate_of(entry.percent, errors, ("productRates", str(i), "percent"))
            if product is not None and rate is not None:
                products.append((product, rate))
        if len(self.collection_rates) > MAX_RATES:
            errors.add(Code.INVALID, "At most 50 collection rates", "collectionRates")
        collections = []
        for i, chosen in enumerate(self.collection_rates):
            at = ("collectionRates", str(i))
            collection = errors.id(chosen.collection_id, "Collection", (*at, "collectionId"))
            rate = rate_of(chosen.percent, errors, (*at, "percent"))
            if collection is not None and rate is not None:
                collections.append((collection, rate))
        tiers = self._tiers(errors)
        fixed = None
        if self.fixed_per_order is not None:
            fixed = errors.money(self.fixed_per_order, "fixedPerOrder", Code.INVALID_AMOUNT)
            if fixed is not None and fixed.amount < 0:
                errors.add(Code.INVALID_AMOUNT, "A fixed amount is not negative", "fixedPerOrder")
        if errors or first is None or repeat is None:
            return None
        rule = CommissionRule(
            first_order_rate=first,
            repeat_rate=repeat,
            repeat_months=self.repeat_months,
            product_rates=tuple(products),
            fixed_per_order=fixed,
            holding_days=self.holding_days,
            collection_rates=tuple(collections),
            tiers=tiers,
        )
        return SetRule(partner, group, rule)

    def _tiers(self, errors: InputErrors) -> tuple[VolumeTier, ...]:
        if len(self.tiers) > MAX_TIERS:
            errors.add(Code.INVALID, f"At most {MAX_TIERS} tiers", "tiers")
        tiers: list[VolumeTier] = []
        for i, entry in enumerate(self.tiers):
            at = ("tiers", str(i))
            threshold = errors.money(entry.threshold, (*at, "threshold"), Code.INVALID_AMOUNT)
            rate = rate_of(entry.percent, errors, (*at, "percent"))
            if threshold is not None and threshold.amount <= 0:
                errors.add(Code.INVALID_AMOUNT, "A threshold is positive", (*at, "threshold"))
            elif threshold is not None and any(t.threshold == threshold for t in tiers):
                errors.add(Code.INVALID, "Two tiers have the same threshold", (*at, "threshold"))
            elif threshold is not None and rate is not None:
                tiers.append(VolumeTier(threshold, rate))
        return tuple(sorted(tiers, key=lambda t: (t.threshold.currency.value, t.threshold.amount)))


@strawberry.input(description="A partner's group and Stripe connected account.")
class AffiliateProgramSetInput:
    partner_id: strawberry.ID = strawberry.field(description="The Partner.")
    group: str | None = strawberry.field(default=None, description="Its group; null for none.")
    connected_account_id: str | None = strawberry.field(
        default=None, description="A Stripe connected account (acct_...); payouts transfer there."
    )

    def to_command(self, errors: InputErrors) -> SetProgram | None:
        partner = errors.id(self.partner_id, "Partner", "partnerId")
        account = (self.connected_account_id or "").strip() or None
        if account is not None and (not account.startswith("acct_") or len(account) > 255):
            errors.add(
                Code.INVALID, "A connected account id starts with acct_", "connectedAccountId"
            )
        group = (self.group or "").strip() or None
        if group is not None and len(group) > 100:
            errors.add(Code.INVALID, "A group name has at most 100 characters", "group")
        if errors or partner is None:
            return None
        return SetProgram(partner, group, account)


@strawberry.input(description="Move a bound customer to another partner, saying why.")
class AffiliateBindingChangeInput:
    customer_id: strawberry.ID = strawberry.field(description="The Customer.")
    partner_id: strawberry.ID = strawberry.field(description="The Partner they are bound to now.")
    reason: str = strawberry.field(description="Why (kept in the binding's history).")

    def to_command(self, errors: InputErrors) -> ChangeBinding | None:
        customer = errors.id(self.customer_id, "Customer", "customerId")
        partner = errors.id(self.partner_id, "Partner", "partnerId")
        if not self.reason.strip():
            errors.add(Code.REASON_REQUIRED, "Say why the binding changes", "reason")
        elif len(self.reason) > MAX_TEXT:
            errors.add(Code.INVALID, f"A reason has at most {MAX_TEXT} characters", "reason")
        if errors or customer is None or partner is None:
            return None
        return ChangeBinding(customer, partner, self.reason)


@strawberry.input(description="A payout of a partner's approved balance in one currency.")
class AffiliatePayoutCreateInput:
    partner_id: strawberry.ID = strawberry.field(description="The Partner.")
    currency_code: CurrencyCode = strawberry.field(description="The currency paid.")

    def to_command(self, errors: InputErrors) -> CreatePayout | None:
        partner = errors.id(self.partner_id, "Partner", "partnerId")
        return None if partner is None else CreatePayout(partner, Currency(self.currency_code))


@strawberry.input(description="A payout marked paid.")
class AffiliatePayoutMarkPaidInput:
    payout_id: strawberry.ID = strawberry.field(description="The AffiliatePayout.")
    external_reference: str | None = strawberry.field(
        default=None,
        description=(
            "The bank transfer's reference; may be left out when the partner has a Stripe "
            "connected account (a transfer is made, and its id is the reference)."
        ),
    )

    def to_command(self, errors: InputErrors) -> MarkPayoutPaid | None:
        payout = errors.id(self.payout_id, PAYOUT_TYPE, "payoutId")
        if self.external_reference is not None and len(self.external_reference) > MAX_TEXT:
            errors.add(Code.INVALID, f"At most {MAX_TEXT} characters", "externalReference")
        if errors or payout is None:
            return None
        return MarkPayoutPaid(payout, self.external_reference)
