"""The ``/graphql`` route, following the GraphQL-over-HTTP specification.

Strawberry executes; the edge owns the HTTP contract, because clients and CDNs depend
on its details. This module only sequences the steps, each in its own module: read
the params, build the context, admit (persisted queries, cost, budget), run or answer
from the cache, encode. Every failure becomes its answer in ``errors``.
"""

from __future__ import annotations

import strawberry
from starlette.requests import Request
from starlette.responses import Response

from commerce.access.model import PrincipalKind
from commerce.composition import Services
from commerce.graphql.context import Context
from commerce.web.admission import Admission
from commerce.web.batching import answer_batch
from commerce.web.credentials import build_context
from commerce.web.encoding import body_response, cost_extensions
from commerce.web.errors import Refused, RequestProblem, problem_response, refusal_response
from commerce.web.execution import QUERY_ONLY, QUERY_OR_MUTATION, Executor
from commerce.web.graphiql import GraphiQL
from commerce.web.negotiation import GRAPHQL_RESPONSE, JSON, negotiate, wants_ide
from commerce.web.params import OperationParams, read_params
from commerce.web.response_cache import ResponseCache, reads_only


class GraphQLEndpoint:
    """The ``/graphql`` route: reads, authenticates, admits, executes and answers."""

    def __init__(
        self,
        schema: strawberry.Schema,
        services: Services,
        response_cache: ResponseCache | None = None,
        public_root_fields: frozenset[str] = frozenset(),
    ) -> None:
        self._services = services
        # Read from node_modules once, and only where GraphiQL is on (never on Lambda).
        self.graphiql = GraphiQL.from_npm() if services.settings.graphiql else None
        self._public_root_fields = public_root_fields
        self._admission = Admission(services, schema._schema)
        self._executor = Executor(schema, services.settings, response_cache)

    async def handle(self, request: Request) -> Response:
        """Answer one request to ``/graphql``."""
        request_id: str = request.state.request_id
        if request.method == "GET" and wants_ide(request):
            if self.graphiql is None:
                return problem_response(
                    RequestProblem(404, "GraphiQL is disabled"), JSON, request_id
                )
            return self.graphiql.page_response()
        media_type = negotiate(request.headers.get("accept"))
        if media_type is None:
            problem = RequestProblem(406, f"Accept {GRAPHQL_RESPONSE} or {JSON}")
            return problem_response(problem, JSON, request_id)
        try:
            requested = await read_params(request, self._services.settings.max_batch_operations)
            context = await build_context(request, self._services, request_id)
            if isinstance(requested, list):
                return await answer_batch(
                    self._admission, self._executor, requested, context, media_type
                )
            return await self._answer(request, requested, context, media_type)
        except RequestProblem as problem:
            return problem_response(problem, media_type, request_id)
        except Refused as refusal:
            return refusal_response(refusal, media_type, request_id)

    async def _answer(
        self, request: Request, params: OperationParams, context: Context, media_type: str
    ) -> Response:
        """One operation: admitted and charged, then run (or served from the cache)."""
        admitted = await self._admission.admit(params, context)
        operation = admitted.operations[0]
        get = request.method == "GET"
        # Only an anonymous catalog read by GET may be kept by shared caches (CDNs).
        public = (
            get
            and context.principal.kind is PrincipalKind.ANONYMOUS
            and reads_only(operation.query, operation.operation_name, self._public_root_fields)
        )
        cost = None if admitted.decision is None else cost_extensions(admitted.decision)
        answer = await self._executor.run(
            operation,
            context,
            media_type,
            context.request_id,
            cost,
            public=public,
            # GET must not change anything (CDNs and prefetchers replay it): queries only.
            allowed=QUERY_ONLY if get else QUERY_OR_MUTATION,
        )
        return body_response(
            answer.body, answer.status, media_type, context.request_id, answer.headers
        )
