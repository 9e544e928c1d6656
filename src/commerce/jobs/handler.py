"""Lambda entry point of the jobs function: ``commerce.jobs.handler.handler``."""

from __future__ import annotations

from typing import Any

from commerce.jobs.runner import run_job
from commerce.lambda_runtime import Runtime, invocation_id, start
from commerce.observability.logs import correlated

_runtime: Runtime | None = None


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Run the job a schedule (or a manual invoke) names."""
    global _runtime
    if _runtime is None:
        _runtime = start("jobs")
    with correlated(invocation_id(context)):
        return run_job(event, _runtime.services, _runtime.metrics)
