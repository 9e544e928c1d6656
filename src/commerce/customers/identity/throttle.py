"""Log-in throttling: failed attempts counted per account and per client address.

After ``ACCOUNT_MAX_FAILURES`` (resp. ``ADDRESS_MAX_FAILURES``) failures within
``FAILURE_WINDOW`` further attempts are refused with ``TOO_MANY_ATTEMPTS`` until the
window ends, even with the right password. See ``docs/decisions/0009-customer-auth.md``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from commerce.customers.identity.errors import too_many_attempts
from commerce.customers.identity.store import failures as store
from commerce.limits.model import address_key

ACCOUNT_MAX_FAILURES = 5
ADDRESS_MAX_FAILURES = 20
FAILURE_WINDOW = timedelta(minutes=15)
ACCOUNT = "ACCOUNT"
ADDRESS = "CLIENT"
_LIMITS = {ACCOUNT: ACCOUNT_MAX_FAILURES, ADDRESS: ADDRESS_MAX_FAILURES}

Counter = tuple[str, str]


class LoginAttempt:
    """One log-in's counters: the account's (when the email is one an account could
    have) and the client address's; ``admit`` refuses a throttled attempt."""

    def __init__(self, email_key: str | None, address: str | None, now: datetime) -> None:
        # An email no account can have is never made a key (DynamoDB keys are bounded);
        # the attempt still counts against the address, one counter per IPv4 address or
        # IPv6 /64, as the rate limits count.
        self.counters: list[Counter] = ([(ACCOUNT, email_key)] if email_key else []) + (
            [(ADDRESS, address_key(address))] if address else []
        )
        self._email_key = email_key
        self._now = now
        self._windows: dict[Counter, store.FailureWindow] = {}

    def admit(self) -> None:
        """Read the current windows (one BatchGetItem); ``Rejected`` when one is full."""
        self._windows = store.failures(self.counters, self._now) if self.counters else {}
        blocked = [w.ends for (kind, _), w in self._windows.items() if w.count >= _LIMITS[kind]]
        if blocked:
            raise too_many_attempts((max(blocked) - self._now).total_seconds())

    def failed(self) -> None:
        """Count the failure against every counter."""
        for kind, key in self.counters:
            store.record_failure(kind, key, self._now, self._now + FAILURE_WINDOW)

    def succeeded(self) -> None:
        """Forget the account's failures (the address's stay: it may be guessing others)."""
        if self._email_key and (ACCOUNT, self._email_key) in self._windows:
            store.clear_failures(ACCOUNT, self._email_key)
