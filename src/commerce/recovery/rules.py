"""The recovery decisions, pure: which lines were lingered over, when a text may go,
which channel to use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from commerce.journeys.dwell import dwell
from commerce.journeys.model import Event, EventKind
from commerce.recovery.model import CHANNEL_ORDER, RecoveryChannel


def dwell_before_adding(events: Sequence[Event], product_ids: Iterable[str]) -> dict[str, int]:
    """Seconds the shopper spent on each product's page before first adding it to a cart.

    Views after the product's first ADD_TO_CART do not count (they are the shopper
    checking what they already chose); without an ADD_TO_CART event, every view counts,
    since the cart itself says the product was added.
    """
    seconds: dict[str, int] = {}
    for product_id in dict.fromkeys(product_ids):
        added = min(
            (
                e.at
                for e in events
                if e.kind is EventKind.ADD_TO_CART and e.product_id == product_id
            ),
            default=None,
        )
        before = [
            e
            for e in events
            if e.kind is EventKind.PRODUCT_VIEW
            and e.product_id == product_id
            and (added is None or e.at <= added)
        ]
        by_product = dict(dwell(before).by_product)
        seconds[product_id] = by_product.get(product_id, 0)
    return seconds


def lingered(dwell_seconds: dict[str, int], threshold: int) -> frozenset[str]:
    """The products viewed for at least ``threshold`` seconds."""
    return frozenset(p for p, s in dwell_seconds.items() if s >= threshold)


def in_quiet_hours(local: datetime, start: int, end: int) -> bool:
    """Whether the local hour is in the quiet hours [start, end), wrapping midnight."""
    if start == end:
        return False
    hour = local.hour
    return start <= hour < end if start < end else hour >= start or hour < end


def next_allowed(now: datetime, time_zone: str, start: int, end: int) -> datetime:
    """``now`` if a text may go now in ``time_zone``; else the end of the quiet hours (UTC)."""
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    if not in_quiet_hours(local, start, end):
        return now
    candidate = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    # A wall-clock hour skipped or doubled by a daylight-saving change still maps to one
    # instant; the round trip through UTC settles which.
    return candidate.astimezone(now.tzinfo)


@dataclass(frozen=True, slots=True)
class Contact:
    """One way to reach the shopper: a channel and its address (email, phone, endpoint)."""

    channel: RecoveryChannel
    recipient: str
    # The address an opt-out stops: the email, the phone, or the customer for push.
    opt_out_address: str


def choose_contact(
    reachable: Sequence[Contact],
    enabled: frozenset[RecoveryChannel],
    preferred: RecoveryChannel | None,
) -> Contact | None:
    """The shopper's preferred channel when it can reach them, else the first in order."""
    usable = [c for c in reachable if c.channel in enabled]
    if preferred is not None:
        for contact in usable:
            if contact.channel is preferred:
                return contact
    for channel in CHANNEL_ORDER:
        for contact in usable:
            if contact.channel is channel:
                return contact
    return None
