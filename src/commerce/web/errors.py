"""Every way a failure becomes an HTTP answer at the edge, in one place.

Four kinds, told apart because clients react to each differently:

- ``RequestProblem``: the HTTP request itself is unusable (bad JSON, wrong method, bad
  credentials); answered before any GraphQL runs, with the status it names.
- ``Refused``: a well-formed request the limits refuse before it runs (persisted query
  unknown, too dear, throttled); answered like a validation error.
- errors in an execution result: a ``ClientError`` or GraphQL's own errors are shown as
  they are; a document that never ran makes a request error (400 under
  ``application/graphql-response+json``).
- anything else is a bug: the client sees "Internal server error" and the request id,
  the log gets the traceback under the same id.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from starlette.responses import Response
from starlette.types import Send
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from commerce.graphql.errors import ClientError
from commerce.web.encoding import NO_STORE, encode, json_response, with_extensions
from commerce.web.negotiation import GRAPHQL_RESPONSE

log = logging.getLogger("commerce.graphql")
app_log = logging.getLogger("commerce.app")

STATUS_CODES = {
    401: "UNAUTHENTICATED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}
# Strawberry's refusals to pick an operation to run: the client's request is at fault.
UNRUNNABLE = (InvalidOperationTypeError, CannotGetOperationTypeError, MissingQueryError)


class RequestProblem(Exception):
    """The HTTP request itself is unusable; answered before any GraphQL runs.

    Its ``extensions.code`` follows the status (``BAD_REQUEST`` for 400) unless ``code``
    names a more precise one; ``details`` go into ``extensions`` beside it.
    """

    def __init__(
        self,
        status: int,
        message: str,
        headers: Mapping[str, str] | None = None,
        *,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})
        self.code = code
        self.details = dict(details or {})


class Refused(Exception):
    """A well-formed request the limits refuse before it runs, with its own error code.

    Answered like a validation error: 400 under ``application/graphql-response+json``
    (429 for ``THROTTLED``), 200 under ``application/json``. In a batch, ``details``
    gain ``batchIndex`` (the operation that was refused) and ``copies`` says how many
    operations the batch holds. ``extensions`` are the caller's cost figures, once charged.
    ``charge`` is what the refusal itself costs the caller (the cost analysis's work), 0
    for refusals that cost nothing to decide.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int = 400,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
        charge: int = 0,
    ) -> None:
        super().__init__(message)
        self.charge = charge
        self.code = code
        self.message = message
        self.status = status
        self.details = dict(details or {})
        self.headers = dict(headers or {})
        self.extensions = dict(extensions or {})
        self.copies: int | None = None


def problem_response(problem: RequestProblem, media_type: str, request_id: str) -> Response:
    """The answer to an unusable request: one error, the status the problem names."""
    payload = _problem_payload(problem.message, _code_of(problem), problem.details)
    return json_response(payload, problem.status, media_type, request_id, problem.headers)


def problem_in_batch(problem: RequestProblem, cost: Mapping[str, Any] | None) -> bytes:
    """One batch operation's answer when it cannot run: its error, without a status.

    The batch as a whole answers 200 once it ran, so this operation's status is dropped.
    """
    return with_extensions(encode(_problem_payload(problem.message, _code_of(problem))), cost)


def refusal_response(refusal: Refused, media_type: str, request_id: str) -> Response:
    """The refusal's answer; for a batch, one copy of it per operation, in an array.

    Batch clients (Apollo's ``BatchHttpLink``) pair answers with operations by position
    and fail every operation on a length mismatch; one copy per operation lets each
    see the code (``THROTTLED``, ``PERSISTED_QUERY_NOT_FOUND``) and react to it.
    """
    error = {
        "message": refusal.message,
        "extensions": {"code": refusal.code, **refusal.details},
    }
    payload: dict[str, Any] = {"errors": [error]}
    if refusal.extensions:
        payload["extensions"] = dict(refusal.extensions)
    status = refusal.status if media_type == GRAPHQL_RESPONSE else 200
    headers = {**refusal.headers, **NO_STORE}
    if refusal.copies is not None:
        return json_response([payload] * refusal.copies, status, media_type, request_id, headers)
    return json_response(payload, status, media_type, request_id, headers)


def unrunnable(error: Exception, media_type: str) -> RequestProblem:
    """The problem to answer when Strawberry cannot pick an operation to run."""
    if isinstance(error, InvalidOperationTypeError):
        return RequestProblem(405, "Mutations need POST", {"Allow": "POST"})
    if isinstance(error, CannotGetOperationTypeError):
        return RequestProblem(
            400 if media_type == GRAPHQL_RESPONSE else 200,
            "Unknown or ambiguous operation: name the operation to run in operationName",
        )
    return RequestProblem(400, "No GraphQL query found in the request")


def result_answer(result: ExecutionResult, media_type: str, request_id: str) -> tuple[int, bytes]:
    """An execution result's status and body, its unexpected errors masked.

    A result with no data whose errors have no path never ran (it did not parse or
    validate): a request error, 400 under ``application/graphql-response+json``.
    """
    payload: dict[str, Any] = {}
    request_error = (
        result.data is None
        and bool(result.errors)
        and (
            isinstance(result, PreExecutionError)
            or all(e.path is None for e in result.errors or [])
        )
    )
    if result.errors:
        payload["errors"] = [
            _format_error(e, request_id, before_execution=request_error) for e in result.errors
        ]
    if not request_error:
        payload["data"] = result.data
    status = 400 if request_error and media_type == GRAPHQL_RESPONSE else 200
    return status, encode(payload)


async def send_internal_error(send: Send, request_id: str) -> None:
    """Last resort when nothing below answered: log the traceback, show only the id.

    Called from inside the ``except`` block, so the traceback is the failure's own.
    """
    app_log.exception("unhandled error", extra={"request_id": request_id})
    body = json.dumps(
        {
            "errors": [
                {
                    "message": "Internal server error",
                    "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
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


def _format_error(
    error: GraphQLError, request_id: str, *, before_execution: bool
) -> dict[str, Any]:
    """One error as the client sees it: expected errors whole, unexpected ones masked."""
    original = error.original_error
    if original is None or isinstance(original, ClientError | GraphQLError):
        formatted = dict(error.formatted)
        extensions: dict[str, Any] = dict(formatted.get("extensions") or {})  # type: ignore[call-overload]
        if "code" not in extensions:
            if isinstance(error, GraphQLSyntaxError):
                extensions["code"] = "GRAPHQL_PARSE_FAILED"
            elif before_execution:
                extensions["code"] = "GRAPHQL_VALIDATION_FAILED"
            else:
                extensions["code"] = "BAD_REQUEST"
        formatted["extensions"] = extensions
        return formatted
    log.error(
        "unexpected error in GraphQL execution",
        exc_info=(type(original), original, original.__traceback__),
        extra={"request_id": request_id, "path": error.path},
    )
    masked: dict[str, Any] = {
        "message": "Internal server error",
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    }
    if error.locations:
        masked["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        masked["path"] = error.path
    return masked


def _code_of(problem: RequestProblem) -> str:
    """The problem's own code, else the one its status stands for."""
    return problem.code or STATUS_CODES.get(problem.status, "BAD_REQUEST")


def _problem_payload(
    message: str, code: str, details: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The GraphQL-shaped body of a request problem: one error, no data."""
    return {"errors": [{"message": message, "extensions": {"code": code, **(details or {})}}]}
