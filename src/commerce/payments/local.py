"""Start and stop a local Stripe fake (localstripe) on 127.0.0.1 for tests and ``serve``.

The fake runs in its own process through ``localstripe_launcher`` (loopback only, its
own state file). Like ``commerce.db.local`` this imports nothing heavy: readiness is
the launcher's ready line, and webhook registration is a plain ``urllib`` request.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from commerce.local_server import LocalServer, LocalServerError
from commerce.payments.localstripe_launcher import READY_LINE

# Any key of this shape works with localstripe; it never reaches Stripe.
LOCAL_SECRET_KEY = "sk_test_local"  # noqa: S105
# localstripe's Stripe.js accepts any publishable key of this shape.
LOCAL_PUBLISHABLE_KEY = "pk_test_local"


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


_CLIENT_SECRET = re.compile(r"(pi_[A-Za-z0-9]+)_secret_[A-Za-z0-9]+")
_CARD_TOKEN = re.compile(r"tok_[A-Za-z0-9]+")


class CardPaymentRefused(Exception):
    """A card payment localstripe could not take; the message is fit for the shopper.

    It never holds a key, a client secret or card data.
    """


@dataclass(frozen=True, slots=True)
class CardPaymentOutcome:
    """A PaymentIntent's status once confirmed, and why the card failed if it did."""

    status: str
    # Stripe's own message when the charge failed ("Your card was declined."), else None.
    failure: str | None = None


class LocalCardPayments:
    """Confirms a PaymentIntent with a Stripe.js card token on localstripe.

    On Stripe, a browser confirms the intent itself:
    ``stripe.confirmCardPayment(clientSecret, {payment_method: {card}})``. localstripe's
    Stripe.js implements card elements, ``createToken`` and the 3-D Secure step of
    ``confirmCardPayment``, but not confirming with card details, and its API takes a
    payment method only with the secret key. So, on a laptop only, the demo storefront
    sends the token here and this does the two calls Stripe.js would have made: the
    card set on the intent, then the confirmation. The client secret is the browser's
    proof that it holds the intent, as it is for Stripe.
    """

    def __init__(self, api_base: str, secret_key: str) -> None:
        self._api_base = api_base.rstrip("/")
        self._authorization = "Basic " + base64.b64encode(f"{secret_key}:".encode()).decode()

    def __repr__(self) -> str:
        return f"LocalCardPayments(api_base={self._api_base!r})"

    def confirm(self, client_secret: str, token: str) -> CardPaymentOutcome:
        """Pay the intent of ``client_secret`` with the card of ``token``."""
        secret_match = _CLIENT_SECRET.fullmatch(client_secret)
        if secret_match is None or _CARD_TOKEN.fullmatch(token) is None:
            raise CardPaymentRefused("The payment or the card token is malformed.")
        intent_id = secret_match.group(1)
        intent = self._call("GET", f"/v1/payment_intents/{intent_id}")
        if not hmac.compare_digest(str(intent.get("client_secret", "")), client_secret):
            raise CardPaymentRefused("The payment or the card token is malformed.")
        if intent.get("status") not in {"requires_payment_method", "requires_confirmation"}:
            raise CardPaymentRefused(
                f"This payment cannot take a card now ({intent.get('status')})."
            )
        if intent.get("latest_charge") is not None:
            # Stripe lets a declined intent take another card; localstripe does not.
            raise CardPaymentRefused(
                "The local Stripe server takes no second card after a decline: "
                "place the order again to pay with another card."
            )
        card = self._call("GET", f"/v1/tokens/{token}").get("card") or {}
        if not isinstance(card, dict) or not str(card.get("id", "")).startswith("card_"):
            raise CardPaymentRefused("The card token holds no card.")
        self._call("POST", f"/v1/payment_intents/{intent_id}", {"payment_method": card["id"]})
        confirmed = self._call("POST", f"/v1/payment_intents/{intent_id}/confirm")
        error = confirmed.get("last_payment_error") or {}
        failure = error.get("message") if isinstance(error, dict) else None
        return CardPaymentOutcome(status=str(confirmed.get("status")), failure=failure)

    def _call(self, method: str, path: str, form: Mapping[str, str] | None = None) -> Any:
        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            self._api_base + path,
            data=None if form is None else urllib.parse.urlencode(form).encode(),
            method=method,
            headers={"Authorization": self._authorization},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            # 402 is a declined card; other answers mean the intent cannot take a card now
            # (already paid, cancelled). Stripe's message says which; it holds no secret.
            try:
                message = json.loads(exc.read())["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = f"the local Stripe server answered {exc.code}"
            raise CardPaymentRefused(str(message)) from None
        except (OSError, ValueError) as exc:
            raise CardPaymentRefused(f"the local Stripe server is unreachable ({exc})") from None
