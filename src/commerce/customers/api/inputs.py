"""Customer input types and their conversion into the service's terms."""

from __future__ import annotations

import strawberry

from commerce.customers import model
from commerce.customers.api.types import Gender
from commerce.graphql.ids import local_id_or_none


@strawberry.input(description="A new account.")
class CustomerSignUpInput:
    email: str = strawberry.field(description="The log-in email; one account per email.")
    password: str = strawberry.field(
        description="8 to 128 characters, anything you like; common passwords are refused."
    )
    first_name: str = strawberry.field(default="", description="Given name.")
    last_name: str = strawberry.field(default="", description="Family name.")
    cart_id: strawberry.ID | None = strawberry.field(
        default=None, description="A guest cart to keep as the new customer's cart."
    )


@strawberry.input(description="Email and password, and optionally the guest cart to bring.")
class CustomerLogInInput:
    email: str = strawberry.field(description="The log-in email.")
    password: str = strawberry.field(description="The password.")
    cart_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The guest cart the shopper filled before logging in: merged into theirs.",
    )


@strawberry.input(description="A refresh token.")
class CustomerRefreshTokenInput:
    refresh_token: str = strawberry.field(description="The refresh token of the session.")


@strawberry.input(description="The current password and the new one.")
class CustomerPasswordChangeInput:
    current_password: str = strawberry.field(description="The password in use now.")
    new_password: str = strawberry.field(description="8 to 128 characters.")


@strawberry.input(description="Where to send a password reset code.")
class CustomerPasswordResetRequestInput:
    email: str = strawberry.field(description="The account's email.")


@strawberry.input(description="A reset code from the email, and the new password.")
class CustomerPasswordResetInput:
    token: str = strawberry.field(description="The code sent by email (valid one hour, once).")
    new_password: str = strawberry.field(description="8 to 128 characters.")


@strawberry.input(description="Marketing consent per channel; a channel left out stays as it is.")
class MarketingConsentUpdateInput:
    email: bool | None = strawberry.field(default=None, description="Marketing by email.")
    sms: bool | None = strawberry.field(default=None, description="Marketing by text message.")
    push: bool | None = strawberry.field(default=None, description="Push notifications.")


@strawberry.input(description="Optional facts for marketing segments; replaces all three.")
class CustomerDemographicsInput:
    country: str | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 country code."
    )
    birth_year: int | None = strawberry.field(default=None, description="Year of birth.")
    gender: Gender | None = strawberry.field(default=None, description="Self-described gender.")

    def to_domain(self) -> model.Demographics:
        country = None if self.country is None else self.country.strip().upper() or None
        return model.Demographics(country=country, birth_year=self.birth_year, gender=self.gender)


@strawberry.input(description="Profile changes; a field left out stays as it is.")
class CustomerUpdateInput:
    first_name: str | None = strawberry.field(default=None, description="Given name.")
    last_name: str | None = strawberry.field(default=None, description="Family name.")
    phone: str | None = strawberry.field(
        default=None, description="International form, e.g. +441632960961; empty removes it."
    )
    marketing_consent: MarketingConsentUpdateInput | None = strawberry.field(
        default=None, description="Consent per channel; each change is timestamped."
    )
    demographics: CustomerDemographicsInput | None = strawberry.field(
        default=None, description="Optional facts for marketing segments."
    )


@strawberry.input(description="A postal address to save.")
class CustomerAddressInput:
    first_name: str = strawberry.field(default="", description="Given name.")
    last_name: str = strawberry.field(default="", description="Family name.")
    address1: str = strawberry.field(description="Street and number.")
    address2: str = strawberry.field(default="", description="Flat, floor, building.")
    city: str = strawberry.field(description="City or town.")
    province: str = strawberry.field(default="", description="State, province or region.")
    zip: str = strawberry.field(default="", description="Postal code.")
    country_code: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    phone: str | None = strawberry.field(default=None, description="For the carrier.")

    def to_domain(self) -> model.AddressFields:
        return model.AddressFields(
            first_name=self.first_name.strip(),
            last_name=self.last_name.strip(),
            address1=self.address1.strip(),
            address2=self.address2.strip(),
            city=self.city.strip(),
            province=self.province.strip(),
            zip=self.zip.strip(),
            country_code=self.country_code,
            phone=self.phone,
        )


@strawberry.input(description="A new saved address.")
class CustomerAddressCreateInput:
    address: CustomerAddressInput = strawberry.field(description="The address.")
    set_as_default: bool = strawberry.field(
        default=False, description="Make it the default (the first address always is)."
    )


@strawberry.input(description="A saved address, replaced whole.")
class CustomerAddressUpdateInput:
    id: strawberry.ID = strawberry.field(description="The CustomerAddress's id.")
    address: CustomerAddressInput = strawberry.field(description="The address.")
    set_as_default: bool = strawberry.field(default=False, description="Make it the default.")


@strawberry.input(description="A saved address to delete.")
class CustomerAddressDeleteInput:
    id: strawberry.ID = strawberry.field(description="The CustomerAddress's id.")


def address_id(global_id: str) -> str | None:
    """The local id of a CustomerAddress id; None when malformed."""
    return local_id_or_none(global_id, "CustomerAddress")


def cart_token(global_id: str | None) -> str | None:
    """The token inside a Cart id; None when absent or malformed (nothing to merge)."""
    return None if global_id is None else local_id_or_none(global_id, "Cart")
