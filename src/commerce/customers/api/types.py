"""Customer types as frontend teams see them (Shopify Storefront-like names)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from commerce.cart.api.types import Cart
from commerce.customers import model
from commerce.customers.errors import CustomerErrorCode as DomainCustomerErrorCode
from commerce.graphql.context import Context
from commerce.graphql.ids import to_global_id
from commerce.graphql.relay import Node
from commerce.graphql.user_errors import UserError
from commerce.loyalty.api.types import LoyaltyAccount
from commerce.orders.api.queries import MAX_ORDERS_PAGE, page_arguments
from commerce.orders.api.types import OrderConnection, order_connection
from commerce.principals import Shopper
from commerce.problems import Rejected

CustomerErrorCode = strawberry.enum(
    DomainCustomerErrorCode,
    name="CustomerErrorCode",
    description="Why a customer account change was refused.",
)
MarketingChannel = strawberry.enum(
    model.ConsentChannel,
    name="MarketingChannel",
    description="A way the shop may send marketing, agreed to on its own.",
)
Gender = strawberry.enum(
    model.Gender, name="Gender", description="Self-described gender, for marketing segments."
)


def customer_global_id(customer_id: str) -> str:
    return to_global_id("Customer", customer_id)


def address_global_id(address_id: str) -> str:
    return to_global_id("CustomerAddress", address_id)


@strawberry.type(
    description="Why a customer change was refused, and which input field it concerns."
)
class CustomerUserError(UserError):
    code: CustomerErrorCode = strawberry.field(description="What is wrong, for programs.")


@strawberry.type(
    name="CustomerMarketingConsent",
    description="A customer's consent to marketing on one channel.",
)
class MarketingConsent:
    channel: MarketingChannel = strawberry.field(description="The channel.")
    granted: bool = strawberry.field(description="Whether the customer agreed.")
    updated_at: datetime = strawberry.field(
        description="When the customer last gave or withdrew this consent."
    )


@strawberry.type(description="Optional facts marketing reports segment customers by.")
class CustomerDemographics:
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    birth_year: int | None = strawberry.field(description="Year of birth.")
    gender: Gender | None = strawberry.field(description="Self-described gender.")


@strawberry.type(description="The month and day a customer celebrates.")
class CustomerBirthday:
    month: int = strawberry.field(description="1 to 12.")
    day: int = strawberry.field(description="Day of the month.")


@strawberry.type(description="A postal address a customer saved.")
class CustomerAddress(Node):
    first_name: str = strawberry.field(description="Given name.")
    last_name: str = strawberry.field(description="Family name.")
    address1: str = strawberry.field(description="Street and number.")
    address2: str = strawberry.field(description="Flat, floor, building.")
    city: str = strawberry.field(description="City or town.")
    province: str = strawberry.field(description="State, province or region.")
    zip: str = strawberry.field(description="Postal code.")
    country_code: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    phone: str | None = strawberry.field(description="A phone number for the carrier.")

    @classmethod
    def from_domain(cls, address: model.CustomerAddress) -> CustomerAddress:
        f = address.fields
        return cls(
            id=strawberry.ID(address_global_id(address.id)),
            first_name=f.first_name,
            last_name=f.last_name,
            address1=f.address1,
            address2=f.address2,
            city=f.city,
            province=f.province,
            zip=f.zip,
            country_code=f.country_code,
            phone=f.phone or None,
        )


@strawberry.type(description="A customer account: only its owner reads it.")
class Customer(Node):
    email: str = strawberry.field(description="The log-in email, lower-cased.")
    first_name: str = strawberry.field(description="Given name.")
    last_name: str = strawberry.field(description="Family name.")
    phone: str | None = strawberry.field(description="Phone number in international form.")
    created_at: datetime = strawberry.field(description="When the account was opened.")
    marketing_consent: list[MarketingConsent] = strawberry.field(
        description="Consent per channel; a channel never answered is absent (no consent)."
    )
    demographics: CustomerDemographics = strawberry.field(
        description="Optional facts for marketing segments."
    )
    default_address_id: strawberry.ID | None = strawberry.field(
        description="The id of the address checkout offers first."
    )
    preferred_channel: MarketingChannel | None = strawberry.field(
        description="How the customer prefers to hear from the store; null: unsaid."
    )
    time_zone: str | None = strawberry.field(
        description="The customer's IANA time zone (texts wait out their night)."
    )
    birthday: CustomerBirthday | None = strawberry.field(
        description="Month and day, for the birthday bonus; null when not given."
    )
    _customer_id: strawberry.Private[str]
    _cart_token: strawberry.Private[str | None]

    @classmethod
    def from_domain(cls, customer: model.Customer) -> Customer:
        demo = customer.demographics
        default = customer.default_address_id
        return cls(
            id=strawberry.ID(customer_global_id(customer.id)),
            email=customer.email,
            first_name=customer.first_name,
            last_name=customer.last_name,
            phone=customer.phone,
            created_at=customer.created_at,
            marketing_consent=[
                MarketingConsent(channel=c.channel, granted=c.granted, updated_at=c.updated_at)
                for c in customer.consents
            ],
            demographics=CustomerDemographics(
                country=demo.country, birth_year=demo.birth_year, gender=demo.gender
            ),
            default_address_id=None
            if default is None
            else strawberry.ID(address_global_id(default)),
            preferred_channel=customer.preferred_channel,
            time_zone=customer.time_zone,
            birthday=None
            if customer.birthday is None
            else CustomerBirthday(month=customer.birthday.month, day=customer.birthday.day),
            _customer_id=customer.id,
            _cart_token=customer.cart_id,
        )

    @strawberry.field(description="Saved addresses, oldest first.")
    async def addresses(self, info: Info[Context, None]) -> list[CustomerAddress]:
        found = await info.context.run(
            info.context.services.customer_addresses.addresses, self._customer_id
        )
        return [CustomerAddress.from_domain(a) for a in found]

    @strawberry.field(
        description=(
            "The cart the customer is filling, priced now; null when they have none (or it "
            "expired). A guest cart sent with customerLogIn is merged into it."
        )
    )
    async def cart(self, info: Info[Context, None]) -> Cart | None:
        if self._cart_token is None:
            return None
        carts = info.context.services.cart
        try:
            # Priced for the caller's channel, as the cart itself is (`context.channel`).
            viewer = Shopper(self._customer_id, info.context.channel)
            priced = await info.context.run(carts.cart, self._cart_token, viewer)
        except Rejected:  # expired
            return None
        return None if priced is None else Cart.from_domain(priced)

    @strawberry.field(
        description=(
            "The customer's loyalty points: balance, tier, lots and history (their own only)."
        )
    )
    async def loyalty(self, info: Info[Context, None]) -> LoyaltyAccount:
        found = await info.context.run(info.context.services.loyalty.account, self._customer_id)
        return LoyaltyAccount.from_domain(found)

    @strawberry.field(description="The orders the customer placed while signed in, newest first.")
    async def orders(
        self,
        info: Info[Context, None],
        first: Annotated[
            int, strawberry.argument(description=f"Orders per page, 1 to {MAX_ORDERS_PAGE}.")
        ] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="Start after this cursor.")
        ] = None,
    ) -> OrderConnection:
        orders = info.context.services.orders
        position = page_arguments(orders, first, after)
        page = await info.context.run(orders.orders_of_customer, self._customer_id, first, position)
        return order_connection(page)
