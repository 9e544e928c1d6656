"""The abandoned-cart sweep: one reminder per cart change, for carts idle long enough.

Carts with lines and a consenting buyer email sit in GSI2 under the hour of their last
change (``CartService.idle_carts``). Each run sweeps the hour buckets that became due since
the last run (at most ``window_hours`` back), so no run scans and each bucket is normally
read once; a run that fails leaves the cursor where it was, and the next one repeats it.

A reminder is an outbox notification whose id is derived from the cart and its last
change, written in one transaction with a check that the cart is still unchanged:
re-running a bucket, or two runs at once, never reminds anyone twice for the same change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from commerce.cart.model import Cart
from commerce.cart.service import CartService
from commerce.db.writes import ConditionsFailed, WriteSet
from commerce.jobs import store
from commerce.notifications.model import Channel, Notification, TemplateName
from commerce.notifications.service import add_to_outbox

log = logging.getLogger("commerce.jobs")

NAME = "abandoned-cart-sweep"
_HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class SweepResult:
    hours_swept: int
    carts_seen: int
    reminders: int


def floor_hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def reminder_id(cart: Cart) -> str:
    """The same id for the same cart change: the outbox's put condition dedupes it."""
    return f"cart-{cart.id}-{int(cart.updated_at.timestamp() * 1000)}"


class AbandonedCartSweep:
    """Enqueues abandoned-cart reminders."""

    def __init__(
        self, carts: CartService, after_hours: int, window_hours: int, storefront_url: str
    ) -> None:
        self._carts = carts
        self._after = timedelta(hours=after_hours)
        self._window = window_hours
        self._storefront = storefront_url

    def due_hours(self, now: datetime) -> list[datetime]:
        """The buckets every cart of which has been idle for ``after_hours`` at ``now``."""
        last = floor_hour(now - self._after) - _HOUR
        first = last - (self._window - 1) * _HOUR
        done = store.cursor(NAME)
        if done is not None:
            first = max(first, floor_hour(done) + _HOUR)
        hours = []
        while first <= last:
            hours.append(first)
            first += _HOUR
        return hours

    def run(self, now: datetime) -> SweepResult:
        seen = reminded = 0
        hours = self.due_hours(now)
        for hour in hours:
            for cart in self._carts.idle_carts(hour):
                seen += 1
                if self._remind(cart, now):
                    reminded += 1
        if hours:
            store.advance(NAME, hours[-1])
        return SweepResult(hours_swept=len(hours), carts_seen=seen, reminders=reminded)

    def _remind(self, cart: Cart, now: datetime) -> bool:
        email = cart.buyer_identity.email
        if cart.is_expired(now) or not cart.lines or not email:
            return False
        notification = Notification(
            id=reminder_id(cart),
            channel=Channel.EMAIL,
            template=TemplateName.ABANDONED_CART,
            recipient=email,
            data={
                "item_count": str(sum(line.quantity for line in cart.lines)),
                "cart_url": f"{self._storefront}/cart/{cart.id}",
            },
            created_at=now,
        )
        writes = WriteSet()
        self._carts.add_unchanged_check(writes, cart, label="cart unchanged")
        add_to_outbox(writes, notification, label="not reminded yet")
        try:
            writes.commit()
        except ConditionsFailed as failed:
            # Changed since (it is in a newer bucket now), or reminded by an earlier run.
            log.info("no reminder", extra={"reason": ",".join(failed.labels)})
            return False
        return True
