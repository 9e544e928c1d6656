"""A batch: a JSON array of operations, as Apollo's ``BatchHttpLink`` sends, is one request.

Its operations are admitted and charged together (``Admission.admit_batch``), then
run one after another in array order, never concurrently, so a query after
``cartCreate`` sees the cart. Each is answered as it would be alone and placed at its
index; the batch answers 200 once it ran, whatever each operation's outcome, because a
4xx would make batch clients drop the results that succeeded.
"""

from __future__ import annotations

import dataclasses

from starlette.responses import Response

from commerce.graphql.context import Context
from commerce.web.admission import Admission, Operation
from commerce.web.encoding import body_response, cost_extensions
from commerce.web.errors import RequestProblem, problem_in_batch
from commerce.web.execution import QUERY_OR_MUTATION, Executor
from commerce.web.params import OperationParams


async def answer_batch(
    admission: Admission,
    executor: Executor,
    batch: list[OperationParams],
    context: Context,
    media_type: str,
) -> Response:
    """Admit, run and answer a batch; a refusal (``Refused``) refuses it whole, unrun."""
    admitted = await admission.admit_batch(batch, context)
    decision = admitted.decision
    answers: list[bytes] = []
    for operation, cost in zip(admitted.operations, admitted.costs, strict=True):
        # Each element reports its own share beside the batch's one charge.
        extensions = None if decision is None else cost_extensions(decision, cost)
        answers.append(await _run_one(executor, operation, context, media_type, extensions))
    body = b"[" + b",".join(answers) + b"]"
    headers = executor.cache_control(public=False)
    return body_response(body, 200, media_type, context.request_id, headers)


async def _run_one(
    executor: Executor,
    operation: Operation,
    context: Context,
    media_type: str,
    cost: dict[str, object] | None,
) -> bytes:
    """One operation of a batch, answered as it would be alone; its status is dropped."""
    # Fresh dataloaders per operation: a query after a mutation must see its writes.
    own_context = dataclasses.replace(context, _loaders={})
    try:
        answer = await executor.run(
            operation,
            own_context,
            media_type,
            context.request_id,
            cost,
            public=False,
            allowed=QUERY_OR_MUTATION,
        )
    except RequestProblem as problem:
        return problem_in_batch(problem, cost)
    return answer.body
