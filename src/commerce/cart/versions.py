"""Live carts, read and changed one version at a time.

Every change is a read-modify-write of the one cart item guarded by its version; when
another request changed the cart meanwhile, the change is re-applied to the fresh cart a
few times before ``CONCURRENT_UPDATE``, so two tabs adding different books at once both
keep their book. An expired cart is refused (``CART_EXPIRED``: the table's TTL may keep
it for a while), and another customer's cart reads as an unknown one, so nothing leaks.
"""

from __future__ import annotations

import secrets
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


class CartVersions:
    """Reads live carts and stores changes to them, each guarded by the version read."""

    def __init__(
        self,
        *,
        ttl_seconds: int,
        clock: Callable[[], datetime],
        pause: Callable[[float], None],
    ) -> None:
        self._ttl = timedelta(seconds=ttl_seconds)
        self._clock = clock
        self._pause = pause

    def live(
        self, token: str, field: tuple[str, ...], shopper: Shopper | None = None
    ) -> store.CartRecord | None:
        """The cart and its version; None when unknown (or, with a ``shopper``, another
        customer's). ``Rejected`` with CART_EXPIRED at ``field`` when it has expired."""
        record = store.get_cart_record(token) if is_cart_token(token) else None
        if record is not None and shopper is not None and not record.cart.visible_to(shopper):
            return None
        if record is not None and record.cart.is_expired(self._clock()):
            raise Rejected([Problem(Code.CART_EXPIRED, "The cart has expired", field)])
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
        for attempt in range(MAX_ATTEMPTS):
            record = self.live(token, ("cartId",), shopper)
            if record is None:
                raise Rejected([Problem(Code.CART_NOT_FOUND, "Cart not found", ("cartId",))])
            now = self._clock()
            changed = replace(edit(record.cart), updated_at=now, expires_at=self.expiry(now))
            try:
                store.replace_cart(record, changed)
            except store.CartChanged:
                self._pause(_PAUSE_SECONDS * (attempt + 1) * (1 + secrets.randbelow(100) / 100))
                continue
            return changed
        raise concurrent_update()


def concurrent_update() -> Rejected:
    """The refusal of a change that kept losing its race (or a new cart's token clash)."""
    message = "The cart is being changed elsewhere; read it again and retry"
    return Rejected([Problem(Code.CONCURRENT_UPDATE, message)])
