"""Customer accounts as the shop knows them: profile, consents, demographics, addresses.

Pure: no storage, no GraphQL. A customer's password hash and sessions are not part of
the profile: they are identity's (``commerce.customers.identity``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from commerce.money import Currency
from commerce.pricing.segments import CustomerFacts

# A customer keeps a few addresses (home, work, a relative's); the cap keeps the profile
# one small Query.
MAX_ADDRESSES = 20


class ConsentChannel(enum.Enum):
    """Ways the shop may send marketing, each agreed to (or not) on its own."""

    EMAIL = "EMAIL"
    SMS = "SMS"
    PUSH = "PUSH"


class Gender(enum.Enum):
    """Self-described gender, for marketing segments; optional."""

    FEMALE = "FEMALE"
    MALE = "MALE"
    NON_BINARY = "NON_BINARY"
    PREFER_NOT_TO_SAY = "PREFER_NOT_TO_SAY"


@dataclass(frozen=True, slots=True)
class MarketingConsent:
    """One channel's consent and when it was last given or withdrawn (the proof GDPR asks for)."""

    channel: ConsentChannel
    granted: bool
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Demographics:
    """Optional facts marketing reports segment by; each may be left out."""

    country: str | None = None
    birth_year: int | None = None
    gender: Gender | None = None


@dataclass(frozen=True, slots=True)
class Birthday:
    """The month and day a customer celebrates (no year: the birth year is a demographic
    of its own, and a birthday bonus needs only the day)."""

    month: int
    day: int

    @property
    def month_day(self) -> str:
        """``MM-DD``: how the birthday index is keyed."""
        return f"{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True, slots=True)
class AddressFields:
    """A postal address as a customer enters it; ``country_code`` is ISO 3166-1 alpha-2."""

    first_name: str = ""
    last_name: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    province: str = ""
    zip: str = ""
    country_code: str = ""
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerAddress:
    """A saved address of one customer."""

    id: str
    fields: AddressFields


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer's profile."""

    id: str
    email: str
    created_at: datetime
    first_name: str = ""
    last_name: str = ""
    phone: str | None = None
    consents: tuple[MarketingConsent, ...] = ()
    demographics: Demographics = Demographics()
    default_address_id: str | None = None
    # The cart the customer is filling (a cart token); owned by the customer.
    cart_id: str | None = None
    # How the customer prefers to hear from the store (among consented channels) and
    # their IANA time zone (texts wait out their night); None: not said.
    preferred_channel: ConsentChannel | None = None
    time_zone: str | None = None
    birthday: Birthday | None = None

    def consent(self, channel: ConsentChannel) -> MarketingConsent | None:
        """This channel's consent, if the customer ever answered for it."""
        return next((c for c in self.consents if c.channel is channel), None)


# Staff labels on a customer ("vip", "wholesale"): a promotion may target them.
MAX_TAGS = 50
MAX_TAG_LENGTH = 40
# Paid orders from which a customer is in the "loyal" segment.
LOYAL_ORDERS = 5
# Age bands of the "age:" segments: (lowest age, name), youngest first.
AGE_BANDS = (
    (0, "under-18"),
    (18, "18-24"),
    (25, "25-34"),
    (35, "35-44"),
    (45, "45-54"),
    (55, "55-64"),
    (65, "65-plus"),
)


@dataclass(frozen=True, slots=True)
class PurchaseHistory:
    """What the shop has sold a customer: counted when each order is paid."""

    paid_orders: int = 0
    last_paid_at: datetime | None = None
    # Counted by the events function once per paid order (refunds taken off the value):
    # net paid value per currency in minor units, and the series (case-folded), authors
    # (case-folded) and collection ids bought from.
    lifetime_value: Mapping[Currency, int] = field(default_factory=dict)
    series: frozenset[str] = frozenset()
    authors: frozenset[str] = frozenset()
    collections: frozenset[str] = frozenset()
    # The loyalty tier's segment and until when it holds, in order (None: for good), as
    # loyalty last worked it out: a rolling spend only falls while nothing is bought.
    tiers: tuple[tuple[str, datetime | None], ...] = ()

    def tier_segment(self, now: datetime) -> str | None:
        """The loyalty tier's segment (``tier:gold``) at ``now``; None without one."""
        for segment, until in self.tiers:
            if until is None or now < until:
                return segment or None
        return None


@dataclass(frozen=True, slots=True)
class CustomerMarketing:
    """What promotions may target about one customer, as staff see it."""

    customer_id: str
    tags: frozenset[str]
    segments: frozenset[str]
    history: PurchaseHistory
    # What rule segments are decided from (``commerce.pricing.segments``).
    facts: CustomerFacts = field(default_factory=CustomerFacts)

    @property
    def first_order(self) -> bool:
        """The next order would be the customer's first paid one."""
        return self.history.paid_orders == 0


def age_band(birth_year: int | None, year: int) -> str | None:
    """The ``AGE_BANDS`` name of someone born in ``birth_year``, this ``year``."""
    if birth_year is None:
        return None
    age = year - birth_year
    return next(name for lowest, name in reversed(AGE_BANDS) if age >= lowest)


def facts_of(
    demographics: Demographics, tags: frozenset[str], history: PurchaseHistory, year: int
) -> CustomerFacts:
    """What rule segments may ask of a customer, from the profile, tags and purchases."""
    return CustomerFacts(
        paid_orders=history.paid_orders,
        last_paid_at=history.last_paid_at,
        lifetime_value=dict(history.lifetime_value),
        series=history.series,
        authors=history.authors,
        collections=history.collections,
        country=demographics.country,
        age_band=age_band(demographics.birth_year, year),
        tags=tags,
    )


def segments_of(
    demographics: Demographics,
    history: PurchaseHistory,
    year: int,
    tier_segment: str | None = None,
) -> frozenset[str]:
    """The segments a customer falls in, derived from what the shop knows, never stored.

    The vocabulary (``docs/storefront-guide.md``): ``first-time`` or ``returning``, ``loyal``
    from ``LOYAL_ORDERS`` paid orders, ``country:<iso code>``, ``age:<band>`` from the
    birth year, ``gender:<value>`` unless the customer preferred not to say, and
    ``tier:<name>``, the loyalty tier (``tier_segment``, loyalty's to compute). Derived on
    every read, so a segment follows the facts at once (a first payment makes the next
    order "returning") and nothing needs recomputing when the rules change.
    """
    found = {"returning" if history.paid_orders else "first-time"}
    if history.paid_orders >= LOYAL_ORDERS:
        found.add("loyal")
    if demographics.country:
        found.add(f"country:{demographics.country.lower()}")
    if demographics.birth_year is not None:
        age = year - demographics.birth_year
        band = next(name for lowest, name in reversed(AGE_BANDS) if age >= lowest)
        found.add(f"age:{band}")
    gender = demographics.gender
    if gender is not None and gender is not Gender.PREFER_NOT_TO_SAY:
        found.add(f"gender:{gender.value.lower().replace('_', '-')}")
    if tier_segment:
        found.add(tier_segment)
    return frozenset(found)
