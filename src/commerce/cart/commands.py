"""What each cart change asks for, in the cart's own terms: the cart service's input.

A command is built from a mutation's input once its ids are decoded and the pure checks
of ``rules`` have passed (quantities in bounds, lines named once, identities, addresses
and codes well formed and normalised). A use case then checks only what needs the
stored cart or the catalog: that lines exist, that the cart stays within what one
checkout can hold, that a delivery option or a bundle is on offer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from commerce.cart.model import Address, BuyerIdentity, LineRequest
from commerce.money import Currency


@dataclass(frozen=True, slots=True)
class CreateCart:
    """A new cart: its currency (None: the store's), first lines, buyer and referrer.

    ``affiliate_id`` is the Partner the shopper's link named; whether it may refer the
    cart is the use case's to decide (it must exist, and a partner's key refers its own).
    """

    currency: Currency | None = None
    lines: Sequence[LineRequest] = ()
    buyer_identity: BuyerIdentity = field(default_factory=BuyerIdentity)
    affiliate_id: str | None = None
    # The verified visitor id of the shopper's visitor token (the API checks the token).
    visitor_id: str | None = None


@dataclass(frozen=True, slots=True)
class AddLines:
    """Variants to add to a cart (at least one); one it holds has its quantity raised."""

    cart_token: str
    lines: Sequence[LineRequest]


@dataclass(frozen=True, slots=True)
class UpdateLines:
    """New quantities by line id, in the order given; 0 removes a line."""

    cart_token: str
    quantities: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class RemoveLines:
    """Lines to take out of a cart, by id."""

    cart_token: str
    line_ids: Sequence[str]


@dataclass(frozen=True, slots=True)
class UpdateBuyerIdentity:
    """Who is buying, replacing the cart's previous buyer identity as a whole."""

    cart_token: str
    buyer_identity: BuyerIdentity


@dataclass(frozen=True, slots=True)
class UpdateShippingAddress:
    """Where the cart's physical goods go."""

    cart_token: str
    address: Address


@dataclass(frozen=True, slots=True)
class UpdateCurrency:
    """The currency to price the cart in from now on."""

    cart_token: str
    currency: Currency


@dataclass(frozen=True, slots=True)
class SelectDeliveryOption:
    """One of the delivery options (a shipping rate's id) the cart is offered."""

    cart_token: str
    option_id: str


@dataclass(frozen=True, slots=True)
class UpdateDiscountCodes:
    """Every code the cart should hold, normalised and each once (empty: none)."""

    cart_token: str
    codes: Sequence[str]


@dataclass(frozen=True, slots=True)
class ApplyLoyaltyPoints:
    """The owner's points the cart should spend (0: none)."""

    cart_token: str
    points: int


@dataclass(frozen=True, slots=True)
class AddBundle:
    """A bundle promotion, one set of whose items goes into the cart."""

    cart_token: str
    promotion_id: str
