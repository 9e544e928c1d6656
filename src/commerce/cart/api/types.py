"""Cart types as frontend teams see them (Shopify Storefront-like names)."""

from __future__ import annotations

import asyncio
from datetime import datetime

import strawberry
from strawberry.types import Info

from commerce.cart import model
from commerce.cart.errors import CartErrorCode as DomainCartErrorCode
from commerce.cart.errors import CartWarningCode as DomainCartWarningCode
from commerce.catalog.api.loaders import stock_by_variant_loader
from commerce.catalog.api.types import ProductVariantType
from commerce.graphql.context import Context
from commerce.graphql.ids import to_global_id
from commerce.graphql.money import CurrencyCode, Money
from commerce.money import Currency
from commerce.problems import Problem

CartErrorCode = strawberry.enum(
    DomainCartErrorCode, name="CartErrorCode", description="Why a cart change was refused."
)
CartWarningCode = strawberry.enum(
    DomainCartWarningCode,
    name="CartWarningCode",
    description="Why a cart line cannot be bought right now (the line stays in the cart).",
)

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


@strawberry.type(description="Why a cart change was refused, and which input field it concerns.")
class CartUserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["lines", "0", "quantity"].'
    )
    message: str = strawberry.field(description="What is wrong, for people.")
    code: CartErrorCode = strawberry.field(description="What is wrong, for programs.")

    @classmethod
    def from_problem(cls, problem: Problem) -> CartUserError:
        return cls(field=list(problem.field) or None, message=problem.message, code=problem.code)


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


@strawberry.type(description="What the cart costs, computed by the server from catalog prices.")
class CartCost:
    subtotal_amount: Money = strawberry.field(
        description="The sum of the lines that can be priced in the cart's currency."
    )
    total_amount: Money = strawberry.field(
        description=(
            "What the buyer pays. Equal to the subtotal for now: shipping, tax and "
            "discounts are added when checkout supports them."
        )
    )


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
    priced: strawberry.Private[model.PricedLine]

    @classmethod
    def from_domain(cls, priced: model.PricedLine, currency: Currency) -> CartLine:
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
                )
            ),
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
class Cart:
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
    cost: CartCost = strawberry.field(description="What the cart costs now.")

    @classmethod
    def from_domain(cls, priced: model.PricedCart) -> Cart:
        cart = priced.cart
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
            lines=[CartLine.from_domain(line, cart.currency) for line in priced.lines],
            total_quantity=priced.total_quantity,
            cost=CartCost(
                subtotal_amount=Money.from_domain(priced.subtotal),
                total_amount=Money.from_domain(priced.total),
            ),
        )

    @strawberry.field(description="Every line that cannot be bought now, and why.")
    async def warnings(self, info: Info[Context, None]) -> list[CartWarning]:
        found = await asyncio.gather(*(line.warning(info) for line in self.lines))
        return [
            CartWarning(code=code, message=_WARNING_MESSAGES[code], line_id=line.id)
            for line, code in zip(self.lines, found, strict=True)
            if code is not None
        ]
