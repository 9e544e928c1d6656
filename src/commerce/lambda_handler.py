"""AWS Lambda entry point: API Gateway HTTP API (v2) events into the ASGI app.

Importing this module is cheap: the app (Strawberry, PynamoDB, botocore) is
built on the first event, so the import cost the benchmark reports is only
what every invocation pays before it can run.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mangum import Mangum

log = logging.getLogger("commerce.lambda")

_adapter: Mangum | None = None


def _build() -> Mangum:
    from mangum import Mangum
    from mangum.adapter import DEFAULT_TEXT_MIME_TYPES

    from commerce.app import create_app_from_env

    # Mangum base64-encodes every body whose content type it does not know as text; the
    # GraphQL-over-HTTP media type is JSON and should reach API Gateway as plain text.
    return Mangum(
        create_app_from_env(),
        lifespan="off",
        api_gateway_base_path="/",
        text_mime_types=[*DEFAULT_TEXT_MIME_TYPES, "application/graphql-response+json"],
    )


def _is_http_api_event(event: object) -> bool:
    """Whether ``event`` has the shape of an API Gateway HTTP API payload version 2.0."""
    if not isinstance(event, dict) or event.get("version") != "2.0":
        return False
    context = event.get("requestContext")
    http = context.get("http") if isinstance(context, dict) else None
    if not isinstance(http, dict):
        return False
    if not all(isinstance(http.get(name), str) for name in ("method", "path", "sourceIp")):
        return False
    headers = event.get("headers", {})
    body = event.get("body")
    return isinstance(headers, dict) and (body is None or isinstance(body, str))


def _unsupported_event(event: object) -> dict[str, Any]:
    # Other triggers (a test invoke from the console, SQS, a scheduled rule) would make
    # Mangum raise a RuntimeError with a stack trace; answer them plainly instead.
    # Only the event's top-level keys are logged: its values may carry credentials.
    shape = sorted(map(str, event))[:20] if isinstance(event, dict) else type(event).__name__
    log.error("unsupported Lambda event (not an API Gateway HTTP API v2 request): %s", shape)
    body = {
        "errors": [
            {
                "message": "Unsupported event: expected an API Gateway HTTP API (v2) request",
                "extensions": {"code": "UNSUPPORTED_EVENT"},
            }
        ]
    }
    return {
        "statusCode": 400,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Serve one HTTP API request."""
    global _adapter
    if not _is_http_api_event(event):
        return _unsupported_event(event)
    if _adapter is None:
        _adapter = _build()
    response: dict[str, Any] = _adapter(event, context)
    return response
