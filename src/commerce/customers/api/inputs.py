"""Profile and address inputs, and how each becomes a command.

An address is normalised and checked here, with every problem listed at once; a profile
change is checked by its use case (a birth year's bounds follow the service's clock).
"""

from __future__ import annotations

import strawberry

from commerce.customers import commands, model, rules
from commerce.customers.api.types import Gender, MarketingChannel
from commerce.customers.errors import CustomerErrorCode as Code
from commerce.graphql.ids import local_id_or_none
from commerce.graphql.inputs import InputErrors


@strawberry.input(description="Marketing consent per channel; a channel left out stays as it is.")
class MarketingConsentUpdateInput:
    email: bool | None = strawberry.field(default=None, description="Marketing by email.")
    sms: bool | None = strawberry.field(default=None, description="Marketing by text message.")
    push: bool | None = strawberry.field(default=None, description="Push notifications.")

    def by_channel(self) -> dict[model.ConsentChannel, bool]:
        """The consents sent, by channel (left-out channels stay as they are)."""
        given = (
            (model.ConsentChannel.EMAIL, self.email),
            (model.ConsentChannel.SMS, self.sms),
            (model.ConsentChannel.PUSH, self.push),
        )
        return {channel: granted for channel, granted in given if granted is not None}


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


@strawberry.input(description="The month and day of a birthday (the year is a demographic).")
class CustomerBirthdayInput:
    month: int = strawberry.field(description="1 to 12.")
    day: int = strawberry.field(description="1 to the month's last day (29 February is one).")


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
    preferred_channel: MarketingChannel | None = strawberry.field(
        default=None,
        description="How you prefer to hear from the store, among the channels you agreed to.",
    )
    time_zone: str | None = strawberry.field(
        default=None,
        description=(
            "Your IANA time zone, e.g. Europe/Paris: texts wait out your night. Empty removes it."
        ),
    )
    birthday: CustomerBirthdayInput | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "Month and day, for the birthday bonus; null removes it. Someone born on "
            "29 February is celebrated on 28 February in other years."
        ),
    )

    def to_command(self, errors: InputErrors) -> commands.UpdateProfile:
        consent = self.marketing_consent
        return commands.UpdateProfile(
            first_name=self.first_name,
            last_name=self.last_name,
            phone=self.phone,
            clear_phone=self.phone is not None and not self.phone.strip(),
            consents={} if consent is None else consent.by_channel(),
            demographics=None if self.demographics is None else self.demographics.to_domain(),
            preferred_channel=self.preferred_channel,
            time_zone=self.time_zone,
            birthday=None
            if not self.birthday
            else model.Birthday(self.birthday.month, self.birthday.day),
            clear_birthday=self.birthday is None,
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

    def to_fields(self, errors: InputErrors) -> model.AddressFields | None:
        """The address trimmed and normalised; None, with every problem, when invalid."""
        fields = model.AddressFields(
            first_name=self.first_name.strip(),
            last_name=self.last_name.strip(),
            address1=self.address1.strip(),
            address2=self.address2.strip(),
            city=self.city.strip(),
            province=self.province.strip(),
            zip=self.zip.strip(),
            country_code=self.country_code.strip().upper(),
            phone=rules.normalized_phone(self.phone),
        )
        return fields if errors.check(rules.check_address(fields, ("address",))) else None


@strawberry.input(description="A new saved address.")
class CustomerAddressCreateInput:
    address: CustomerAddressInput = strawberry.field(description="The address.")
    set_as_default: bool = strawberry.field(
        default=False, description="Make it the default (the first address always is)."
    )

    def to_command(self, errors: InputErrors) -> commands.CreateAddress | None:
        fields = self.address.to_fields(errors)
        return None if fields is None else commands.CreateAddress(fields, self.set_as_default)


@strawberry.input(description="A saved address, replaced whole.")
class CustomerAddressUpdateInput:
    id: strawberry.ID = strawberry.field(description="The CustomerAddress's id.")
    address: CustomerAddressInput = strawberry.field(description="The address.")
    set_as_default: bool = strawberry.field(default=False, description="Make it the default.")

    def to_command(self, errors: InputErrors) -> commands.UpdateAddress | None:
        address_id = _address_id(self.id, errors)
        if address_id is None:
            return None
        fields = self.address.to_fields(errors)
        if fields is None:
            return None
        return commands.UpdateAddress(address_id, fields, self.set_as_default)


@strawberry.input(description="A saved address to delete.")
class CustomerAddressDeleteInput:
    id: strawberry.ID = strawberry.field(description="The CustomerAddress's id.")

    def to_command(self, errors: InputErrors) -> commands.DeleteAddress | None:
        address_id = _address_id(self.id, errors)
        return None if address_id is None else commands.DeleteAddress(address_id)


def _address_id(global_id: str, errors: InputErrors) -> str | None:
    """The local id of a CustomerAddress id; a malformed one is nobody's address."""
    local = local_id_or_none(global_id, "CustomerAddress")
    if local is None:
        errors.add(Code.ADDRESS_NOT_FOUND, "You have no such address", "id")
    return local
