"""GraphQL over HTTP, following the GraphQL-over-HTTP specification.

Strawberry executes; this module owns the HTTP contract, because clients and
CDNs depend on its details: ``application/graphql-response+json`` negotiation
(request errors answer 400 under it, 200 under ``application/json``), GET for
queries only (405 for mutations), 415/406/413 for unusable requests, and error
masking: an unexpected exception reaches the client as "Internal server error"
with the request id, and the log gets the traceback under the same id.

Limits run here too, before anything executes (``docs/decisions/0004-limits.md``):
persisted queries and the allow-list, the operation's breadth and calculated cost,
then the caller's budget; each refusal is a top-level error with its own code.
"""

from __future__ import annotations

import json
import logging
import math
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

from commerce.access.model import ANONYMOUS, PrincipalKind
from commerce.access.service import InvalidApiKey
from commerce.composition import Services
from commerce.customers.tokens import InvalidAccessToken
from commerce.graphql.context import Context
from commerce.graphql.cost import MAX_ALIASES, MAX_ROOT_FIELDS, operation_cost
from commerce.graphql.errors import ClientError
from commerce.graphql.response_cache import ResponseCache, parsed, reads_only
from commerce.limits.model import Decision
from commerce.operations.model import is_hash, sha256_of

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


class Refused(Exception):
    """A well-formed request the limits refuse before it runs, with its own error code.

    Answered like a validation error: 400 under ``application/graphql-response+json``
    (429 for ``THROTTLED``), 200 under ``application/json``.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int = 400,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = dict(details or {})
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
        public_root_fields: frozenset[str] = frozenset(),
    ) -> None:
        self._schema = schema
        self._services = services
        self._graphiql = services.settings.graphiql
        self._cache = response_cache
        self._public_root_fields = public_root_fields
        self._graphql_schema = schema._schema

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
        cost_extensions: dict[str, Any] | None = None
        try:
            register = await self._resolve_document(params, context)
            cost = self._check_cost(params)
            if self._services.settings.rate_limits:
                decision = await run_in_threadpool(
                    self._services.limits.charge,
                    context.principal,
                    self._client_address(request),
                    cost,
                )
                cost_extensions = _cost_extensions(decision)
                _raise_if_throttled(decision)
            if register is not None and parsed(register[1]) is not None:
                await run_in_threadpool(self._services.operations.register_persisted, *register)
        except Refused as refusal:
            return self._refusal(refusal, media_type, request_id, cost_extensions)
        public = (
            request.method == "GET"
            and context.principal.kind is PrincipalKind.ANONYMOUS
            and reads_only(params["query"], params["operationName"], self._public_root_fields)
        )
        cached = None
        if self._cache is not None and not context.principal.is_admin:
            cached = self._cache.key(
                params["query"], params["variables"], params["operationName"], media_type
            )
            if cached is not None:
                body = self._cache.get(*cached)
                if body is not None:
                    headers = {"X-Cache": "HIT", **self._cache_control(public=public)}
                    return _body_response(
                        _with_extensions(body, cost_extensions),
                        200,
                        media_type,
                        request_id,
                        headers,
                    )
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
        status, body = self._answer(result, media_type, request_id)
        if result.extensions:
            cost_extensions = {**result.extensions, **(cost_extensions or {})}
        succeeded = status == 200 and not result.errors
        headers = self._cache_control(public=public and succeeded)
        if cached is not None and self._cache is not None:
            headers["X-Cache"] = "MISS"
            if succeeded and not result.extensions:
                # Stored without per-request extensions (cost, budget): spliced in per answer.
                self._cache.put(cached[0], cached[1], body)
        return _body_response(
            _with_extensions(body, cost_extensions), status, media_type, request_id, headers
        )

    async def _resolve_document(
        self, params: dict[str, Any], context: Context
    ) -> tuple[str, str] | None:
        """Fill in a persisted query's document; what to register once the request passes.

        Apollo's automatic persisted queries: a hash alone runs the document registered
        under it, or answers ``PERSISTED_QUERY_NOT_FOUND`` so the client sends both; a
        hash with its document is checked and registered. In allow-list mode only
        documents registered from a client build run (staff keys excepted).
        """
        settings = self._services.settings
        operations = self._services.operations
        sha256 = params["sha256"]
        query: str | None = params["query"]
        allow_list = settings.persisted_queries_only and not context.principal.is_admin
        if sha256 is None:
            if not allow_list:
                return None
            assert query is not None
            sha256 = sha256_of(query)
        elif query is not None and sha256_of(query) != sha256:
            raise Refused(
                "PERSISTED_QUERY_HASH_MISMATCH",
                "The query does not hash to extensions.persistedQuery.sha256Hash",
            )
        registered = await run_in_threadpool(operations.find, sha256)
        if allow_list and (registered is None or not registered.allowed):
            raise Refused(
                "OPERATION_NOT_ALLOWED",
                "Only operations registered from a client build run here; "
                "register this one with `commerce operations register`",
            )
        if registered is not None:
            params["query"] = registered.document
            return None
        if query is None:
            # Apollo clients look for this message (and code) to resend with the query.
            raise Refused("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
        return sha256, query

    def _check_cost(self, params: dict[str, Any]) -> int:
        """The operation's calculated cost, refusing it when too broad or too dear."""
        document = parsed(params["query"])
        if document is None:
            return 0  # execution reports the syntax error; nothing runs
        figures = operation_cost(
            self._graphql_schema, document, params["operationName"], params["variables"]
        )
        if figures.root_fields > MAX_ROOT_FIELDS or figures.aliases > MAX_ALIASES:
            raise Refused(
                "TOO_MANY_FIELDS",
                f"An operation may select at most {MAX_ROOT_FIELDS} root fields and "
                f"{MAX_ALIASES} aliases; this one selects {figures.root_fields} and "
                f"{figures.aliases}",
                details={
                    "rootFields": figures.root_fields,
                    "aliases": figures.aliases,
                    "maximumRootFields": MAX_ROOT_FIELDS,
                    "maximumAliases": MAX_ALIASES,
                },
            )
        maximum = self._services.settings.max_query_cost
        if figures.cost > maximum:
            raise Refused(
                "MAX_COST_EXCEEDED",
                f"Query cost is {figures.cost}, which exceeds the maximum of {maximum}: "
                "ask for smaller pages (first/last) or fewer nested connections",
                details={"cost": figures.cost, "maximumCost": maximum},
            )
        return figures.cost

    def _client_address(self, request: Request) -> str | None:
        """The caller's address: API Gateway's source IP, or the socket peer.

        ``X-Forwarded-For`` is anyone's to forge; it counts only behind as many
        trusted proxies as ``COMMERCE_TRUSTED_PROXY_HOPS`` says, each of which
        appends the address it saw.
        """
        hops = self._services.settings.trusted_proxy_hops
        if hops > 0:
            forwarded = [
                part.strip()
                for part in request.headers.get("x-forwarded-for", "").split(",")
                if part.strip()
            ]
            if forwarded:
                return forwarded[-min(hops, len(forwarded))]
        event = request.scope.get("aws.event")
        if isinstance(event, dict):
            source = event.get("requestContext", {}).get("http", {}).get("sourceIp")
            if isinstance(source, str) and source:
                return source
        return request.client.host if request.client else None

    def _cache_control(self, *, public: bool) -> dict[str, str]:
        if public:
            max_age = self._services.settings.public_max_age_seconds
            return {"Cache-Control": f"public, max-age={max_age}", "Vary": "Accept, X-API-Key"}
        return {"Cache-Control": "private, no-store"}

    def _refusal(
        self,
        refusal: Refused,
        media_type: str,
        request_id: str,
        cost_extensions: Mapping[str, Any] | None,
    ) -> Response:
        error = {
            "message": refusal.message,
            "extensions": {"code": refusal.code, **refusal.details},
        }
        payload: dict[str, Any] = {"errors": [error]}
        if cost_extensions:
            payload["extensions"] = dict(cost_extensions)
        status = refusal.status if media_type == GRAPHQL_RESPONSE else 200
        headers = {**refusal.headers, "Cache-Control": "private, no-store"}
        return _json_response(payload, status, media_type, request_id, headers)

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
        extensions = raw.get("extensions")
        if extensions is not None and not isinstance(extensions, dict):
            raise RequestProblem(400, "'extensions' must be an object")
        sha256 = _persisted_hash(extensions)
        query = raw.get("query")
        if sha256 is not None and query is None:
            pass  # Automatic persisted query: the hash stands for the document
        elif not isinstance(query, str) or not query.strip():
            raise RequestProblem(400, "The request needs a 'query' string")
        variables = raw.get("variables")
        if variables is not None and not isinstance(variables, dict):
            raise RequestProblem(400, "'variables' must be an object")
        operation_name = raw.get("operationName")
        if operation_name is not None and not isinstance(operation_name, str):
            raise RequestProblem(400, "'operationName' must be a string")
        return {
            "query": query,
            "variables": variables,
            "operationName": operation_name or None,
            "sha256": sha256,
        }

    async def _context(self, request: Request, request_id: str) -> Context:
        """Who is calling: an API key (staff or partner), a customer's bearer token, or nobody.

        Bad credentials are refused as a whole (401, ``UNAUTHENTICATED``) rather than
        treated as anonymous: a client with an expired token must learn to refresh it,
        not see a storefront that silently forgot who they are.
        """
        services = self._services
        api_key = request.headers.get("x-api-key")
        bearer = _bearer_token(request.headers.get("authorization"))
        if api_key is not None and bearer is not None:
            raise RequestProblem(
                400, "Send either an X-API-Key or an Authorization bearer token, not both"
            )
        try:
            if bearer is not None:
                # A signature check, no database call: cheap enough for the event loop.
                principal = services.customers.authenticate(bearer)
            elif api_key is not None:
                principal = await run_in_threadpool(services.access.authenticate, api_key)
            else:
                principal = ANONYMOUS
        except InvalidApiKey as exc:
            raise RequestProblem(401, f"Invalid API key: {exc}") from None
        except InvalidAccessToken as exc:
            raise RequestProblem(
                401,
                str(exc),
                # RFC 6750 section 3: how a bearer-token client learns what went wrong.
                {"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{exc}"'},
            ) from None
        return Context(
            services=services,
            principal=principal,
            request_id=request_id,
            client_address=self._client_address(request),
        )

    def _answer(
        self, result: ExecutionResult, media_type: str, request_id: str
    ) -> tuple[int, bytes]:
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
        status = 400 if request_error and media_type == GRAPHQL_RESPONSE else 200
        return status, _encode(payload)

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


def _bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None without the header.

    Another scheme, or a bearer header without a token, is refused: sending credentials
    the server cannot read is a client bug that must not pass as anonymous.
    """
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise RequestProblem(
            401,
            "The Authorization header must read 'Bearer <access token>'",
            {"WWW-Authenticate": 'Bearer error="invalid_request"'},
        )
    return token.strip()


def _json_object(raw: str, name: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        raise RequestProblem(400, f"'{name}' is not valid JSON") from None
    if not isinstance(value, dict):
        raise RequestProblem(400, f"'{name}' must be a JSON object")
    return value


def _persisted_hash(extensions: Mapping[str, Any] | None) -> str | None:
    """The hash of an Apollo persisted query request, or None when it is not one."""
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise RequestProblem(400, "extensions.persistedQuery needs version 1 and a sha256Hash")
    sha256 = persisted.get("sha256Hash")
    if not is_hash(sha256):
        raise RequestProblem(400, "extensions.persistedQuery.sha256Hash must be a hex SHA-256")
    return str(sha256)


def _cost_extensions(decision: Decision) -> dict[str, Any]:
    """Shopify's ``extensions.cost``: what this request costs and what the caller has left."""
    throttle = decision.throttle
    rate = throttle.restore_rate
    return {
        "cost": {
            "requestedQueryCost": decision.cost,
            "throttleStatus": {
                "maximumAvailable": throttle.maximum_available,
                "currentlyAvailable": throttle.currently_available,
                "restoreRate": int(rate) if rate == int(rate) else rate,
            },
        }
    }


def _raise_if_throttled(decision: Decision) -> None:
    if decision.allowed:
        return
    available = decision.throttle.currently_available
    retry_after = round(decision.retry_after, 3)
    raise Refused(
        "THROTTLED",
        f"Throttled: this request costs {decision.cost} points and {available} are "
        f"available; retry in {retry_after} s",
        status=429,
        details={"retryAfterSeconds": retry_after},
        # Retry-After is whole seconds; rounded up so a retry then is never early.
        headers={"Retry-After": str(max(1, math.ceil(decision.retry_after)))},
    )


def _encode(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def _with_extensions(body: bytes, extensions: Mapping[str, Any] | None) -> bytes:
    """``body`` (a JSON object without ``extensions``) with per-request extensions added.

    Splicing bytes, not decoding and re-encoding: a cached 50-product page is tens of
    kilobytes that need not be parsed again to add a few figures.
    """
    if not extensions:
        return body
    return body[:-1] + b',"extensions":' + _encode(extensions) + b"}"


def _json_response(
    payload: Mapping[str, Any],
    status: int,
    media_type: str,
    request_id: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    return _body_response(_encode(payload), status, media_type, request_id, headers)


def _body_response(
    body: bytes,
    status: int,
    media_type: str,
    request_id: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    all_headers = {"X-Request-Id": request_id, **(headers or {})}
    return Response(body, status_code=status, media_type=media_type, headers=all_headers)
