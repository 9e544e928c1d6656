"""The ASGI application: one Starlette app for uvicorn and for Lambda (through Mangum)."""

from __future__ import annotations

import json
import logging
import re
import uuid

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commerce.catalog.api import VIEW_BACKED_ROOT_FIELDS
from commerce.composition import Services, build_services
from commerce.downloads.http import DownloadEndpoint
from commerce.graphql.http import GraphQLEndpoint
from commerce.graphql.response_cache import ResponseCache
from commerce.observability.logs import correlation_id
from commerce.payments.webhook import StripeWebhookEndpoint
from commerce.schema import build_schema
from commerce.settings import Settings

log = logging.getLogger("commerce.app")

# API Gateway HTTP API request ids are base64 ("Rk7ERiKWIAMEVYQ="), hence "+/=".
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._~+/=-]{1,64}$")


class RequestIdMiddleware:
    """Gives every request an id (the caller's, if sane), echoed in ``X-Request-Id``.

    The id ties a client's error report to the server log line that holds the
    traceback; on Lambda it is API Gateway's request id.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        # Every log line of this request carries its id (commerce.observability.logs).
        token = correlation_id.set(request_id)
        try:
            await self._call_with_id(scope, receive, send, request_id)
        finally:
            correlation_id.reset(token)

    async def _call_with_id(
        self, scope: Scope, receive: Receive, send: Send, request_id: str
    ) -> None:
        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Last resort: nothing below answered. Log the traceback, show only the id.
            log.exception("unhandled error", extra={"request_id": request_id})
            body = json.dumps(
                {
                    "errors": [
                        {
                            "message": "Internal server error",
                            "extensions": {
                                "code": "INTERNAL_SERVER_ERROR",
                                "requestId": request_id,
                            },
                        }
                    ]
                }
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"x-request-id", request_id.encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})


def _request_id(scope: Scope) -> str:
    event = scope.get("aws.event")
    if isinstance(event, dict):
        aws_id = event.get("requestContext", {}).get("requestId")
        if isinstance(aws_id, str) and _REQUEST_ID.fullmatch(aws_id):
            return str(aws_id)
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _REQUEST_ID.fullmatch(candidate):
                return candidate
    return uuid.uuid4().hex


async def health(request: Request) -> Response:
    """Liveness: the process answers. It does not touch DynamoDB."""
    return JSONResponse({"status": "ok"})


def create_app(services: Services) -> Starlette:
    """The application over already-built services (tests pass their own)."""
    cache = (
        ResponseCache(VIEW_BACKED_ROOT_FIELDS, services.catalog.current_view)
        if services.settings.response_cache
        else None
    )
    settings = services.settings
    graphql = GraphQLEndpoint(
        build_schema(introspection=settings.introspection),
        services,
        cache,
        public_root_fields=VIEW_BACKED_ROOT_FIELDS,
    )
    app = Starlette(
        routes=[
            Route("/graphql", graphql.handle, methods=["GET", "POST"]),
            Route("/health", health, methods=["GET"]),
            Route(
                "/webhooks/stripe",
                StripeWebhookEndpoint(services.payment_events).handle,
                methods=["POST"],
            ),
            Route(
                "/downloads/{token}", DownloadEndpoint(services.downloads).handle, methods=["GET"]
            ),
        ],
    )
    # Browsers on the listed frontend origins only (exact matches; none by default).
    # Preflights from any other origin are refused with 400 and no CORS headers.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=[
            "Accept",
            "Authorization",
            "Content-Type",
            "X-API-Key",
            "X-Commerce-Channel",
            "X-Request-Id",
        ],
        expose_headers=["X-Request-Id", "Retry-After", "X-Cache"],
        max_age=600,
    )
    app.add_middleware(RequestIdMiddleware)
    return app


def create_app_from_env() -> Starlette:
    """The application configured from the process environment (uvicorn, Lambda)."""
    return create_app(build_services(Settings.from_env()))
