"""Running an admitted operation, or answering it from the response cache.

The response cache (``docs/decisions/0003-response-cache.md``) keeps bodies without
per-request extensions; each answer gets its own cost figures spliced in, so a hit
costs no execution and no re-encoding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from commerce.graphql.context import Context
from commerce.graphql.documents import sized_call, syntax_error
from commerce.settings import Settings
from commerce.web.admission import Operation
from commerce.web.encoding import cache_control, with_extensions
from commerce.web.errors import UNRUNNABLE, result_answer, unrunnable
from commerce.web.response_cache import ResponseCache

QUERY_ONLY = frozenset({OperationType.QUERY})
QUERY_OR_MUTATION = frozenset({OperationType.QUERY, OperationType.MUTATION})


@dataclass(frozen=True, slots=True)
class Answer:
    """One operation's answer: its status, its body with extensions, its headers."""

    status: int
    body: bytes
    headers: dict[str, str]


class Executor:
    """Executes operations on the schema, through the response cache where one may serve."""

    def __init__(
        self, schema: strawberry.Schema, settings: Settings, cache: ResponseCache | None
    ) -> None:
        self._schema = schema
        self._max_age = settings.public_max_age_seconds
        self._cache = cache

    def cache_control(self, *, public: bool) -> dict[str, str]:
        """The caching headers of an answer, public only for anonymous catalog reads."""
        return cache_control(public=public, max_age=self._max_age)

    async def run(
        self,
        operation: Operation,
        context: Context,
        media_type: str,
        request_id: str,
        cost: Mapping[str, Any] | None,
        *,
        public: bool,
        allowed: frozenset[OperationType],
    ) -> Answer:
        """Execute a charged operation, or answer it from the response cache.

        Raises ``RequestProblem`` when Strawberry cannot pick an operation to run.
        """
        cached = None
        if self._cache is not None and not context.principal.is_admin:
            cached = self._cache.key(
                operation.query, operation.variables, operation.operation_name, media_type
            )
            if cached is not None:
                body = self._cache.get(*cached)
                if body is not None:
                    headers = {"X-Cache": "HIT", **self.cache_control(public=public)}
                    return Answer(200, with_extensions(body, cost), headers)
        unparsed = await sized_call(len(operation.query), syntax_error, operation.query)
        if unparsed is not None:
            # Answered from the parse admission already made, not parsed again.
            status, body = result_answer(
                ExecutionResult(data=None, errors=[unparsed]), media_type, request_id
            )
            return Answer(status, with_extensions(body, cost), self.cache_control(public=False))
        try:
            result = await self._schema.execute(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                operation_name=operation.operation_name,
                allowed_operation_types=allowed,
            )
        except UNRUNNABLE as error:
            raise unrunnable(error, media_type) from None
        status, body = result_answer(result, media_type, request_id)
        extensions = {**result.extensions, **(cost or {})} if result.extensions else cost
        succeeded = status == 200 and not result.errors
        headers = self.cache_control(public=public and succeeded)
        if cached is not None and self._cache is not None:
            headers["X-Cache"] = "MISS"
            if succeeded and not result.extensions:
                # Stored without per-request extensions (cost, budget): spliced in per answer.
                self._cache.put(cached[0], cached[1], body)
        return Answer(status, with_extensions(body, extensions), headers)
