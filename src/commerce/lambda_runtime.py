"""What each Lambda function does once per container: settings, logging, services.

Shared by the three entry points (``commerce.lambda_handler``, ``commerce.events.handler``,
``commerce.jobs.handler``) so they read secrets, configure logs and build services the
same way. Secrets missing from the environment come from SSM (``commerce.secrets``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from commerce.composition import Services, build_services
from commerce.observability.logs import configure_logging
from commerce.observability.metrics import Metrics
from commerce.settings import Settings


@dataclass(frozen=True, slots=True)
class Runtime:
    """A function's long-lived state: reused by every invocation of a warm container."""

    services: Services
    metrics: Metrics


def start(function: str, settings: Settings | None = None) -> Runtime:
    """Read settings (unless given), configure logging and build the services."""
    settings = settings or Settings.from_env_and_parameters()
    configure_logging(function, json_lines=settings.json_logs)
    return Runtime(build_services(settings), Metrics(settings.metrics_namespace, function))


def invocation_id(context: Any) -> str:
    """The Lambda request id of this invocation (a fresh id when called outside Lambda)."""
    value = getattr(context, "aws_request_id", None)
    return value if isinstance(value, str) and value else uuid.uuid4().hex
