"""What a client asks of their profile, addresses and tags, decoded and checked.

Built by the API's inputs (``to_command``) with the pure rules in ``rules.py``; the use
cases in ``service.py``, ``addresses.py`` and ``marketing.py`` take them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from commerce.customers.model import AddressFields, Birthday, ConsentChannel, Demographics
from commerce.pricing.segments import Match, SegmentCondition, SegmentRule


@dataclass(frozen=True, slots=True)
class UpdateProfile:
    """What ``customerUpdate`` changes; ``None`` leaves a field as it is.

    Checked by the use case, not before: whether a birth year is plausible depends on
    the service's clock.
    """

    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    clear_phone: bool = False
    consents: dict[ConsentChannel, bool] = field(default_factory=dict)
    demographics: Demographics | None = None
    preferred_channel: ConsentChannel | None = None
    clear_preferred_channel: bool = False
    # An IANA zone name; "" removes it.
    time_zone: str | None = None
    birthday: Birthday | None = None
    clear_birthday: bool = False


@dataclass(frozen=True, slots=True)
class CreateAddress:
    """A new saved address (normalised and checked); the first one is always the default."""

    fields: AddressFields
    make_default: bool = False


@dataclass(frozen=True, slots=True)
class UpdateAddress:
    """A saved address replaced whole (normalised and checked)."""

    address_id: str
    fields: AddressFields
    make_default: bool = False


@dataclass(frozen=True, slots=True)
class DeleteAddress:
    """A saved address to remove."""

    address_id: str


@dataclass(frozen=True, slots=True)
class UpdateTags:
    """Staff tags to add to and remove from one customer, normalised."""

    customer_id: str
    add: frozenset[str]
    remove: frozenset[str]


@dataclass(frozen=True, slots=True)
class CreateSegment:
    """A new rule segment, its conditions normalised and checked."""

    rule: SegmentRule


@dataclass(frozen=True, slots=True)
class UpdateSegment:
    """A rule segment's new name, combination or conditions; ``None`` keeps each."""

    handle: str
    name: str | None = None
    match: Match | None = None
    conditions: tuple[SegmentCondition, ...] | None = None


@dataclass(frozen=True, slots=True)
class DeleteSegment:
    """A rule segment to remove: promotions naming it then match nobody."""

    handle: str
