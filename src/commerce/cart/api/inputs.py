"""Cart input types and their conversion into the service's terms.

Malformed ids become ``INVALID_ID`` problems at the field that holds them, so they come
back in ``userErrors`` with everything else that is wrong.
"""

from __future__ import annotations

import strawberry

from commerce.cart import model
from commerce.cart.errors import CartErrorCode as Code
from commerce.graphql.ids import local_id_or_none
from commerce.graphql.money import CurrencyCode
from commerce.problems import Problem


@strawberry.input(description="A variant to put in the cart, and how many.")
class CartLineInput:
    merchandise_id: strawberry.ID = strawberry.field(description="The ProductVariant's id.")
    quantity: int = strawberry.field(
        default=1, description=f"Units to add: 1 to {model.MAX_QUANTITY}."
    )


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


@strawberry.input(description="Variants to add to a cart.")
class CartLinesAddInput:
    cart_id: strawberry.ID = strawberry.field(description="The cart.")
    lines: list[CartLineInput] = strawberry.field(
        description="Variants to add; one already in the cart has its quantity raised."
    )


@strawberry.input(description="New quantities for lines of a cart.")
class CartLinesUpdateInput:
    cart_id: strawberry.ID = strawberry.field(description="The cart.")
    lines: list[CartLineUpdateInput] = strawberry.field(description="Lines and their quantities.")


@strawberry.input(description="Lines to take out of a cart.")
class CartLinesRemoveInput:
    cart_id: strawberry.ID = strawberry.field(description="The cart.")
    line_ids: list[strawberry.ID] = strawberry.field(description="The CartLine ids to remove.")


@strawberry.input(description="The discount codes a cart holds.")
class CartDiscountCodesUpdateInput:
    cart_id: strawberry.ID = strawberry.field(description="The cart.")
    discount_codes: list[str] = strawberry.field(
        description=(
            "Every code the cart should hold (replaces the previous ones; empty removes all). "
            "Case and surrounding spaces do not matter."
        )
    )


@strawberry.input(description="A bundle promotion whose items to add to a cart.")
class CartBundleAddInput:
    cart_id: strawberry.ID = strawberry.field(description="The cart.")
    promotion_id: strawberry.ID = strawberry.field(
        description="The bundle Promotion (as offers and nearMisses name it)."
    )


@strawberry.input(description="A new buyer identity for a cart.")
class CartBuyerIdentityUpdateInput:
    cart_id: strawberry.ID = strawberry.field(description="The cart.")
    buyer_identity: CartBuyerIdentityInput = strawberry.field(
        description="Who is buying; replaces the previous identity."
    )


@strawberry.input(description="A new shipping address for a cart.")
class CartShippingAddressUpdateInput:
    cart_id: strawberry.ID = strawberry.field(description="The cart.")
    address: MailingAddressInput = strawberry.field(description="Where to ship.")


@strawberry.input(description="A new currency for a cart.")
class CartCurrencyUpdateInput:
    cart_id: strawberry.ID = strawberry.field(description="The cart.")
    currency: CurrencyCode = strawberry.field(description="The currency to price the cart in.")


@strawberry.input(description="The delivery option to ship a cart by.")
class CartDeliveryOptionSelectInput:
    cart_id: strawberry.ID = strawberry.field(description="The cart.")
    delivery_option_id: strawberry.ID = strawberry.field(
        description="One of the cart's deliveryOptions ids."
    )


def delivery_option_id(global_id: str, problems: list[Problem]) -> str:
    """The rate id inside a DeliveryOption id; an ``INVALID_ID`` problem when it is not one."""
    local = local_id_or_none(global_id, "DeliveryOption")
    if local is None:
        problems.append(
            Problem(Code.INVALID_ID, "Not a valid DeliveryOption ID", ("deliveryOptionId",))
        )
        return ""
    return local


def cart_token(global_id: str, problems: list[Problem]) -> str:
    """The token inside a Cart id; an ``INVALID_ID`` problem when it is not one."""
    token = local_id_or_none(global_id, "Cart")
    if token is None or not model.is_cart_token(token):
        problems.append(Problem(Code.INVALID_ID, "Not a valid Cart ID", ("cartId",)))
        return ""
    return token


def promotion_id(global_id: str, problems: list[Problem]) -> str:
    """The local id inside a Promotion id; an ``INVALID_ID`` problem when it is not one."""
    local = local_id_or_none(global_id, "Promotion")
    if local is None:
        problems.append(Problem(Code.INVALID_ID, "Not a valid Promotion ID", ("promotionId",)))
        return ""
    return local


def line_requests(
    lines: list[CartLineInput], problems: list[Problem]
) -> tuple[model.LineRequest, ...]:
    """The lines to add, with ``INVALID_ID`` problems for malformed merchandise ids."""
    requests = []
    for i, line in enumerate(lines):
        local = local_id_or_none(line.merchandise_id, "ProductVariant") or ""
        product_id, _, variant_id = local.partition(".")
        if not product_id or not variant_id:
            problems.append(
                Problem(
                    Code.INVALID_ID,
                    "Not a valid ProductVariant ID",
                    ("lines", str(i), "merchandiseId"),
                )
            )
        requests.append(model.LineRequest(product_id, variant_id, line.quantity))
    return tuple(requests)


def line_id(global_id: str, field: tuple[str, ...], problems: list[Problem]) -> str:
    """The local id of a CartLine id; an ``INVALID_ID`` problem when it is not one."""
    local = local_id_or_none(global_id, "CartLine")
    if local is None:
        problems.append(Problem(Code.INVALID_ID, "Not a valid CartLine ID", field))
        return ""
    return local
