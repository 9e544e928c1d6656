"""``PaymentGateway`` over Stripe's API, with the official ``stripe`` library.

Each gateway owns a ``stripe.StripeClient``: no global ``stripe.api_key``, so tests
run gateways against different servers side by side. ``stripe`` is imported on
first use only: it costs Lambda cold starts ~55 ms that GraphQL reads never need.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import TYPE_CHECKING, Any

from commerce.money import Currency, Money
from commerce.payments.ports import IntentStatus, PaymentIntent, PaymentUnavailable, Refund
from commerce.settings import Settings

if TYPE_CHECKING:
    import stripe

log = logging.getLogger("commerce.payments")

# Anything shaped like a key or a client secret is cut out of messages we log or raise.
_SECRETISH = re.compile(r"\b(?:sk|rk|pk|whsec)_[A-Za-z0-9_]+|\bpi_[A-Za-z0-9]+_secret_[A-Za-z0-9]+")
# Connect, read (seconds): a stuck Stripe call must fail well inside API Gateway's 30 s.
_TIMEOUT = (3.05, 20.0)


class StripeGateway:
    """Stripe PaymentIntents and refunds for one account (or a local Stripe fake)."""

    def __init__(
        self,
        secret_key: str,
        *,
        api_base: str | None = None,
        max_network_retries: int = 2,
        receipt_emails: bool = True,
    ) -> None:
        self._secret_key = secret_key
        self._api_base = api_base
        self._max_network_retries = max_network_retries
        # localstripe refuses unknown parameters, receipt_email among them.
        self._receipt_emails = receipt_emails
        self._client: stripe.StripeClient | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"StripeGateway(api_base={self._api_base!r})"

    def create_intent(
        self, *, order_id: str, amount: Money, idempotency_key: str, email: str | None
    ) -> PaymentIntent:
        """A PaymentIntent for exactly ``amount``; Stripe replays it for the same key."""
        params = intent_params(
            order_id=order_id, amount=amount, email=email if self._receipt_emails else None
        )
        intent = self._call(
            "create a payment intent",
            lambda c: c.v1.payment_intents.create(
                params=params,
                options={"idempotency_key": idempotency_key},
            ),
        )
        return _to_intent(intent)

    def retrieve_intent(self, intent_id: str) -> PaymentIntent:
        """The intent as Stripe has it now."""
        intent = self._call(
            "retrieve a payment intent",
            # The latest charge carries the refunded total that reconciliation compares.
            lambda c: c.v1.payment_intents.retrieve(
                intent_id, params={"expand": ["latest_charge"]}
            ),
        )
        return _to_intent(intent)

    def cancel_intent(self, intent_id: str) -> None:
        """Cancel an unpaid intent; an intent already cancelled stays so."""
        current = self.retrieve_intent(intent_id)
        if current.status in (IntentStatus.CANCELED, IntentStatus.SUCCEEDED):
            # Stripe refuses to cancel these; the caller's wish already holds (or no
            # longer can): the webhook for a success tells the order what happened.
            return
        self._call("cancel a payment intent", lambda c: c.v1.payment_intents.cancel(intent_id))

    def refund(self, *, payment_intent_id: str, amount: Money, idempotency_key: str) -> Refund:
        """Refund ``amount`` of a paid intent; Stripe replays the refund for the same key."""
        refund = self._call(
            "refund a payment",
            lambda c: c.v1.refunds.create(
                params={"payment_intent": payment_intent_id, "amount": amount.amount},
                options={"idempotency_key": idempotency_key},
            ),
        )
        return Refund(
            id=str(refund.id),
            payment_intent_id=payment_intent_id,
            amount=Money(int(refund.amount), _currency(str(refund.currency))),
            status=str(refund.status),
        )

    def transfer(
        self, *, destination: str, amount: Money, idempotency_key: str, description: str
    ) -> str:
        """Send ``amount`` to a connected account (an affiliate payout); Stripe replays the
        transfer for the same key, so a retried payout pays once."""
        transfer = self._call(
            "make a transfer",
            lambda c: c.v1.transfers.create(
                params={
                    "amount": amount.amount,
                    "currency": amount.currency.value.lower(),
                    "destination": destination,
                    "description": description,
                },
                options={"idempotency_key": idempotency_key},
            ),
        )
        return str(transfer.id)

    # -- plumbing ----------------------------------------------------------------------------

    def _stripe(self) -> stripe.StripeClient:
        with self._lock:
            if self._client is None:
                import stripe

                base = {"api": self._api_base} if self._api_base else None
                self._client = stripe.StripeClient(
                    self._secret_key,
                    base_addresses=base,  # type: ignore[arg-type]
                    max_network_retries=self._max_network_retries,
                    http_client=stripe.RequestsClient(timeout=_TIMEOUT),
                )
            return self._client

    def _call(self, what: str, call: Any) -> Any:
        if not self._secret_key:
            raise PaymentUnavailable(f"cannot {what}: no Stripe secret key is configured")
        client = self._stripe()
        import stripe

        try:
            return call(client)
        except stripe.StripeError as exc:
            raise PaymentUnavailable(f"cannot {what}: {describe_stripe_error(exc)}") from None


def intent_params(*, order_id: str, amount: Money, email: str | None) -> dict[str, Any]:
    """The create parameters: minor units, lower-case currency, the order id in metadata."""
    params: dict[str, Any] = {
        "amount": amount.amount,
        "currency": amount.currency.value.lower(),
        "metadata": {"order_id": order_id},
        # Cards only: the storefront confirms with Stripe.js card elements, and
        # localstripe knows no automatic_payment_methods.
        "payment_method_types": ["card"],
    }
    if email:
        params["receipt_email"] = email
    return params


def describe_stripe_error(exc: Exception) -> str:
    """Error class, HTTP status, Stripe's code and message: never a key or a client secret."""
    status = getattr(exc, "http_status", None)
    code = getattr(exc, "code", None)
    message = getattr(exc, "user_message", None) or ""
    parts = [type(exc).__name__]
    if status:
        parts.append(f"HTTP {status}")
    if code:
        parts.append(str(code))
    if message:
        parts.append(_SECRETISH.sub("[redacted]", str(message))[:200])
    return ", ".join(parts)


def _currency(code: str) -> Currency:
    return Currency(code.upper())


def _to_intent(intent: Any) -> PaymentIntent:
    return PaymentIntent(
        id=str(intent.id),
        client_secret=str(intent.client_secret),
        amount=Money(int(intent.amount), _currency(str(intent.currency))),
        status=IntentStatus(str(intent.status)),
        order_id=_order_id(intent),
        amount_refunded=_amount_refunded(intent),
    )


def _amount_refunded(intent: Any) -> Money | None:
    charge = intent.to_dict().get("latest_charge")
    if not isinstance(charge, dict) or charge.get("amount_refunded") is None:
        return None
    return Money(int(charge["amount_refunded"]), _currency(str(charge["currency"])))


def _order_id(intent: Any) -> str | None:
    # StripeObject is no dict in stripe 12+: read its plain form.
    metadata = intent.to_dict().get("metadata") or {}
    value = metadata.get("order_id")
    return str(value) if value else None


def build_gateway(settings: Settings) -> StripeGateway:
    """The gateway the settings describe: Stripe itself, or a local fake at ``api_base``."""
    local = settings.stripe_api_base is not None
    return StripeGateway(
        settings.stripe_secret_key.value,
        api_base=settings.stripe_api_base,
        # Stripe's own retries are safe (every write carries an idempotency key); the
        # local fake ignores idempotency keys, so a retried create would be a second intent.
        max_network_retries=0 if local else 2,
        receipt_emails=not local,
    )
