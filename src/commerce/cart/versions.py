"""Live carts, read and changed one version at a time.

Every change is a read-modify-write of the one cart item guarded by its version; when
another request changed the cart meanwhile, the change is re-applied to the fresh cart a
few times before ``CONCURRENT_UPDATE``, so two tabs adding different books at once both
keep their book. An expired cart is refused (``CART_EXPIRED``: the table's TTL may keep
it for a while), and another customer's cart reads as an unknown one, so nothing leaks.

A change does not read the cart first when this process holds the version it last wrote
or read (``RecentCarts``): a shopper's next change usually reaches the instance that
made the last one, and the conditional PutItem proves the remembered version is still
the stored one, so the read would only repeat what the process knows. When it is not
(another instance changed the cart, or DynamoDB removed it), the put fails, writing
nothing, and the change reads the cart and runs again as before. A change decided
against a remembered cart that is refused (a line not found, too many items) or that
the remembered cart says is not the shopper's or has expired is decided again from a
fresh read, so no answer rests on what only this process remembers.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from commerce.cart import store
from commerce.cart.errors import CartErrorCode as Code
from commerce.cart.model import Cart, is_cart_token
from commerce.principals import Shopper
from commerce.problems import Problem, Rejected

# Each attempt is a GetItem and a PutItem (a few ms locally); the pause between attempts
# grows and is jittered so that racing writers fall out of step.
MAX_ATTEMPTS = 10
_PAUSE_SECONDS = 0.005
# Carts whose last version a process keeps (a cart is about a kilobyte): the shoppers
# active on one instance at once, least recently changed forgotten first.
REMEMBERED_CARTS = 5_000


class RecentCarts:
    """The version of each cart this process last wrote or read, least recent dropped first.

    Thread-safe: use cases run in worker threads. A remembered record is only ever a
    guess that a conditional write checks, never an answer by itself.
    """

    def __init__(self, capacity: int = REMEMBERED_CARTS) -> None:
        self._capacity = capacity
        self._records: OrderedDict[str, store.CartRecord] = OrderedDict()
        self._lock = threading.Lock()

    def recall(self, token: str) -> store.CartRecord | None:
        """The last record seen for this cart, if any."""
        with self._lock:
            return self._records.get(token)

    def remember(self, record: store.CartRecord) -> None:
        """Keep ``record`` unless a later version of the cart is known already."""
        token = record.cart.id
        with self._lock:
            known = self._records.get(token)
            if known is not None and known.version > record.version:
                return
            self._records[token] = record
            self._records.move_to_end(token)
            if len(self._records) > self._capacity:
                self._records.popitem(last=False)

    def forget(self, token: str, stale: int | None = None) -> None:
        """Drop what is known of this cart (deleted), or only its ``stale`` version: a
        later one another request of this process wrote meanwhile is kept."""
        with self._lock:
            known = self._records.get(token)
            if known is not None and (stale is None or known.version <= stale):
                del self._records[token]


class CartVersions:
    """Reads live carts and stores changes to them, each guarded by the version read."""

    def __init__(
        self,
        *,
        ttl_seconds: int,
        clock: Callable[[], datetime],
        pause: Callable[[float], None],
        recent: RecentCarts | None = None,
    ) -> None:
        self._ttl = timedelta(seconds=ttl_seconds)
        self._clock = clock
        self._pause = pause
        self._recent = recent or RecentCarts()

    def live(
        self, token: str, field: tuple[str, ...], shopper: Shopper | None = None
    ) -> store.CartRecord | None:
        """The cart and its version; None when unknown (or, with a ``shopper``, another
        customer's). ``Rejected`` with CART_EXPIRED at ``field`` when it has expired."""
        record = store.get_cart_record(token) if is_cart_token(token) else None
        if record is None:
            self._recent.forget(token)
        else:
            self._recent.remember(record)
        if record is not None and shopper is not None and not record.cart.visible_to(shopper):
            return None
        if record is not None and record.cart.is_expired(self._clock()):
            raise Rejected([Problem(Code.CART_EXPIRED, "The cart has expired", field)])
        return record

    def remembered(self, token: str) -> Cart | None:
        """The cart as this process last wrote or read it (a guess, maybe stale), if at all."""
        record = self._recent.recall(token)
        return None if record is None else record.cart

    def insert(self, cart: Cart) -> None:
        """Store a new cart (``store.CartChanged`` if its token is taken) and remember it."""
        self._recent.remember(store.insert_cart(cart))

    def replace(self, old: store.CartRecord, new: Cart) -> None:
        """Write ``new`` over ``old`` if unchanged since (else ``store.CartChanged``)."""
        try:
            self._recent.remember(store.replace_cart(old, new))
        except store.CartChanged:
            self._recent.forget(old.cart.id, stale=old.version)
            raise

    def delete(self, old: store.CartRecord) -> None:
        """Remove the cart if unchanged since ``old`` (else ``store.CartChanged``)."""
        self._recent.forget(old.cart.id)
        store.delete_cart(old)

    def _recalled(self, token: str, shopper: Shopper | None) -> store.CartRecord | None:
        """The remembered record when it may be changed as it is: the shopper's, not expired.

        Anything else is left to a fresh read to decide (the stored cart may differ).
        """
        record = self._recent.recall(token)
        if record is None:
            return None
        if shopper is not None and not record.cart.visible_to(shopper):
            return None
        if record.cart.is_expired(self._clock()):
            return None
        return record

    def expiry(self, now: datetime) -> datetime:
        """When a cart changed at ``now`` expires."""
        # Whole seconds: the table's ttl attribute is epoch seconds, and a cart read back
        # must say the same as the cart a mutation returned.
        return (now + self._ttl).replace(microsecond=0)

    def change(
        self, token: str, edit: Callable[[Cart], Cart], shopper: Shopper | None = None
    ) -> Cart:
        """Apply ``edit`` to the current cart and store it, re-reading after a conflict;
        the cart as stored. ``edit`` may raise ``Rejected``: nothing is stored then."""
        recalled = self._recalled(token, shopper)
        if recalled is not None:
            changed = self._try_change(recalled, edit)
            if changed is not None:
                return changed
        for attempt in range(MAX_ATTEMPTS):
            record = self.live(token, ("cartId",), shopper)
            if record is None:
                raise Rejected([Problem(Code.CART_NOT_FOUND, "Cart not found", ("cartId",))])
            now = self._clock()
            changed = replace(edit(record.cart), updated_at=now, expires_at=self.expiry(now))
            try:
                self.replace(record, changed)
            except store.CartChanged:
                self._pause(_PAUSE_SECONDS * (attempt + 1) * (1 + secrets.randbelow(100) / 100))
                continue
            return changed
        raise concurrent_update()

    def _try_change(self, recalled: store.CartRecord, edit: Callable[[Cart], Cart]) -> Cart | None:
        """The change applied to the remembered cart and stored; None when that cannot
        stand (stale, or refused) and the change must be decided from a fresh read."""
        try:
            now = self._clock()
            changed = replace(edit(recalled.cart), updated_at=now, expires_at=self.expiry(now))
            self.replace(recalled, changed)
        except (Rejected, store.CartChanged):
            return None
        return changed


def concurrent_update() -> Rejected:
    """The refusal of a change that kept losing its race (or a new cart's token clash)."""
    message = "The cart is being changed elsewhere; read it again and retry"
    return Rejected([Problem(Code.CONCURRENT_UPDATE, message)])
