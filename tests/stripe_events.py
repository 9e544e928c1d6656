"""Stripe events as Stripe sends them: JSON bodies signed with Stripe's own scheme.

``Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``, the
scheme ``stripe.WebhookSignature`` verifies. Used for the event types localstripe does
not emit (``charge.refunded``) and for tampered, stale and replayed deliveries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from commerce.money import Money


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header for ``body`` signed at ``timestamp`` (now by default)."""
    signed_at = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{signed_at}.".encode() + body, hashlib.sha256)
    return f"t={signed_at},v1={digest.hexdigest()}"


def event_body(event_type: str, obj: dict[str, Any], event_id: str | None = None) -> bytes:
    """A Stripe event envelope around ``obj`` (a payment intent or a charge)."""
    return json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
            "object": "event",
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "livemode": False,
            "type": event_type,
            "data": {"object": obj},
        }
    ).encode()


def intent_object(
    order_id: str | None,
    amount: int = 1999,
    currency: str = "usd",
    intent_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A payment_intent object with the order in its metadata."""
    return {
        "id": intent_id or f"pi_{uuid.uuid4().hex[:24]}",
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount,
        "currency": currency,
        "metadata": {} if order_id is None else {"order_id": order_id},
        **extra,
    }


def charge_object(
    intent_id: str, amount_refunded: int, order_id: str | None, currency: str = "usd"
) -> dict[str, Any]:
    """A charge object as charge.refunded carries it (amount_refunded is cumulative)."""
    return {
        "id": f"ch_{uuid.uuid4().hex[:24]}",
        "object": "charge",
        "amount": 1999,
        "amount_refunded": amount_refunded,
        "currency": currency,
        "payment_intent": intent_id,
        "refunded": True,
        "metadata": {} if order_id is None else {"order_id": order_id},
    }


@dataclass
class RecordingOrders:
    """An ``OrderPayments`` that records calls; orders not in ``known`` are unknown."""

    known: set[str] = field(default_factory=set)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    fail_next: Exception | None = None

    def _record(self, name: str, **kwargs: Any) -> None:
        from commerce.payments.ports import UnknownOrder

        if self.fail_next is not None:
            failure, self.fail_next = self.fail_next, None
            raise failure
        if kwargs["order_id"] not in self.known:
            raise UnknownOrder(kwargs["order_id"])
        self.calls.append((name, kwargs))

    def payment_succeeded(
        self, *, order_id: str, intent_id: str, amount: Money, payment_method: str | None = None
    ) -> None:
        # The payment method is checked end to end (tests/e2e/journeys); calls keep their shape.
        self._record("payment_succeeded", order_id=order_id, intent_id=intent_id, amount=amount)

    def payment_failed(self, *, order_id: str, intent_id: str, reason: str) -> None:
        self._record("payment_failed", order_id=order_id, intent_id=intent_id, reason=reason)

    def payment_canceled(self, *, order_id: str, intent_id: str) -> None:
        self._record("payment_canceled", order_id=order_id, intent_id=intent_id)

    def refunded(self, *, order_id: str, intent_id: str, amount_refunded: Money) -> None:
        self._record(
            "refunded", order_id=order_id, intent_id=intent_id, amount_refunded=amount_refunded
        )

    def dispute_opened(
        self, *, order_id: str, intent_id: str, dispute_id: str, amount: Money
    ) -> None:
        self._record(
            "dispute_opened",
            order_id=order_id,
            intent_id=intent_id,
            dispute_id=dispute_id,
            amount=amount,
        )

    def dispute_closed(
        self, *, order_id: str, intent_id: str, dispute_id: str, amount: Money, won: bool
    ) -> None:
        self._record(
            "dispute_closed",
            order_id=order_id,
            intent_id=intent_id,
            dispute_id=dispute_id,
            amount=amount,
            won=won,
        )


def dispute_object(
    intent_id: str,
    amount: int,
    *,
    dispute_id: str | None = None,
    status: str = "needs_response",
    currency: str = "usd",
) -> dict[str, Any]:
    """A dispute object as charge.dispute.created/closed carry it: its own (empty)
    metadata, the disputed charge and its payment intent."""
    return {
        "id": dispute_id or f"dp_{uuid.uuid4().hex[:24]}",
        "object": "dispute",
        "amount": amount,
        "currency": currency,
        "charge": f"ch_{uuid.uuid4().hex[:24]}",
        "payment_intent": intent_id,
        "reason": "fraudulent",
        "status": status,
        "metadata": {},
    }


@contextmanager
def served(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free 127.0.0.1 port in a thread; yields its base URL."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass (webhooks arrive ~1 s late)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
