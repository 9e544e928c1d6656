"""The hard time budget of one request: past it, the request is stopped and answered 503.

A request that outlives its budget (a slow dependency, an operation dearer than its
calculated cost says) is cancelled at its next await, so it stops holding a connection
and the event loop's attention; work already handed to a worker thread finishes there,
unobserved. The budget (``COMMERCE_REQUEST_TIMEOUT_SECONDS``, 8 s by default) sits below
the Lambda function's own timeout (10 s), so a client gets an answer, not a gateway
error, and applies alike under uvicorn and on Lambda (Mangum runs the same app).
"""

from __future__ import annotations

import asyncio
import logging

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("commerce.app")


class DeadlineMiddleware:
    """Cancels a request still running after ``seconds``; answers 503 if nothing was sent."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            async with asyncio.timeout(self.seconds):
                await self.app(scope, receive, send_tracked)
        except TimeoutError:
            log.warning("request stopped after its time budget of %s s", self.seconds)
            if started:
                return  # the answer is already under way: it ends cut short
            message = f"The request took longer than {self.seconds:g} s and was stopped"
            body = {
                "errors": [
                    {
                        "message": message,
                        "extensions": {"code": "REQUEST_TIMEOUT", "timeoutSeconds": self.seconds},
                    }
                ]
            }
            response = JSONResponse(body, status_code=503, headers={"Retry-After": "1"})
            await response(scope, receive, send)
