"""Validation of cart input: pure functions that list every problem at once."""

from __future__ import annotations

from collections.abc import Sequence

from commerce import contact
from commerce.cart.errors import CartErrorCode as Code
from commerce.cart.model import MAX_LINES, MAX_QUANTITY, Address, BuyerIdentity, CartLine
from commerce.problems import Problem

# Re-exported: services normalise what they validate here.
normalized_phone = contact.normalized_phone


def check_added_quantity(quantity: int, field: tuple[str, ...]) -> list[Problem]:
    """Adding takes at least one unit and at most ``MAX_QUANTITY``."""
    if quantity <= 0:
        return [Problem(Code.INVALID_QUANTITY, "Quantity must be at least 1", field)]
    if quantity > MAX_QUANTITY:
        return [Problem(Code.TOO_LARGE, f"At most {MAX_QUANTITY} of one item", field)]
    return []


def check_new_quantity(quantity: int, field: tuple[str, ...]) -> list[Problem]:
    """A line's new quantity is 0 (remove it) to ``MAX_QUANTITY``."""
    if quantity < 0:
        return [Problem(Code.INVALID_QUANTITY, "Quantity can't be negative", field)]
    if quantity > MAX_QUANTITY:
        return [Problem(Code.TOO_LARGE, f"At most {MAX_QUANTITY} of one item", field)]
    return []


def check_line_count(lines: Sequence[CartLine], field: tuple[str, ...]) -> list[Problem]:
    """A cart holds at most ``MAX_LINES`` lines: what one checkout transaction can hold."""
    if len(lines) > MAX_LINES:
        return [
            Problem(
                Code.TOO_MANY_LINES,
                f"A cart holds at most {MAX_LINES} different items",
                field,
            )
        ]
    return []


def normalized_email(email: str | None) -> str | None:
    """The address without surrounding spaces; None when blank."""
    stripped = (email or "").strip()
    return stripped or None


def check_buyer_identity(identity: BuyerIdentity, field: tuple[str, ...]) -> list[Problem]:
    """Email and phone are well formed; marketing needs a way to reach the buyer."""
    problems: list[Problem] = []
    email, phone = identity.email, identity.phone
    if email is not None and not contact.is_email(email):
        problems.append(Problem(Code.INVALID, "Not a valid email address", (*field, "email")))
    if phone is not None and not contact.is_phone(phone):
        problems.append(Problem(Code.INVALID, contact.PHONE_FORMAT_MESSAGE, (*field, "phone")))
    consent = (*field, "marketingConsent")
    if identity.accepts_email_marketing and email is None:
        problems.append(
            Problem(Code.INVALID, "Email marketing needs an email address", (*consent, "email"))
        )
    if identity.accepts_sms_marketing and phone is None:
        problems.append(
            Problem(Code.INVALID, "SMS marketing needs a phone number", (*consent, "sms"))
        )
    return problems


def check_address(address: Address, field: tuple[str, ...]) -> list[Problem]:
    """Street, city and country are required; the country is an ISO 3166-1 alpha-2 code."""
    texts = {
        "firstName": address.first_name,
        "lastName": address.last_name,
        "address1": address.address1,
        "address2": address.address2,
        "city": address.city,
        "province": address.province,
        "zip": address.zip,
    }
    return contact.postal_address_problems(
        texts,
        address.country_code,
        field,
        blank=Code.BLANK,
        too_long=Code.TOO_LONG,
        invalid=Code.INVALID,
    )
