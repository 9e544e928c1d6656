"""Cart types as frontend teams see them (Shopify Storefront-like names)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime

import strawberry
from strawberry.types import Info

from commerce.cart import model
from commerce.cart.api.discounts import (
    CartDiscountAllocation,
    CartDiscountCode,
    CartNearMiss,
    CartOffer,
    discount_codes,
    line_discounts,
    line_saving,
)
from commerce.cart.errors import CartErrorCode as DomainCartErrorCode
from commerce.cart.errors import CartWarningCode as DomainCartWarningCode
from commerce.cart.errors import CheckoutIssueCode as DomainCheckoutIssueCode
from commerce.catalog.api.loaders import stock_by_variant_loader
from commerce.catalog.api.types import ProductVariantType
from commerce.graphql.context import Context
from commerce.graphql.ids import to_global_id
from commerce.graphql.money import CurrencyCode, Money
from commerce.graphql.relay import Node
from commerce.graphql.user_errors import UserError
from commerce.money import Currency
from commerce.money import Money as DomainMoney
from commerce.shipping.model import DeliveryOption

CartErrorCode = strawberry.enum(
    DomainCartErrorCode, name="CartErrorCode", description="Why a cart change was refused."
)
CartWarningCode = strawberry.enum(
    DomainCartWarningCode,
    name="CartWarningCode",
    description="Why a cart line cannot be bought right now (the line stays in the cart).",
)

CheckoutIssueCode = strawberry.enum(
    DomainCheckoutIssueCode,
    name="CheckoutIssueCode",
    description="What a cart still lacks before it can be checked out.",
)

_ISSUE_MESSAGES = {
    DomainCheckoutIssueCode.CART_EMPTY: "The cart is empty.",
    DomainCheckoutIssueCode.SHIPPING_ADDRESS_REQUIRED: "Give a shipping address.",
    DomainCheckoutIssueCode.SHIPPING_NOT_AVAILABLE: "We do not ship to this address.",
    DomainCheckoutIssueCode.DELIVERY_OPTION_REQUIRED: "Choose a delivery option.",
    DomainCheckoutIssueCode.DELIVERY_OPTION_UNAVAILABLE: (
        "The chosen delivery option is no longer offered; choose again."
    ),
}

_WARNING_MESSAGES = {
    DomainCartWarningCode.MERCHANDISE_NOT_FOUND: "This item is no longer for sale.",
    DomainCartWarningCode.NOT_PRICED_IN_CURRENCY: "This item has no price in the cart's currency.",
    DomainCartWarningCode.OUT_OF_STOCK: "Fewer units are in stock than the line's quantity.",
}


def cart_global_id(token: str) -> str:
    """The cart's id as clients see it: it carries the token, the capability to the cart."""
    return to_global_id("Cart", token)


def line_global_id(line_id: str) -> str:
    return to_global_id("CartLine", line_id)


def delivery_option_global_id(rate_id: str) -> str:
    return to_global_id("DeliveryOption", rate_id)


def _money_or_none(money: DomainMoney | None) -> Money | None:
    return None if money is None else Money.from_domain(money)


@strawberry.type(description="Loyalty points a customer spends on their cart.")
class CartLoyaltyPoints:
    requested: int = strawberry.field(description="The points the customer asked to spend.")
    spent: int = strawberry.field(
        description=(
            "The points checkout will spend: no more than the goods need (0: they buy "
            "nothing in this currency, or the goods cost nothing)."
        )
    )
    discount: Money = strawberry.field(
        description="What they take off the goods (also one of the cart's orderDiscounts)."
    )

    @classmethod
    def of(cls, priced: model.PricedCart) -> CartLoyaltyPoints | None:
        requested = priced.cart.loyalty_points
        if not requested:
            return None
        found = priced.points
        return cls(
            requested=requested,
            spent=0 if found is None else found.points,
            discount=Money.from_domain(
                DomainMoney(0 if found is None else found.amount, priced.cart.currency)
            ),
        )


@strawberry.type(description="Why a cart change was refused, and which input field it concerns.")
class CartUserError(UserError):
    code: CartErrorCode = strawberry.field(description="What is wrong, for programs.")


@strawberry.type(description="What a buyer agreed to receive.")
class MarketingConsent:
    email: bool = strawberry.field(description="Marketing by email.")
    sms: bool = strawberry.field(description="Marketing by text message.")


@strawberry.type(description="Who is buying: contact details and marketing consent.")
class CartBuyerIdentity:
    email: str | None = strawberry.field(description="The buyer's email address.")
    phone: str | None = strawberry.field(description="The buyer's phone number, E.164.")
    marketing_consent: MarketingConsent = strawberry.field(
        description="What marketing the buyer agreed to."
    )

    @classmethod
    def from_domain(cls, identity: model.BuyerIdentity) -> CartBuyerIdentity:
        return cls(
            email=identity.email,
            phone=identity.phone,
            marketing_consent=MarketingConsent(
                email=identity.accepts_email_marketing, sms=identity.accepts_sms_marketing
            ),
        )


@strawberry.type(description="A postal address.")
class MailingAddress:
    first_name: str = strawberry.field(description="Given name.")
    last_name: str = strawberry.field(description="Family name.")
    address1: str = strawberry.field(description="Street and number.")
    address2: str = strawberry.field(description="Flat, floor, building.")
    city: str = strawberry.field(description="City or town.")
    province: str = strawberry.field(description="State, province or region.")
    zip: str = strawberry.field(description="Postal code.")
    country_code: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")

    @classmethod
    def from_domain(cls, address: model.Address) -> MailingAddress:
        return cls(
            first_name=address.first_name,
            last_name=address.last_name,
            address1=address.address1,
            address2=address.address2,
            city=address.city,
            province=address.province,
            zip=address.zip,
            country_code=address.country_code,
        )


@strawberry.type(description="What one line costs, in the cart's currency.")
class CartLineCost:
    amount_per_quantity: Money = strawberry.field(
        description="The variant's current catalog price for one unit."
    )
    total_amount: Money = strawberry.field(description="The unit price times the quantity.")
    discounted_total_amount: Money = strawberry.field(
        description=(
            "totalAmount less the line's discountAllocations (its own offers and its share "
            "of order-level ones): the amount tax is computed on."
        )
    )
    total_tax_amount: Money | None = strawberry.field(
        description=(
            "The line's tax on its discounted amount, by the shipping address (rounded per "
            "line, half to even): added "
            "on top, or the part of totalAmount that is tax when prices include tax. Null "
            "while the cart has no address."
        )
    )


@strawberry.type(description="What the cart costs, computed by the server from catalog prices.")
class CartCost:
    subtotal_amount: Money = strawberry.field(
        description="The sum of the lines that can be priced in the cart's currency."
    )
    discount_amount: Money = strawberry.field(
        description="What promotions take off the merchandise (line and order discounts)."
    )
    shipping_discount_amount: Money = strawberry.field(
        description="What promotions take off shipping (free shipping offers)."
    )
    total_discount_amount: Money = strawberry.field(
        description="discountAmount plus shippingDiscountAmount: everything the shopper saves."
    )
    shipping_amount: Money | None = strawberry.field(
        description=(
            "The chosen delivery option's price; 0 when nothing needs shipping; null while "
            "shipping is needed but not settled (see Cart.checkoutIssues)."
        )
    )
    shipping_tax_amount: Money | None = strawberry.field(
        description="The tax on shipping; null while shipping or the address is unknown."
    )
    total_tax_amount: Money | None = strawberry.field(
        description=(
            "The lines' tax plus the shipping's; null while the cart has no address (tax "
            "follows the shipping address). 0 when no rate is set for the address."
        )
    )
    taxes_included: bool = strawberry.field(
        description=(
            "Whether prices include tax: then totalTaxAmount is part of subtotal and shipping, "
            "not added on top."
        )
    )
    total_amount: Money = strawberry.field(
        description=(
            "What the buyer pays: subtotal - discounts + shipping - shipping discount + tax "
            "(tax not added when prices include it). Amounts still null (shipping, tax) "
            "count 0 until known."
        )
    )


@strawberry.type(description="A way to ship the cart, priced for it now.")
class CartDeliveryOption:
    id: strawberry.ID = strawberry.field(
        description="The option's id, for cartDeliveryOptionSelect."
    )
    title: str = strawberry.field(description="What shoppers see, e.g. 'Standard (3-5 days)'.")
    price: Money = strawberry.field(
        description="What shipping costs by this option for this cart (0: free)."
    )

    @classmethod
    def from_domain(cls, option: DeliveryOption) -> CartDeliveryOption:
        return cls(
            id=strawberry.ID(delivery_option_global_id(option.id)),
            title=option.title,
            price=Money.from_domain(option.price),
        )


@strawberry.type(description="Something the cart lacks before checkout.")
class CartCheckoutIssue:
    code: CheckoutIssueCode = strawberry.field(description="What is missing, for programs.")
    message: str = strawberry.field(description="What is missing, for people.")


@strawberry.type(description="Why one line of the cart cannot be bought right now.")
class CartWarning:
    code: CartWarningCode = strawberry.field(description="The reason, for programs.")
    message: str = strawberry.field(description="The reason, for people.")
    line_id: strawberry.ID = strawberry.field(description="The line concerned.")


@strawberry.type(description="One variant in a cart, with its quantity and current price.")
class CartLine:
    id: strawberry.ID = strawberry.field(description="The line's id, for update and remove.")
    quantity: int = strawberry.field(description="Units of the variant.")
    merchandise: ProductVariantType | None = strawberry.field(
        description="The variant; null when it is no longer for sale (deleted or unpublished)."
    )
    cost: CartLineCost | None = strawberry.field(
        description=(
            "The line's price; null when it cannot be priced in the cart's currency "
            "(see unavailableReason). Such lines count nothing toward the cart's cost."
        )
    )
    discount_allocations: list[CartDiscountAllocation] = strawberry.field(
        description=(
            "What promotions take off this line: its own offers, then its share of each "
            "order-level discount (the shares add up to the order discount exactly)."
        )
    )
    priced: strawberry.Private[model.PricedLine]

    @classmethod
    def from_domain(
        cls,
        priced: model.PricedLine,
        currency: Currency,
        tax: DomainMoney | None,
        discounts: list[CartDiscountAllocation] | None = None,
        saved: int = 0,
    ) -> CartLine:
        allocations = discounts or []
        unit, total = priced.unit_price, priced.total
        merchandise = None
        if priced.product is not None and priced.variant is not None:
            merchandise = ProductVariantType.from_domain(
                priced.variant, priced.product, None, currency
            )
        return cls(
            id=strawberry.ID(line_global_id(priced.line.id)),
            quantity=priced.line.quantity,
            merchandise=merchandise,
            cost=(
                None
                if unit is None or total is None
                else CartLineCost(
                    amount_per_quantity=Money.from_domain(unit),
                    total_amount=Money.from_domain(total),
                    discounted_total_amount=Money.from_domain(
                        DomainMoney(total.amount - saved, total.currency)
                    ),
                    total_tax_amount=_money_or_none(tax),
                )
            ),
            discount_allocations=allocations,
            priced=priced,
        )

    @strawberry.field(
        description=(
            "Whether the line can be bought now: the variant is for sale, priced in the "
            "cart's currency and in stock for the quantity. Checkout, not this flag, "
            "guarantees the units."
        )
    )
    async def available(self, info: Info[Context, None]) -> bool:
        return await self.warning(info) is None

    @strawberry.field(description="Why the line cannot be bought now; null when it can.")
    async def unavailable_reason(self, info: Info[Context, None]) -> CartWarningCode | None:
        return await self.warning(info)

    async def warning(self, info: Info[Context, None]) -> DomainCartWarningCode | None:
        """The line's warning; stock comes through the request's batched stock loader."""
        priced = self.priced
        if priced.warning is not None or priced.variant is None or priced.product is None:
            return priced.warning
        if not priced.variant.tracks_stock:  # digital goods: not limited
            return model.stock_warning(priced, None)
        loader = info.context.loader(stock_by_variant_loader)
        available = await loader.load((priced.product.id, priced.variant.id))
        return model.stock_warning(priced, available)


@strawberry.type(
    description=(
        "A shopper's cart. Its id is an unguessable token: whoever holds it can read and "
        "change the cart, so keep it private (send it in POST bodies, not URLs)."
    )
)
class Cart(Node):
    id: strawberry.ID = strawberry.field(description="The cart's id (its access token).")
    currency_code: CurrencyCode = strawberry.field(description="The currency of every amount.")
    created_at: datetime = strawberry.field(description="When the cart was created.")
    updated_at: datetime = strawberry.field(description="When the cart last changed.")
    expires_at: datetime = strawberry.field(
        description="When the cart expires if left unchanged; every change pushes it back."
    )
    buyer_identity: CartBuyerIdentity = strawberry.field(description="Who is buying.")
    shipping_address: MailingAddress | None = strawberry.field(
        description="Where physical goods go; null until given."
    )
    requires_shipping: bool = strawberry.field(
        description="Whether any line is a physical good (digital-only carts need no address)."
    )
    lines: list[CartLine] = strawberry.field(
        description=f"The lines in the order first added; at most {model.MAX_LINES}."
    )
    total_quantity: int = strawberry.field(description="Units across all lines.")
    total_weight_grams: int = strawberry.field(
        description=(
            "What the physical lines weigh, for weight-based shipping; a variant without a "
            "weight counts 0 g."
        )
    )
    cost: CartCost = strawberry.field(description="What the cart costs now.")
    delivery_options: list[CartDeliveryOption] = strawberry.field(
        description=(
            "How the cart can be shipped to its address, cheapest first; empty when nothing "
            "needs shipping, there is no address, or no zone ships there."
        )
    )
    selected_delivery_option: CartDeliveryOption | None = strawberry.field(
        description="The option chosen, while it is still offered; null otherwise."
    )
    checkout_issues: list[CartCheckoutIssue] = strawberry.field(
        description="What the cart lacks before checkout (address, delivery option, ...)."
    )
    order_discounts: list[CartDiscountAllocation] = strawberry.field(
        description=(
            "Order-level discounts (spend 50 save 5, 10% off the order); each is also shared "
            "out over the lines' discountAllocations."
        )
    )
    shipping_discount: CartDiscountAllocation | None = strawberry.field(
        description="A free-shipping offer's saving; null when none applies (or no shipping yet)."
    )
    discount_codes: list[CartDiscountCode] = strawberry.field(
        description="The codes entered (cartDiscountCodesUpdate), each applied or refused and why."
    )
    near_misses: list[CartNearMiss] = strawberry.field(
        description="Offers the cart is close to, with what would unlock them."
    )
    affiliate_id: strawberry.ID | None = strawberry.field(
        description="The affiliate partner that referred this cart (set when it was created)."
    )
    loyalty_points: CartLoyaltyPoints | None = strawberry.field(
        description="The owner's loyalty points on this cart (cartLoyaltyPointsApply); null: none."
    )
    priced: strawberry.Private[model.PricedCart]

    @classmethod
    def from_domain(cls, priced: model.PricedCart) -> Cart:
        cart = priced.cart
        totals = priced.totals
        promoted = priced.promotions
        address = cart.shipping_address
        return cls(
            id=strawberry.ID(cart_global_id(cart.id)),
            currency_code=cart.currency,
            created_at=cart.created_at,
            updated_at=cart.updated_at,
            expires_at=cart.expires_at,
            buyer_identity=CartBuyerIdentity.from_domain(cart.buyer_identity),
            shipping_address=None if address is None else MailingAddress.from_domain(address),
            requires_shipping=priced.requires_shipping,
            lines=[
                CartLine.from_domain(
                    line,
                    cart.currency,
                    tax,
                    line_discounts(priced, line.line.id),
                    line_saving(priced, line.line.id),
                )
                for line, tax in zip(priced.lines, totals.line_taxes, strict=True)
            ],
            total_quantity=priced.total_quantity,
            total_weight_grams=totals.weight_grams,
            cost=CartCost(
                subtotal_amount=Money.from_domain(priced.subtotal),
                discount_amount=Money.from_domain(totals.discount),
                shipping_discount_amount=Money.from_domain(totals.shipping_discount),
                total_discount_amount=Money.from_domain(
                    DomainMoney(
                        totals.discount.amount + totals.shipping_discount.amount, cart.currency
                    )
                ),
                shipping_amount=_money_or_none(totals.shipping),
                shipping_tax_amount=_money_or_none(totals.shipping_tax),
                total_tax_amount=_money_or_none(totals.tax),
                taxes_included=totals.taxes_included,
                total_amount=Money.from_domain(priced.total),
            ),
            delivery_options=[CartDeliveryOption.from_domain(o) for o in totals.delivery_options],
            selected_delivery_option=(
                None if totals.delivery is None else CartDeliveryOption.from_domain(totals.delivery)
            ),
            checkout_issues=[
                CartCheckoutIssue(code=code, message=_ISSUE_MESSAGES[code])
                for code in totals.issues
            ],
            order_discounts=[
                CartDiscountAllocation.from_domain(d, priced)
                for d in (() if promoted is None else promoted.order_discounts)
            ],
            shipping_discount=(
                None
                if promoted is None
                or promoted.shipping_discount is None
                or not totals.shipping_discount.amount
                else CartDiscountAllocation.from_domain(
                    replace(promoted.shipping_discount, amount=totals.shipping_discount.amount),
                    priced,
                )
            ),
            discount_codes=discount_codes(priced),
            near_misses=[
                CartNearMiss.from_domain(n, cart.currency)
                for n in (() if promoted is None else promoted.near_misses)
            ],
            affiliate_id=(
                None
                if cart.affiliate_id is None
                else strawberry.ID(to_global_id("Partner", cart.affiliate_id))
            ),
            loyalty_points=CartLoyaltyPoints.of(priced),
            priced=priced,
        )

    @strawberry.field(
        description=(
            "The offers on the cart's products for this shopper, each with its saving on the "
            "cart now and what the cart still lacks for it ('complete the series: add volumes "
            "2 and 3 and save 15%'). Priced by the same engine as the cart."
        )
    )
    async def offers(self, info: Info[Context, None]) -> list[CartOffer]:
        cart = info.context.services.cart
        found = await info.context.run(cart.pricer.offers, self.priced, info.context.shopper)
        return [CartOffer.from_domain(o, self.priced.cart.currency) for o in found]

    @strawberry.field(
        description=(
            "Whether the cart can go to checkout now: no checkoutIssues and every line "
            "available. Checkout checks again; this is for the shopper's next step."
        )
    )
    async def checkout_ready(self, info: Info[Context, None]) -> bool:
        return not self.checkout_issues and not await self.warnings(info)

    @strawberry.field(description="Every line that cannot be bought now, and why.")
    async def warnings(self, info: Info[Context, None]) -> list[CartWarning]:
        found = await asyncio.gather(*(line.warning(info) for line in self.lines))
        return [
            CartWarning(code=code, message=_WARNING_MESSAGES[code], line_id=line.id)
            for line, code in zip(self.lines, found, strict=True)
            if code is not None
        ]
