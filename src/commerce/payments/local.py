"""Start and stop a local Stripe fake (localstripe) on 127.0.0.1 for tests and ``serve``.

The fake runs in its own process through ``localstripe_launcher`` (loopback only, its
own state file). Like ``commerce.db.local`` this imports nothing heavy: readiness is
the launcher's ready line, and webhook registration is a plain ``urllib`` request.
"""

from __future__ import annotations

import os
import sys
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from commerce.local_server import LocalServer, LocalServerError
from commerce.payments.localstripe_launcher import READY_LINE

# Any key of this shape works with localstripe; it never reaches Stripe.
LOCAL_SECRET_KEY = "sk_test_local"  # noqa: S105


class LocalStripeError(LocalServerError):
    """localstripe is not installed, or did not start."""


class LocalStripe(LocalServer):
    """One localstripe process on 127.0.0.1; ``state=None`` keeps its data in memory."""

    name: ClassVar[str] = "localstripe"
    title: ClassVar[str] = "localstripe"
    ready_line: ClassVar[str] = READY_LINE
    error: ClassVar[type[LocalServerError]] = LocalStripeError

    def __init__(self, *, log_dir: Path, state: Path | None = None, port: int | None = None):
        super().__init__(log_dir=log_dir, port=port)
        self.state = None if state is None else state.absolute()

    def _prepare(self) -> None:
        try:
            import localstripe  # noqa: F401
        except ImportError:
            raise LocalStripeError(
                "localstripe is not installed: `pip install -e '.[serve]'` (or `make install`), "
                "or set COMMERCE_STRIPE_SECRET_KEY to use Stripe's test mode"
            ) from None

    def _command(self, port: int) -> Sequence[str]:
        command = [
            sys.executable,
            "-m",
            "commerce.payments.localstripe_launcher",
            "--port",
            str(port),
            "--exit-with-stdin",
        ]
        if self.state is not None:
            command += ["--state", str(self.state)]
        return command

    def _environment(self) -> Mapping[str, str]:
        return {**os.environ, "PYTHONUNBUFFERED": "1"}

    def register_webhook(self, webhook_id: str, url: str, secret: str) -> None:
        """Have localstripe deliver every event, signed with ``secret``, to ``url``."""
        body = urllib.parse.urlencode({"url": url, "secret": secret}).encode()
        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            f"{self.endpoint}/_config/webhooks/{urllib.parse.quote(webhook_id)}",
            data=body,
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            if response.status != 200:
                raise LocalStripeError(f"webhook registration answered {response.status}")
