"""Every request gets an id (the caller's, if sane), echoed in ``X-Request-Id``.

The id ties a client's error report to the server log line that holds the
traceback; on Lambda it is API Gateway's request id.
"""

from __future__ import annotations

import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commerce.observability.logs import correlation_id
from commerce.web.errors import send_internal_error

# API Gateway HTTP API request ids are base64 ("Rk7ERiKWIAMEVYQ="), hence "+/=".
REQUEST_ID = re.compile(r"^[A-Za-z0-9._~+/=-]{1,64}$")


class RequestIdMiddleware:
    """Puts the id in ``request.state.request_id``, every log line and every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app under the request's id; answer 500 if it fails without answering."""
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
            await send_internal_error(send, request_id)


def _request_id(scope: Scope) -> str:
    """API Gateway's id on Lambda, else a sane ``X-Request-Id`` of the caller's, else a new one.

    A caller's id is checked because it is written into logs and headers verbatim.
    """
    event = scope.get("aws.event")
    if isinstance(event, dict):
        aws_id = event.get("requestContext", {}).get("requestId")
        if isinstance(aws_id, str) and REQUEST_ID.fullmatch(aws_id):
            return str(aws_id)
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if REQUEST_ID.fullmatch(candidate):
                return candidate
    return uuid.uuid4().hex
