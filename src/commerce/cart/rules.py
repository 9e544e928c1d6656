"""Validation of cart input: pure functions that list every problem at once."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from commerce import contact
from commerce.cart.errors import CartErrorCode as Code
from commerce.cart.model import (
    MAX_CODES,
    MAX_LINES,
    MAX_QUANTITY,
    Address,
    BuyerIdentity,
    Cart,
    CartLine,
    LineRequest,
)
from commerce.catalog.model import Product
from commerce.pricing.model import normalize_code
from commerce.problems import Problem

# The longest discount code a cart keeps.
MAX_CODE_LENGTH = 32

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


def check_added_quantities(quantities: Sequence[int], field: tuple[str, ...]) -> list[Problem]:
    """``check_added_quantity`` for each line of a list (problems at ``field.<i>.quantity``)."""
    problems: list[Problem] = []
    for i, quantity in enumerate(quantities):
        problems += check_added_quantity(quantity, (*field, str(i), "quantity"))
    return problems


def check_new_quantities(quantities: Sequence[int], field: tuple[str, ...]) -> list[Problem]:
    """``check_new_quantity`` for each line of a list (problems at ``field.<i>.quantity``)."""
    problems: list[Problem] = []
    for i, quantity in enumerate(quantities):
        problems += check_new_quantity(quantity, (*field, str(i), "quantity"))
    return problems


def check_distinct_lines(line_ids: Sequence[str], field: tuple[str, ...]) -> list[Problem]:
    """Each line is named once: two quantities for one line would contradict each other."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, line_id in enumerate(line_ids):
        if line_id in seen:
            problems.append(Problem(Code.INVALID, "Line given twice", (*field, str(i), "id")))
        seen.add(line_id)
    return problems


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


def check_additions(
    additions: Sequence[LineRequest],
    merged: Sequence[CartLine],
    products: Mapping[str, Product],
) -> list[Problem]:
    """Lines ``additions`` made into ``merged``: each added variant is for sale, no line
    grows past ``MAX_QUANTITY``, and the cart stays within ``MAX_LINES`` (problems at
    ``lines.<i>``, the additions' indexes)."""
    problems: list[Problem] = []
    for i, wish in enumerate(additions):
        product = products.get(wish.product_id)
        if product is None or product.variant(wish.variant_id) is None:
            problems.append(
                Problem(
                    Code.MERCHANDISE_NOT_FOUND,
                    "No such product variant is for sale",
                    ("lines", str(i), "merchandiseId"),
                )
            )
    by_variant = {(ln.product_id, ln.variant_id): ln for ln in merged}
    for i, wish in enumerate(additions):
        line = by_variant[(wish.product_id, wish.variant_id)]
        # An added quantity out of bounds on its own was refused with the input.
        if line.quantity > MAX_QUANTITY and 0 < wish.quantity <= MAX_QUANTITY:
            problems.append(
                Problem(
                    Code.TOO_LARGE,
                    f"That makes {line.quantity}; at most {MAX_QUANTITY} of one item",
                    ("lines", str(i), "quantity"),
                )
            )
    return problems + check_line_count(merged, ("lines",))


def check_lines_held(
    cart: Cart, line_ids: Sequence[str], field_of: Callable[[int], tuple[str, ...]]
) -> list[Problem]:
    """Every line named is in the cart (a problem at ``field_of(i)`` for each that is not)."""
    return [
        Problem(Code.LINE_NOT_FOUND, "The cart has no such line", field_of(i))
        for i, line_id in enumerate(line_ids)
        if cart.line(line_id) is None
    ]


def normalized_email(email: str | None) -> str | None:
    """The address without surrounding spaces; None when blank."""
    stripped = (email or "").strip()
    return stripped or None


def normalized_identity(identity: BuyerIdentity) -> BuyerIdentity:
    """The identity as stored: email trimmed, phone in E.164 form; blanks as None."""
    return replace(
        identity,
        email=normalized_email(identity.email),
        phone=normalized_phone(identity.phone),
    )


def normalized_address(address: Address) -> Address:
    """The address as stored: the country code upper case, without spaces."""
    return replace(address, country_code=address.country_code.strip().upper())


def normalized_codes(codes: Sequence[str]) -> tuple[str, ...]:
    """The codes as a cart keeps them: normalised, each once, in the order given."""
    return tuple(dict.fromkeys(normalize_code(c) for c in codes))


def check_discount_codes(texts: Sequence[str], field: tuple[str, ...]) -> list[Problem]:
    """Normalised codes are not blank, not too long, and a cart holds at most ``MAX_CODES``."""
    problems = [
        Problem(Code.BLANK, "A discount code cannot be empty", (*field, str(i)))
        for i, text in enumerate(texts)
        if not text
    ]
    problems += [
        Problem(
            Code.TOO_LONG,
            f"A discount code has at most {MAX_CODE_LENGTH} characters",
            (*field, str(i)),
        )
        for i, text in enumerate(texts)
        if len(text) > MAX_CODE_LENGTH
    ]
    if len(texts) > MAX_CODES:
        problems.append(Problem(Code.TOO_LARGE, f"At most {MAX_CODES} discount codes", field))
    return problems


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
