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
A batch (a JSON array of operations, as Apollo's ``BatchHttpLink`` sends) passes
every check for every operation, is charged once for their summed cost, and then
runs in order, answering a JSON array in the same order.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError, parse
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
from commerce.customers.identity.tokens import InvalidAccessToken
from commerce.graphql.context import Context
from commerce.graphql.cost import MAX_ALIASES, MAX_ROOT_FIELDS, operation_cost
from commerce.graphql.errors import ClientError
from commerce.graphql.response_cache import ResponseCache, parsed, reads_only
from commerce.limits.model import Decision
from commerce.limits.service import MINIMUM_COST
from commerce.operations.model import is_hash, sha256_of

log = logging.getLogger("commerce.graphql")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MAX_BODY_BYTES = 1_048_576
QUERY_ONLY = frozenset({OperationType.QUERY})
QUERY_OR_MUTATION = frozenset({OperationType.QUERY, OperationType.MUTATION})
# The parameters of one operation: repeating one in a GET would be a batch, which needs POST.
OPERATION_PARAMETERS = ("query", "variables", "operationName", "extensions")
STATUS_CODES = {
    401: "UNAUTHENTICATED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


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
    gain ``batchIndex``, the operation that was refused.
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


@dataclass(frozen=True, slots=True)
class _Prepared:
    """An operation that passed every check before charging: document found, cost known."""

    params: dict[str, Any]
    cost: int
    # A persisted query to store once the request is charged (hash, document), if any.
    register: tuple[str, str] | None


@dataclass(frozen=True, slots=True)
class _Answer:
    """One operation's answer: its status, its body with extensions, its headers."""

    status: int
    body: bytes
    headers: dict[str, str]


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
            requested = await self._params(request)
            context = await self._context(request, request_id)
        except RequestProblem as problem:
            return self._problem(
                problem.status,
                problem.message,
                media_type,
                request_id,
                problem.headers,
                code=problem.code,
                details=problem.details,
            )
        if isinstance(requested, list):
            return await self._handle_batch(request, requested, context, media_type, request_id)
        params = requested
        cost_extensions: dict[str, Any] | None = None
        try:
            prepared = await self._prepare(params, context)
            decision = await self._charge(request, context, prepared.cost)
            if decision is not None:
                cost_extensions = _cost_extensions(decision)
                _raise_if_throttled(decision)
            await self._register([prepared])
        except Refused as refusal:
            return self._refusal(refusal, media_type, request_id, cost_extensions)
        public = (
            request.method == "GET"
            and context.principal.kind is PrincipalKind.ANONYMOUS
            and reads_only(params["query"], params["operationName"], self._public_root_fields)
        )
        allowed = QUERY_ONLY if request.method == "GET" else QUERY_OR_MUTATION
        try:
            answer = await self._run(
                params,
                context,
                media_type,
                request_id,
                cost_extensions,
                public=public,
                allowed=allowed,
            )
        except RequestProblem as problem:
            return self._problem(
                problem.status, problem.message, media_type, request_id, problem.headers
            )
        return _body_response(answer.body, answer.status, media_type, request_id, answer.headers)

    async def _handle_batch(
        self,
        request: Request,
        batch: list[dict[str, Any]],
        context: Context,
        media_type: str,
        request_id: str,
    ) -> Response:
        """A JSON array of operations: all checked, charged once together, then run in order.

        Nothing runs and nothing is charged unless every operation passes its checks and
        the batch its summed cost (``docs/decisions/0004-limits.md``, "Batches").
        """
        cost_extensions: dict[str, Any] | None = None
        try:
            operations: list[_Prepared] = []
            for index, params in enumerate(batch):
                try:
                    operations.append(await self._prepare(params, context))
                    _refuse_unless_parsed(params["query"])
                except Refused as refusal:
                    refusal.details["batchIndex"] = index
                    raise
            costs = [max(operation.cost, MINIMUM_COST) for operation in operations]
            self._check_batch_cost(sum(costs))
            decision = await self._charge(request, context, sum(costs))
            if decision is not None:
                cost_extensions = _cost_extensions(decision)
                _raise_if_throttled(decision)
            await self._register(operations)
        except Refused as refusal:
            return self._refusal(
                refusal, media_type, request_id, cost_extensions, copies=len(batch)
            )
        answers: list[bytes] = []
        for operation, cost in zip(operations, costs, strict=True):
            extensions = None if decision is None else _cost_extensions(decision, cost)
            answers.append(
                await self._run_in_batch(
                    operation.params, context, media_type, request_id, extensions
                )
            )
        body = b"[" + b",".join(answers) + b"]"
        return _body_response(body, 200, media_type, request_id, self._cache_control(public=False))

    async def _run_in_batch(
        self,
        params: dict[str, Any],
        context: Context,
        media_type: str,
        request_id: str,
        cost_extensions: dict[str, Any] | None,
    ) -> bytes:
        """One operation of a batch, answered as it would be alone; its status is dropped."""
        # Fresh dataloaders per operation: a query after a mutation must see its writes.
        own_context = dataclasses.replace(context, _loaders={})
        try:
            answer = await self._run(
                params,
                own_context,
                media_type,
                request_id,
                cost_extensions,
                public=False,
                allowed=QUERY_OR_MUTATION,
            )
        except RequestProblem as problem:
            payload = _problem_payload(problem.message, problem.code or _code_for(problem.status))
            return _with_extensions(_encode(payload), cost_extensions)
        return answer.body

    async def _prepare(self, params: dict[str, Any], context: Context) -> _Prepared:
        """Every check before charging: the persisted document, then breadth and cost."""
        register = await self._resolve_document(params, context)
        return _Prepared(params, self._check_cost(params), register)

    async def _charge(self, request: Request, context: Context, cost: int) -> Decision | None:
        """Take ``cost`` from the caller's budget; None when budgets are off."""
        if not self._services.settings.rate_limits:
            return None
        return await run_in_threadpool(
            self._services.limits.charge,
            context.principal,
            self._client_address(request),
            cost,
        )

    async def _register(self, operations: Iterable[_Prepared]) -> None:
        """Store the persisted queries of a charged request, so junk is never stored free."""
        for operation in operations:
            register = operation.register
            if register is not None and parsed(register[1]) is not None:
                await run_in_threadpool(self._services.operations.register_persisted, *register)

    async def _run(
        self,
        params: dict[str, Any],
        context: Context,
        media_type: str,
        request_id: str,
        cost_extensions: dict[str, Any] | None,
        *,
        public: bool,
        allowed: frozenset[OperationType],
    ) -> _Answer:
        """Execute a charged operation, or answer it from the response cache.

        Raises ``RequestProblem`` when Strawberry cannot pick an operation to run.
        """
        cached = None
        if self._cache is not None and not context.principal.is_admin:
            cached = self._cache.key(
                params["query"], params["variables"], params["operationName"], media_type
            )
            if cached is not None:
                body = self._cache.get(*cached)
                if body is not None:
                    headers = {"X-Cache": "HIT", **self._cache_control(public=public)}
                    return _Answer(200, _with_extensions(body, cost_extensions), headers)
        try:
            result = await self._schema.execute(
                params["query"],
                variable_values=params["variables"],
                context_value=context,
                operation_name=params["operationName"],
                allowed_operation_types=allowed,
            )
        except InvalidOperationTypeError:
            raise RequestProblem(405, "Mutations need POST", {"Allow": "POST"}) from None
        except CannotGetOperationTypeError:
            raise RequestProblem(
                400 if media_type == GRAPHQL_RESPONSE else 200,
                "Unknown or ambiguous operation: name the operation to run in operationName",
            ) from None
        except MissingQueryError:
            raise RequestProblem(400, "No GraphQL query found in the request") from None
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
        return _Answer(status, _with_extensions(body, cost_extensions), headers)

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

    def _check_batch_cost(self, total: int) -> None:
        """Refuse a batch dearer than one request may be: batching must not widen the limit."""
        maximum = self._services.settings.max_query_cost
        if total > maximum:
            raise Refused(
                "MAX_COST_EXCEEDED",
                f"The batch's operations cost {total} together, which exceeds the maximum of "
                f"{maximum} per request: send fewer operations, or ask for smaller pages",
                details={"cost": total, "maximumCost": maximum},
            )

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
        *,
        copies: int | None = None,
    ) -> Response:
        """The refusal's answer; for a batch, ``copies`` of it in an array.

        Batch clients (Apollo's ``BatchHttpLink``) pair answers with operations by position
        and fail every operation on a length mismatch; one copy per operation lets each
        see the code (``THROTTLED``, ``PERSISTED_QUERY_NOT_FOUND``) and react to it.
        """
        error = {
            "message": refusal.message,
            "extensions": {"code": refusal.code, **refusal.details},
        }
        payload: dict[str, Any] = {"errors": [error]}
        if cost_extensions:
            payload["extensions"] = dict(cost_extensions)
        status = refusal.status if media_type == GRAPHQL_RESPONSE else 200
        headers = {**refusal.headers, "Cache-Control": "private, no-store"}
        if copies is not None:
            return _json_response([payload] * copies, status, media_type, request_id, headers)
        return _json_response(payload, status, media_type, request_id, headers)

    @staticmethod
    def _wants_ide(request: Request) -> bool:
        accept = request.headers.get("accept", "")
        return "text/html" in accept and "query" not in request.query_params

    async def _params(self, request: Request) -> dict[str, Any] | list[dict[str, Any]]:
        """The request's operation, or its operations when the body is a batch (a JSON array)."""
        if request.method == "GET":
            if any(len(request.query_params.getlist(n)) > 1 for n in OPERATION_PARAMETERS):
                raise RequestProblem(
                    400,
                    "A GET carries one operation; send a batch by POST, as a JSON array body",
                )
            raw: dict[str, Any] = dict(request.query_params)
            for name in ("variables", "extensions"):
                if raw.get(name):
                    raw[name] = _json_object(raw[name], name)
            return _operation_params(raw)
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
            decoded = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise RequestProblem(400, "The body is not valid JSON") from None
        if isinstance(decoded, list):
            return self._batch_params(decoded)
        if not isinstance(decoded, dict):
            raise RequestProblem(400, "The body must be a JSON object")
        return _operation_params(decoded)

    def _batch_params(self, raw: list[Any]) -> list[dict[str, Any]]:
        """A batch's operations, refused whole when it is empty, too long or has a bad one."""
        maximum = self._services.settings.max_batch_operations
        if not raw:
            raise RequestProblem(400, "A batch needs at least one operation")
        if len(raw) > maximum:
            raise RequestProblem(
                400,
                f"A batch may hold at most {maximum} operations; this one holds {len(raw)}",
                code="TOO_MANY_OPERATIONS",
                details={"operations": len(raw), "maximumOperations": maximum},
            )
        batch: list[dict[str, Any]] = []
        for index, element in enumerate(raw):
            try:
                if not isinstance(element, dict):
                    raise RequestProblem(400, "An operation must be a JSON object")
                batch.append(_operation_params(element))
            except RequestProblem as problem:
                raise RequestProblem(
                    problem.status,
                    f"Operation {index} of the batch: {problem.message}",
                    details={"batchIndex": index},
                ) from None
        return batch

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
                principal = services.identity.authenticate(bearer)
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
        try:
            channel_hint = Context.channel_from_headers(request.headers)
        except ValueError as exc:
            raise RequestProblem(400, str(exc), code="INVALID_CHANNEL") from None
        return Context(
            services=services,
            principal=principal,
            request_id=request_id,
            client_address=self._client_address(request),
            channel_hint=channel_hint,
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
        *,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> Response:
        payload = _problem_payload(message, code or _code_for(status), details)
        return _json_response(payload, status, media_type, request_id, headers)


def _code_for(status: int) -> str:
    return STATUS_CODES.get(status, "BAD_REQUEST")


def _problem_payload(
    message: str, code: str, details: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code, **(details or {})}}]}


def _operation_params(raw: Mapping[str, Any]) -> dict[str, Any]:
    """One operation's parameters, from a GET's query string or a JSON object."""
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


def _refuse_unless_parsed(query: str) -> None:
    """Refuse a batch member that does not parse.

    Alone, such a document only answers its syntax error; in a batch, answering it so
    would still run (and charge) the operations around it, for what is a client's bug.
    """
    if parsed(query) is not None:
        return
    try:
        parse(query)
    except GraphQLError as error:
        raise Refused("GRAPHQL_PARSE_FAILED", error.message) from None


def _cost_extensions(decision: Decision, requested: int | None = None) -> dict[str, Any]:
    """Shopify's ``extensions.cost``: what this request costs and what the caller has left.

    ``requested``: one operation's share of a batch, reported beside the batch's charge.
    """
    throttle = decision.throttle
    rate = throttle.restore_rate
    return {
        "cost": {
            "requestedQueryCost": decision.cost if requested is None else requested,
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


def _encode(payload: object) -> bytes:
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
    payload: Mapping[str, Any] | list[Mapping[str, Any]],
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
