"""GraphQL over HTTP, following the GraphQL-over-HTTP specification.

Strawberry executes; this module owns the HTTP contract, because clients and
CDNs depend on its details: ``application/graphql-response+json`` negotiation
(request errors answer 400 under it, 200 under ``application/json``), GET for
queries only (405 for mutations), 415/406/413 for unusable requests, and error
masking: an unexpected exception reaches the client as "Internal server error"
with the request id, and the log gets the traceback under the same id.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.exceptions import MissingQueryError
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from commerce.access.model import ANONYMOUS
from commerce.access.service import InvalidApiKey
from commerce.composition import Services
from commerce.graphql.context import Context
from commerce.graphql.errors import ClientError
from commerce.graphql.response_cache import ResponseCache

log = logging.getLogger("commerce.graphql")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MAX_BODY_BYTES = 1_048_576
QUERY_ONLY = frozenset({OperationType.QUERY})
QUERY_OR_MUTATION = frozenset({OperationType.QUERY, OperationType.MUTATION})


class RequestProblem(Exception):
    """The HTTP request itself is unusable; answered before any GraphQL runs."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header, or None when nothing fits (406)."""
    if not accept or not accept.strip():
        return JSON  # the spec's legacy default for clients that send no Accept
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if quality <= 0:
            continue
        if media == GRAPHQL_RESPONSE:
            candidate = GRAPHQL_RESPONSE
        elif media in {JSON, "application/*", "*/*"}:
            candidate = JSON if media == JSON else GRAPHQL_RESPONSE
        else:
            continue
        # Higher quality wins; on a tie the media type listed first wins.
        key = (quality, -position, candidate)
        if best is None or key[:2] > best[:2]:
            best = key
    return None if best is None else best[2]


class GraphQLEndpoint:
    """The ``/graphql`` route: parses, authenticates, executes and answers."""

    def __init__(
        self,
        schema: strawberry.Schema,
        services: Services,
        response_cache: ResponseCache | None = None,
    ) -> None:
        self._schema = schema
        self._services = services
        self._graphiql = services.settings.graphiql
        self._cache = response_cache

    async def handle(self, request: Request) -> Response:
        request_id: str = request.state.request_id
        if request.method == "GET" and self._wants_ide(request):
            if not self._graphiql:
                return self._problem(404, "GraphiQL is disabled", JSON, request_id)
            return HTMLResponse(get_graphql_ide_html("graphiql"))
        media_type = negotiate(request.headers.get("accept"))
        if media_type is None:
            return self._problem(406, f"Accept {GRAPHQL_RESPONSE} or {JSON}", JSON, request_id)
        try:
            params = await self._params(request)
            context = await self._context(request, request_id)
        except RequestProblem as problem:
            return self._problem(
                problem.status, problem.message, media_type, request_id, problem.headers
            )
        cached = None
        if self._cache is not None and not context.principal.is_admin:
            cached = self._cache.key(
                params["query"], params["variables"], params["operationName"], media_type
            )
            if cached is not None:
                body = self._cache.get(*cached)
                if body is not None:
                    return _body_response(body, 200, media_type, request_id, {"X-Cache": "HIT"})
        allowed = QUERY_ONLY if request.method == "GET" else QUERY_OR_MUTATION
        try:
            result = await self._schema.execute(
                params["query"],
                variable_values=params["variables"],
                context_value=context,
                operation_name=params["operationName"],
                allowed_operation_types=allowed,
            )
        except InvalidOperationTypeError:
            return self._problem(
                405, "Mutations need POST", media_type, request_id, {"Allow": "POST"}
            )
        except CannotGetOperationTypeError:
            return self._problem(
                400 if media_type == GRAPHQL_RESPONSE else 200,
                "Unknown or ambiguous operation: name the operation to run in operationName",
                media_type,
                request_id,
            )
        except MissingQueryError:
            return self._problem(
                400, "No GraphQL query found in the request", media_type, request_id
            )
        response = self._answer(result, media_type, request_id)
        if cached is not None and self._cache is not None:
            response.headers["X-Cache"] = "MISS"
            if response.status_code == 200 and not result.errors:
                self._cache.put(cached[0], cached[1], bytes(response.body))
        return response

    @staticmethod
    def _wants_ide(request: Request) -> bool:
        accept = request.headers.get("accept", "")
        return "text/html" in accept and "query" not in request.query_params

    async def _params(self, request: Request) -> dict[str, Any]:
        if request.method == "GET":
            raw: dict[str, Any] = dict(request.query_params)
            for name in ("variables", "extensions"):
                if raw.get(name):
                    raw[name] = _json_object(raw[name], name)
        else:
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != JSON:
                raise RequestProblem(415, f"POST bodies must be {JSON}")
            declared = request.headers.get("content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
                raise RequestProblem(413, f"Request bodies are limited to {MAX_BODY_BYTES} bytes")
            body = await request.body()
            if len(body) > MAX_BODY_BYTES:
                raise RequestProblem(413, f"Request bodies are limited to {MAX_BODY_BYTES} bytes")
            try:
                raw = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                raise RequestProblem(400, "The body is not valid JSON") from None
            if isinstance(raw, list):
                raise RequestProblem(400, "Batched requests are not supported; send one operation")
            if not isinstance(raw, dict):
                raise RequestProblem(400, "The body must be a JSON object")
        query = raw.get("query")
        if not isinstance(query, str) or not query.strip():
            raise RequestProblem(400, "The request needs a 'query' string")
        variables = raw.get("variables")
        if variables is not None and not isinstance(variables, dict):
            raise RequestProblem(400, "'variables' must be an object")
        operation_name = raw.get("operationName")
        if operation_name is not None and not isinstance(operation_name, str):
            raise RequestProblem(400, "'operationName' must be a string")
        extensions = raw.get("extensions")
        if extensions is not None and not isinstance(extensions, dict):
            raise RequestProblem(400, "'extensions' must be an object")
        return {"query": query, "variables": variables, "operationName": operation_name or None}

    async def _context(self, request: Request, request_id: str) -> Context:
        services = self._services
        api_key = request.headers.get("x-api-key")
        try:
            principal = (
                ANONYMOUS
                if api_key is None
                else await run_in_threadpool(services.access.authenticate, api_key)
            )
        except InvalidApiKey as exc:
            raise RequestProblem(401, f"Invalid API key: {exc}") from None
        return Context(services=services, principal=principal, request_id=request_id)

    def _answer(self, result: ExecutionResult, media_type: str, request_id: str) -> Response:
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
                self._format_error(e, request_id, before_execution=request_error)
                for e in result.errors
            ]
        if not request_error:
            payload["data"] = result.data
        if result.extensions:
            payload["extensions"] = result.extensions
        status = 400 if request_error and media_type == GRAPHQL_RESPONSE else 200
        return _json_response(payload, status, media_type, request_id)

    @staticmethod
    def _format_error(
        error: GraphQLError, request_id: str, *, before_execution: bool
    ) -> dict[str, Any]:
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
            masked["locations"] = [
                {"line": loc.line, "column": loc.column} for loc in error.locations
            ]
        if error.path:
            masked["path"] = error.path
        return masked

    @staticmethod
    def _problem(
        status: int,
        message: str,
        media_type: str,
        request_id: str,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        code = {
            401: "UNAUTHENTICATED",
            404: "NOT_FOUND",
            405: "METHOD_NOT_ALLOWED",
            406: "NOT_ACCEPTABLE",
            413: "PAYLOAD_TOO_LARGE",
            415: "UNSUPPORTED_MEDIA_TYPE",
        }.get(status, "BAD_REQUEST")
        payload = {"errors": [{"message": message, "extensions": {"code": code}}]}
        return _json_response(payload, status, media_type, request_id, headers)


def _json_object(raw: str, name: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        raise RequestProblem(400, f"'{name}' is not valid JSON") from None
    if not isinstance(value, dict):
        raise RequestProblem(400, f"'{name}' must be a JSON object")
    return value


def _json_response(
    payload: Mapping[str, Any],
    status: int,
    media_type: str,
    request_id: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str)
    return _body_response(body.encode(), status, media_type, request_id, headers)


def _body_response(
    body: bytes,
    status: int,
    media_type: str,
    request_id: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    all_headers = {"X-Request-Id": request_id, **(headers or {})}
    return Response(body, status_code=status, media_type=media_type, headers=all_headers)
