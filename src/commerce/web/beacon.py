"""``POST /events``: the beacon, for ``navigator.sendBeacon`` and apps' background flushes.

The same payload as ``eventsRecord``'s input (``{"visitorToken", "events": [...]}``), as
``text/plain`` (what ``sendBeacon`` sends without a CORS preflight) or
``application/json``, at most ``MAX_BEACON_BYTES``. The same checks, the same codes:

- 204, nothing in the body: stored (duplicates included, counted once);
- 400 with ``{"error": {"code", "message", "field"}}``: the body or an event is refused
  (``UNKNOWN_EVENT_KIND``, ``TOO_MANY_EVENTS``, ``TIMESTAMP_IN_FUTURE``, ...), nothing
  stored; 403 ``INVALID_VISITOR_TOKEN`` / ``CONSENT_REQUIRED``; 413 ``PAYLOAD_TOO_LARGE``;
  415 for another media type; 429 ``THROTTLED`` with ``Retry-After``.

A beacon cannot read its answer, so the first batch of a new visitor should go through
the mutation (or ``visitorStart``) to learn its token; a beacon without a token still
stores its events under a new visitor, whose token is returned in ``X-Visitor-Token``.
Each request is charged one point of the caller's address budget (the GraphQL endpoint's
buckets), before the visitor's own event budget.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from commerce.composition import Services
from commerce.journeys.api.inputs import partner_id_of, product_id_of
from commerce.journeys.commands import (
    BeaconShapeError,
    RecordEvents,
    RequestFacts,
    beacon_payload,
    record_events,
)
from commerce.journeys.errors import JourneyErrorCode as Code
from commerce.journeys.model import MAX_BEACON_BYTES
from commerce.problems import Problem, Rejected
from commerce.web.credentials import build_context
from commerce.web.errors import RequestProblem

_MEDIA_TYPES = {"text/plain", "application/json"}
_STATUS = {
    Code.INVALID_VISITOR_TOKEN: 403,
    Code.CONSENT_REQUIRED: 403,
    Code.THROTTLED: 429,
    Code.PAYLOAD_TOO_LARGE: 413,
}
_NO_STORE = {"Cache-Control": "no-store"}


def _refusal(problem: Problem, headers: dict[str, str] | None = None) -> Response:
    code = problem.code
    status = _STATUS.get(code, 400) if isinstance(code, Code) else 400
    return JSONResponse(
        {
            "error": {
                "code": code.value,
                "message": problem.message,
                "field": list(problem.field) or None,
            }
        },
        status_code=status,
        headers={**_NO_STORE, **(headers or {})},
    )


class BeaconEndpoint:
    """The Starlette endpoint over the services."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def handle(self, request: Request) -> Response:
        """Record the beacon's batch, or refuse it storing nothing."""
        media = request.headers.get("content-type", "text/plain").split(";")[0].strip().lower()
        if media not in _MEDIA_TYPES:
            return _refusal(Problem(Code.INVALID, "Send text/plain or application/json"), None)
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BEACON_BYTES:
            return self._too_large()
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BEACON_BYTES:
                return self._too_large()
        try:
            context = await build_context(request, self._services, "beacon")
        except RequestProblem as exc:
            return JSONResponse(
                {"error": {"code": exc.code or "UNAUTHENTICATED", "message": exc.message}},
                status_code=exc.status,
                headers={**_NO_STORE, **exc.headers},
            )
        settings = self._services.settings
        if settings.rate_limits:
            decision = await run_in_threadpool(
                self._services.limits.charge, context.principal, context.client_address, 1
            )
            if not decision.allowed:
                wait = str(max(1, math.ceil(decision.retry_after)))
                return _refusal(
                    Problem(Code.THROTTLED, "Too many requests from this address"),
                    {"Retry-After": wait},
                )
        try:
            token, raws = beacon_payload(json.loads(body))
        except (ValueError, RecursionError) as exc:
            problem = (
                exc.problem
                if isinstance(exc, BeaconShapeError)
                else Problem(Code.INVALID, "The body is not JSON")
            )
            return _refusal(problem)
        command, problems = record_events(
            token, raws, datetime.now(UTC), product_id_of, partner_id_of
        )
        if problems or command is None:
            return _refusal(problems[0])
        facts = RequestFacts(
            sales_channel=context.channel,
            customer_id=context.principal.customer_id,
            user_agent=context.user_agent,
            app=context.app_name,
            address=context.client_address,
        )
        return await self._record(command, facts)

    async def _record(self, command: RecordEvents, facts: RequestFacts) -> Response:
        try:
            recorded = await run_in_threadpool(self._services.journeys.record, command, facts)
        except Rejected as rejected:
            return _refusal(rejected.problems[0])
        headers = dict(_NO_STORE)
        if command.visitor_token is None:
            headers["X-Visitor-Token"] = recorded.visitor_token
        return Response(status_code=204, headers=headers)

    def _too_large(self) -> Response:
        return _refusal(
            Problem(Code.PAYLOAD_TOO_LARGE, f"The body is larger than {MAX_BEACON_BYTES} bytes")
        )
