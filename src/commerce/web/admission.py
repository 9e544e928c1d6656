"""Whether an operation may run, decided before anything executes.

In order (``docs/decisions/0004-limits.md``): the persisted document is found (APQ,
the allow-list), the operation's breadth and calculated cost are checked, then the
caller's budget is charged; only a charged request registers its persisted query, so
junk is never stored for free. Each refusal is a ``Refused`` with its own code. An
operation the cost analysis refuses is charged what the analysis cost (one point per
selection it visited), so repeating a refused request is not free either.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, GraphQLSchema, parse
from starlette.concurrency import run_in_threadpool

from commerce.composition import Services
from commerce.graphql.context import Context
from commerce.graphql.cost import (
    MAX_ALIASES,
    MAX_NESTING,
    MAX_ROOT_FIELDS,
    OperationTooDeep,
    cached_operation_cost,
)
from commerce.graphql.documents import sized_call
from commerce.limits.model import Decision
from commerce.limits.service import MINIMUM_COST
from commerce.operations.model import sha256_of
from commerce.web.documents import parsed
from commerce.web.encoding import cost_extensions
from commerce.web.errors import Refused
from commerce.web.params import OperationParams


@dataclass(frozen=True, slots=True)
class Operation:
    """An operation that passed every check before charging: document found, cost known."""

    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    cost: int
    # A persisted query to store once the request is charged (hash, document), if any.
    register: tuple[str, str] | None


@dataclass(frozen=True, slots=True)
class Admitted:
    """A charged request: its operations, each one's share of the charge, the decision.

    ``decision`` is None when budgets are off, and then no cost figures are reported.
    """

    operations: list[Operation]
    costs: list[int]
    decision: Decision | None


class Admission:
    """The checks and the charge that stand between a request and its execution."""

    def __init__(self, services: Services, schema: GraphQLSchema) -> None:
        self._services = services
        self._settings = services.settings
        self._schema = schema

    async def admit(self, params: OperationParams, context: Context) -> Admitted:
        """Check and charge one operation."""
        try:
            operation = await self._prepare(params, context)
        except Refused as refusal:
            await self._charge_refusal(context, refusal)
            raise
        decision = await self._charge(context, operation.cost)
        await self._register([operation])
        return Admitted([operation], [operation.cost], decision)

    async def admit_batch(self, batch: list[OperationParams], context: Context) -> Admitted:
        """Check every operation of a batch, then charge their summed cost once.

        Nothing is charged unless every operation passes its checks and the batch its
        summed cost (``docs/decisions/0004-limits.md``, "Batches"): the first refusal
        refuses the whole batch, saying which operation it was.
        """
        try:
            operations: list[Operation] = []
            for index, params in enumerate(batch):
                try:
                    operation = await self._prepare(params, context)
                    _refuse_unless_parsed(operation.query)
                    operations.append(operation)
                except Refused as refusal:
                    refusal.details["batchIndex"] = index
                    await self._charge_refusal(context, refusal)
                    raise
            costs = [max(operation.cost, MINIMUM_COST) for operation in operations]
            self._check_batch_cost(sum(costs))
            decision = await self._charge(context, sum(costs))
            await self._register(operations)
        except Refused as refusal:
            refusal.copies = len(batch)
            raise
        return Admitted(operations, costs, decision)

    async def _prepare(self, params: OperationParams, context: Context) -> Operation:
        """Every check before charging: the persisted document, then breadth and cost."""
        query, register = await self._resolve_document(params, context)
        # Linear in the document, but a document of 5,000 tokens still takes milliseconds.
        cost = await sized_call(len(query), self._check_cost, query, params)
        return Operation(query, params.variables, params.operation_name, cost, register)

    async def _charge(self, context: Context, cost: int) -> Decision | None:
        """Take ``cost`` from the caller's budget; None when budgets are off.

        A refusal carries the caller's figures, as every charged answer does.
        """
        if not self._settings.rate_limits:
            return None
        limits, principal, address = (
            self._services.limits,
            context.principal,
            context.client_address,
        )
        # A live lease pays most requests with no I/O: admitted here, on the loop; only a
        # renewal (a DynamoDB UpdateItem) is worth a worker thread.
        decision = limits.charge_locally(principal, address, cost)
        if decision is None:
            decision = await run_in_threadpool(limits.charge, principal, address, cost)
        if not decision.allowed:
            raise _throttled(decision)
        return decision

    async def _charge_refusal(self, context: Context, refusal: Refused) -> None:
        """Charge a refusal what its analysis cost; over budget, answer ``THROTTLED`` instead."""
        if refusal.charge <= 0:
            return
        decision = await self._charge(context, refusal.charge)
        if decision is not None:
            refusal.extensions = cost_extensions(decision)

    async def _register(self, operations: Iterable[Operation]) -> None:
        """Store the persisted queries of a charged request, so junk is never stored free."""
        for operation in operations:
            register = operation.register
            if register is not None and parsed(register[1]) is not None:
                await run_in_threadpool(self._services.operations.register_persisted, *register)

    async def _resolve_document(
        self, params: OperationParams, context: Context
    ) -> tuple[str, tuple[str, str] | None]:
        """The document to run, and what to register once the request passes.

        Apollo's automatic persisted queries: a hash alone runs the document registered
        under it, or answers ``PERSISTED_QUERY_NOT_FOUND`` so the client sends both; a
        hash with its document is checked and registered. In allow-list mode only
        documents registered from a client build run (staff keys excepted).
        """
        sha256 = params.persisted_hash
        query = params.query
        allow_list = self._settings.persisted_queries_only and not context.principal.is_admin
        if sha256 is None:
            assert query is not None  # reading the params ensured it
            if not allow_list:
                return query, None
            sha256 = sha256_of(query)
        elif query is not None and sha256_of(query) != sha256:
            raise Refused(
                "PERSISTED_QUERY_HASH_MISMATCH",
                "The query does not hash to extensions.persistedQuery.sha256Hash",
            )
        registered = await run_in_threadpool(self._services.operations.find, sha256)
        if allow_list and (registered is None or not registered.allowed):
            raise Refused(
                "OPERATION_NOT_ALLOWED",
                "Only operations registered from a client build run here; "
                "register this one with `commerce operations register`",
            )
        if registered is not None:
            return registered.document, None
        if query is None:
            # Apollo clients look for this message (and code) to resend with the query.
            raise Refused("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
        return query, (sha256, query)

    def _check_cost(self, query: str, params: OperationParams) -> int:
        """The operation's calculated cost, refusing it when too broad or too dear."""
        document = parsed(query)
        if document is None:
            return 0  # execution reports the syntax error; nothing runs
        try:
            figures = cached_operation_cost(
                self._schema, query, document, params.operation_name, params.variables
            )
        except OperationTooDeep as too_deep:
            raise Refused(
                "MAX_DEPTH_EXCEEDED",
                f"Fields and fragments may nest at most {MAX_NESTING} levels deep",
                details={"maximumNesting": MAX_NESTING},
                charge=self._analysis_points(too_deep.work),
            ) from None
        charge = self._analysis_points(figures.work)
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
                charge=charge,
            )
        maximum = self._settings.max_query_cost
        if figures.cost > maximum:
            raise Refused(
                "MAX_COST_EXCEEDED",
                f"Query cost is {figures.cost}, which exceeds the maximum of {maximum}: "
                "ask for smaller pages (first/last) or fewer nested connections",
                details={"cost": figures.cost, "maximumCost": maximum},
                charge=charge,
            )
        return figures.cost

    def _analysis_points(self, work: int) -> int:
        """What analysing an operation cost: a point per selection visited, within one request."""
        return min(max(work, MINIMUM_COST), self._settings.max_query_cost)

    def _check_batch_cost(self, total: int) -> None:
        """Refuse a batch dearer than one request may be: batching must not widen the limit."""
        maximum = self._settings.max_query_cost
        if total > maximum:
            raise Refused(
                "MAX_COST_EXCEEDED",
                f"The batch's operations cost {total} together, which exceeds the maximum of "
                f"{maximum} per request: send fewer operations, or ask for smaller pages",
                details={"cost": total, "maximumCost": maximum},
            )


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


def _throttled(decision: Decision) -> Refused:
    """The refusal of a charge over budget, with when to retry."""
    available = decision.throttle.currently_available
    retry_after = round(decision.retry_after, 3)
    return Refused(
        "THROTTLED",
        f"Throttled: this request costs {decision.cost} points and {available} are "
        f"available; retry in {retry_after} s",
        status=429,
        details={"retryAfterSeconds": retry_after},
        # Retry-After is whole seconds; rounded up so a retry then is never early.
        headers={"Retry-After": str(max(1, math.ceil(decision.retry_after)))},
        extensions=cost_extensions(decision),
    )
