"""``POST /webhooks/stripe``: the HTTP face of ``StripeWebhooks``.

Answers: 200 for every verified event (applied, duplicate, ignored, unknown order);
400 for a delivery that is not a genuine Stripe event; 415 for a body that is not
JSON; 500 for an unexpected failure. The 500 is deliberate: this is the one endpoint
whose caller retries on its own (Stripe redelivers for up to three days), so a
transient failure (DynamoDB throttled, Stripe unreachable for a charge's intent)
should be answered with "try again", and no event marker is left behind to stop it.
Neither the body nor the signature header is ever logged.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from commerce.payments.service import StripeWebhooks, WebhookErrorCode, WebhookRejected

log = logging.getLogger("commerce.payments")

# Stripe's events are a few kilobytes; a megabyte body is not one of them.
MAX_BODY_BYTES = 1024 * 1024


class StripeWebhookEndpoint:
    """The Starlette endpoint over one ``StripeWebhooks``."""

    def __init__(self, webhooks: StripeWebhooks) -> None:
        self._webhooks = webhooks

    async def handle(self, request: Request) -> Response:
        """Verify and apply one delivery."""
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            return _error(415, "UNSUPPORTED_MEDIA_TYPE", "Stripe events are application/json")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return _error(413, "PAYLOAD_TOO_LARGE", "the body is larger than any Stripe event")
        # Counted as it streams: a chunked body has no Content-Length to check first.
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                return _error(413, "PAYLOAD_TOO_LARGE", "the body is larger than any Stripe event")
            chunks.append(chunk)
        body = b"".join(chunks)
        signature = request.headers.get("stripe-signature")
        if signature is not None and not signature.isascii():
            # Stripe signs with hex digests; Stripe's comparison raises on other characters.
            code = WebhookErrorCode.BAD_SIGNATURE
            return _error(400, code.value, "the signature header is not ASCII")
        try:
            # PynamoDB and the order context are synchronous: keep them off the event loop.
            outcome = await run_in_threadpool(self._webhooks.receive, body, signature)
        except WebhookRejected as exc:
            log.warning("stripe webhook refused: %s", exc.code.value)
            return _error(400, exc.code.value, exc.message)
        except Exception:
            request_id = getattr(request.state, "request_id", None)
            log.exception("stripe webhook failed; Stripe will retry (request %s)", request_id)
            return JSONResponse(
                {
                    "error": {
                        "code": "INTERNAL_ERROR",
                        "message": "The event could not be applied now; Stripe retries it.",
                        "requestId": request_id,
                    }
                },
                status_code=500,
            )
        return JSONResponse({"received": True, "outcome": outcome.value})


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
