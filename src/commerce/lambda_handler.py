"""AWS Lambda entry point of the api function: API Gateway HTTP API (v2) events into the app.

Importing this module is cheap: the app (Strawberry, PynamoDB, botocore) and the JSON
log formatter (Powertools) are loaded on the first event, so the import cost the
benchmark reports is only what every invocation pays before it can run. Secrets missing
from the environment are read from SSM on that first event (``commerce.secrets``).

Each request is logged once (method, path, status, duration; never headers or bodies)
with API Gateway's request id as its correlation id, the id the app echoes in
``X-Request-Id`` and attaches to every other line it logs for the request.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import random
import re
import time
from typing import TYPE_CHECKING, Any

from commerce.observability.logs import correlated

if TYPE_CHECKING:
    from mangum import Mangum

log = logging.getLogger("commerce.lambda")

_adapter: Mangum | None = None

# The app's own rule for ids it accepts (commerce.web.request_id): API Gateway's are base64.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._~+/=-]{1,64}$")


def _build() -> Mangum:
    from mangum import Mangum
    from mangum.adapter import DEFAULT_TEXT_MIME_TYPES

    from commerce.app import create_app
    from commerce.composition import build_services
    from commerce.observability.logs import configure_logging
    from commerce.settings import Settings

    settings = Settings.from_env_and_parameters()
    configure_logging("api", json_lines=settings.json_logs)

    # Mangum base64-encodes every body whose content type it does not know as text; the
    # GraphQL-over-HTTP media type is JSON and should reach API Gateway as plain text.
    return Mangum(
        create_app(build_services(settings)),
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


def _malformed(event: dict[str, Any]) -> str | None:
    """What makes an HTTP API event unusable, or None; checked so Mangum never raises.

    API Gateway never sends these, but a function URL, a test invoke or another caller
    of the function may: each is answered 400, not a stack trace.
    """
    body, encoded = event.get("body"), event.get("isBase64Encoded", False)
    if not isinstance(encoded, bool):
        return "isBase64Encoded must be a boolean"
    if encoded and isinstance(body, str):
        try:
            base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            return "the body is not valid base64"
    if not isinstance(event.get("rawQueryString", ""), str):
        return "rawQueryString must be a string"
    headers = event.get("headers", {})
    if not all(isinstance(k, str) and _encodable(v) for k, v in headers.items()):
        return "header names and values must be strings"
    cookies = event.get("cookies") or []
    if not (isinstance(cookies, list) and all(_encodable(cookie) for cookie in cookies)):
        return "cookies must be a list of strings"
    host = str(headers.get("host", ""))
    port = host.split(":", 1)[1] if ":" in host else headers.get("x-forwarded-port", "80")
    if not (str(port).isdigit() and host.count(":") <= 1):
        return "the host and port headers do not name a port"
    for name in ("path", "sourceIp", "method"):
        if not _encodable(event["requestContext"]["http"][name]):
            return f"requestContext.http.{name} must be a string"
    return None


def _encodable(value: object) -> bool:
    """A string the ASGI scope can carry as UTF-8 bytes (no lone surrogates)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _bad_event(reason: str) -> dict[str, Any]:
    """The answer to an HTTP API event too malformed to reach the app."""
    log.warning("malformed Lambda event: %s", reason)
    body = {
        "errors": [
            {"message": f"Malformed event: {reason}", "extensions": {"code": "MALFORMED_EVENT"}}
        ]
    }
    return {
        "statusCode": 400,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


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


def _warm() -> None:
    """Build the app now, so that a SnapStart snapshot holds it (imports, schema, settings)."""
    global _adapter
    if _adapter is None:
        _adapter = _build()


def _after_restore() -> None:
    # Every environment restored from one snapshot starts with the same `random` state;
    # ids and tokens use `secrets` (the OS's generator), this covers any other user.
    random.seed()


def _register_snapstart_hooks() -> None:
    """With SnapStart, pay the app's build at publish time instead of on a first request.

    ``snapshot_restore_py`` exists only in Lambda's Python runtimes (3.12+); its hooks run
    only for functions with SnapStart on, so other stages keep building on the first event.
    """
    try:
        from snapshot_restore_py import (  # type: ignore[import-not-found]
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:
        return
    register_before_snapshot(_warm)
    register_after_restore(_after_restore)


_register_snapstart_hooks()


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Serve one HTTP API request."""
    global _adapter
    if not _is_http_api_event(event):
        return _unsupported_event(event)
    problem = _malformed(event)
    if problem is not None:
        return _bad_event(problem)
    if _adapter is None:
        _adapter = _build()
    request_id = event["requestContext"].get("requestId")
    if not (isinstance(request_id, str) and _REQUEST_ID.fullmatch(request_id)):
        # The app makes its own id then; this one only correlates the access line.
        request_id = getattr(context, "aws_request_id", None) or "-"
    started = time.perf_counter()
    with correlated(request_id):
        response: dict[str, Any] = _adapter(event, context)
        http = event["requestContext"]["http"]
        log.info(
            "request",
            extra={
                "method": http["method"],
                "path": http["path"][:200],
                "status": response.get("statusCode"),
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
    return response
