"""Cart input types and the commands they become (``to_command``).

Malformed ids become ``INVALID_ID`` problems at the field that holds them, and the pure
checks of ``cart.rules`` run on the rest, so every problem of an input comes back in
``userErrors`` together; a Cart id that is malformed is the one problem reported, as
nothing else can be checked against a cart that cannot be named.
"""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from commerce.cart import commands, model, rules
from commerce.cart.errors import CartErrorCode as Code
from commerce.graphql.ids import local_id_or_none
from commerce.graphql.inputs import InputErrors
from commerce.graphql.money import CurrencyCode


@strawberry.input(description="A variant to put in the cart, and how many.")
class CartLineInput:
    merchandise_id: strawberry.ID = strawberry.field(description="The ProductVariant's id.")
    quantity: int = strawberry.field(
        default=1, description=f"Units to add: 1 to {model.MAX_QUANTITY}."
    )

    def to_request(self, errors: InputErrors, field: tuple[str, ...]) -> model.LineRequest | None:
        """The variant and quantity wished for; None, recorded at ``field``, for a malformed
        merchandise id (quantities are checked for all lines at once)."""
        variant = errors.variant(self.merchandise_id, field)
        if variant is None:
            return None
        return model.LineRequest(variant.product_id, variant.variant_id, self.quantity)


@strawberry.input(description="A new quantity for a line already in the cart.")
class CartLineUpdateInput:
    id: strawberry.ID = strawberry.field(description="The CartLine's id.")
    quantity: int = strawberry.field(
        description=f"The line's new quantity, 0 to {model.MAX_QUANTITY}; 0 removes the line."
    )


@strawberry.input(description="What a buyer agrees to receive.")
class MarketingConsentInput:
    email: bool = strawberry.field(default=False, description="Marketing by email.")
    sms: bool = strawberry.field(default=False, description="Marketing by text message.")


@strawberry.input(description="Who is buying. Replaces the cart's buyer identity as a whole.")
class CartBuyerIdentityInput:
    email: str | None = strawberry.field(default=None, description="An email address.")
    phone: str | None = strawberry.field(
        default=None, description="A phone number in international form, e.g. +441632960961."
    )
    marketing_consent: MarketingConsentInput | None = strawberry.field(
        default=None, description="Consent to marketing; none when left out."
    )

    def to_domain(self) -> model.BuyerIdentity:
        consent = self.marketing_consent or MarketingConsentInput()
        return model.BuyerIdentity(
            email=self.email,
            phone=self.phone,
            accepts_email_marketing=consent.email,
            accepts_sms_marketing=consent.sms,
        )


@strawberry.input(description="A postal address.")
class MailingAddressInput:
    first_name: str = strawberry.field(default="", description="Given name.")
    last_name: str = strawberry.field(default="", description="Family name.")
    address1: str = strawberry.field(description="Street and number.")
    address2: str = strawberry.field(default="", description="Flat, floor, building.")
    city: str = strawberry.field(description="City or town.")
    province: str = strawberry.field(default="", description="State, province or region.")
    zip: str = strawberry.field(default="", description="Postal code.")
    country_code: str = strawberry.field(
        description="ISO 3166-1 alpha-2 country code, e.g. GB or US."
    )

    def to_domain(self) -> model.Address:
        return model.Address(
            first_name=self.first_name.strip(),
            last_name=self.last_name.strip(),
            address1=self.address1.strip(),
            address2=self.address2.strip(),
            city=self.city.strip(),
            province=self.province.strip(),
            zip=self.zip.strip(),
            country_code=self.country_code,
        )


@strawberry.input(description="A new cart.")
class CartCreateInput:
    currency: CurrencyCode | None = strawberry.field(
        default=None, description="The cart's currency; the store's default when left out."
    )
    lines: list[CartLineInput] = strawberry.field(
        default_factory=list, description="Variants to start with."
    )
    buyer_identity: CartBuyerIdentityInput | None = strawberry.field(
        default=None, description="Who is buying, if known."
    )
    affiliate_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "The affiliate partner that referred the shopper (a Partner id, from the "
            "affiliate's link). Fixed for the cart's life; a partner's own key refers its "
            "carts itself."
        ),
    )
    visitor_token: str | None = strawberry.field(
        default=None,
        description=(
            "The shopper's visitor token (visitorStart): the cart carries the visitor, so a "
            "guest's recovery offer can cover the items they lingered over. A token the "
            "store did not issue is refused."
        ),
    )

    def to_command(self, errors: InputErrors) -> commands.CreateCart | None:
        errors.check(rules.check_added_quantities([ln.quantity for ln in self.lines], ("lines",)))
        identity = _buyer_identity(self.buyer_identity, errors)
        lines = _line_requests(self.lines, errors)
        affiliate = None
        if self.affiliate_id is not None:
            affiliate = local_id_or_none(self.affiliate_id, "Partner")
            if affiliate is None:
                errors.add(Code.AFFILIATE_NOT_FOUND, "No such affiliate partner", "affiliateId")
        if errors or lines is None:
            return None
        return commands.CreateCart(self.currency, lines, identity, affiliate)


@strawberry.input(description="Variants to add to a cart.")
class CartLinesAddInput:
    cart_id: strawberry.ID = strawberry.field(description="The cart.")
    lines: list[CartLineInput] = strawberry.field(
        description="Variants to add; one already in the cart has its quantity raised."
    )

    def to_command(self, errors: InputErrors) -> commands.AddLines | None:
        token = _cart_token(self.cart_id, errors)
        if token is None:
            return None
        errors.check(rules.check_added_quantities([ln.quantity for ln in self.lines], ("lines",)))
        if not self.lines:
            errors.add(Code.INVALID, "Give at least one line", "lines")
        lines = _line_requests(self.lines, errors)
        return None if errors or lines is None else commands.AddLines(token, lines)


@strawberry.input(description="New quantities for lines of a cart.")
class CartLinesUpdateInput:
    cart_id: strawberry.ID = strawberry.field(description="The cart.")
    lines: list[CartLineUpdateInput] = strawberry.field(description="Lines and their quantities.")

    def to_command(self, errors: InputErrors) -> commands.UpdateLines | None:
        token = _cart_token(self.cart_id, errors)
        if token is None:
            return None
        quantities = [line.quantity for line in self.lines]
        errors.check(rules.check_new_quantities(quantities, ("lines",)))
        ids = [
            errors.id(line.id, "CartLine", ("lines", str(i), "id"))
            for i, line in enumerate(self.lines)
        ]
        known = [line_id for line_id in ids if line_id is not None]
        if len(known) < len(ids):
            return None
        errors.check(rules.check_distinct_lines(known, ("lines",)))
        quantity_by_line = dict(zip(known, quantities, strict=True))
        return None if errors else commands.UpdateLines(token, quantity_by_line)


@strawberry.input(description="Lines to take out of a cart.")
class CartLinesRemoveInput:
    cart_id: strawberry.ID = strawberry.field(description="The cart.")
    line_ids: list[strawberry.ID] = strawberry.field(description="The CartLine ids to remove.")

    def to_command(self, errors: InputErrors) -> commands.RemoveLines | None:
        token = _cart_token(self.cart_id, errors)
        if token is None:
            return None
        line_ids = errors.ids(self.line_ids, "CartLine", "lineIds")
        return None if line_ids is None else commands.RemoveLines(token, line_ids)


@strawberry.input(description="The discount codes a cart holds.")
class CartDiscountCodesUpdateInput:
    cart_id: strawberry.ID = strawberry.field(description="The cart.")
    discount_codes: list[str] = strawberry.field(
        description=(
            "Every code the cart should hold (replaces the previous ones; empty removes all). "
            "Case and surrounding spaces do not matter."
        )
    )

    def to_command(self, errors: InputErrors) -> commands.UpdateDiscountCodes | None:
        token = _cart_token(self.cart_id, errors)
        if token is None:
            return None
        codes = rules.normalized_codes(self.discount_codes)
        if not errors.check(rules.check_discount_codes(codes, ("codes",))):
            return None
        return commands.UpdateDiscountCodes(token, codes)


@strawberry.input(description="Loyalty points to spend on a customer's own cart.")
class CartLoyaltyPointsApplyInput:
    cart_id: strawberry.ID = strawberry.field(description="The signed-in customer's cart.")
    points: int = strawberry.field(
        description=(
            "How many points the cart should spend (replaces the previous number; 0 spends "
            "none). Only the points the cart's goods need are spent."
        )
    )

    def to_command(self, errors: InputErrors) -> commands.ApplyLoyaltyPoints | None:
        token = _cart_token(self.cart_id, errors)
        if not 0 <= self.points <= MAX_LOYALTY_POINTS:
            errors.add(Code.INVALID_POINTS, f"Give 0 to {MAX_LOYALTY_POINTS} points", ("points",))
            return None
        if token is None:
            return None
        return commands.ApplyLoyaltyPoints(token, self.points)


# The most points one cart may name (a billion: more than any balance, within JSON's ints).
MAX_LOYALTY_POINTS = 10**9


@strawberry.input(description="A bundle promotion whose items to add to a cart.")
class CartBundleAddInput:
    cart_id: strawberry.ID = strawberry.field(description="The cart.")
    promotion_id: strawberry.ID = strawberry.field(
        description="The bundle Promotion (as offers and nearMisses name it)."
    )

    def to_command(self, errors: InputErrors) -> commands.AddBundle | None:
        token = _cart_token(self.cart_id, errors)
        promotion_id = errors.id(self.promotion_id, "Promotion", "promotionId")
        if token is None or promotion_id is None:
            return None
        return commands.AddBundle(token, promotion_id)


@strawberry.input(description="A new buyer identity for a cart.")
class CartBuyerIdentityUpdateInput:
    cart_id: strawberry.ID = strawberry.field(description="The cart.")
    buyer_identity: CartBuyerIdentityInput = strawberry.field(
        description="Who is buying; replaces the previous identity."
    )

    def to_command(self, errors: InputErrors) -> commands.UpdateBuyerIdentity | None:
        token = _cart_token(self.cart_id, errors)
        if token is None:
            return None
        identity = _buyer_identity(self.buyer_identity, errors)
        return None if errors else commands.UpdateBuyerIdentity(token, identity)


@strawberry.input(description="A new shipping address for a cart.")
class CartShippingAddressUpdateInput:
    cart_id: strawberry.ID = strawberry.field(description="The cart.")
    address: MailingAddressInput = strawberry.field(description="Where to ship.")

    def to_command(self, errors: InputErrors) -> commands.UpdateShippingAddress | None:
        token = _cart_token(self.cart_id, errors)
        if token is None:
            return None
        address = rules.normalized_address(self.address.to_domain())
        if not errors.check(rules.check_address(address, ("address",))):
            return None
        return commands.UpdateShippingAddress(token, address)


@strawberry.input(description="A new currency for a cart.")
class CartCurrencyUpdateInput:
    cart_id: strawberry.ID = strawberry.field(description="The cart.")
    currency: CurrencyCode = strawberry.field(description="The currency to price the cart in.")

    def to_command(self, errors: InputErrors) -> commands.UpdateCurrency | None:
        token = _cart_token(self.cart_id, errors)
        return None if token is None else commands.UpdateCurrency(token, self.currency)


@strawberry.input(description="The delivery option to ship a cart by.")
class CartDeliveryOptionSelectInput:
    cart_id: strawberry.ID = strawberry.field(description="The cart.")
    delivery_option_id: strawberry.ID = strawberry.field(
        description="One of the cart's deliveryOptions ids."
    )

    def to_command(self, errors: InputErrors) -> commands.SelectDeliveryOption | None:
        token = _cart_token(self.cart_id, errors)
        option_id = errors.id(self.delivery_option_id, "DeliveryOption", "deliveryOptionId")
        if token is None or option_id is None:
            return None
        return commands.SelectDeliveryOption(token, option_id)


def _cart_token(global_id: str, errors: InputErrors) -> str | None:
    """The token inside a Cart id: it names a Cart, and its local part has a token's shape."""
    token = errors.id(global_id, "Cart", "cartId")
    if token is not None and not model.is_cart_token(token):
        errors.add(Code.INVALID_ID, "Not a valid Cart ID", "cartId")
        return None
    return token


def _line_requests(
    lines: Sequence[CartLineInput], errors: InputErrors
) -> list[model.LineRequest] | None:
    """The variants wished for; None when any merchandise id is malformed (all recorded)."""
    requests = [
        line.to_request(errors, ("lines", str(i), "merchandiseId")) for i, line in enumerate(lines)
    ]
    found = [r for r in requests if r is not None]
    return found if len(found) == len(requests) else None


def _buyer_identity(
    given: CartBuyerIdentityInput | None, errors: InputErrors
) -> model.BuyerIdentity:
    """The identity as stored (normalised), its problems at ``buyerIdentity`` recorded."""
    identity = rules.normalized_identity(
        model.BuyerIdentity() if given is None else given.to_domain()
    )
    errors.check(rules.check_buyer_identity(identity, ("buyerIdentity",)))
    return identity
