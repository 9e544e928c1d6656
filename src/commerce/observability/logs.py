"""JSON log lines that carry the id of the request, stream batch or job run they belong to.

The id lives in a context variable, set by the HTTP middleware (the request id echoed in
``X-Request-Id``) and by the events and jobs handlers (the invocation's request id). The
JSON handler's filter copies it into every record it writes, so a line logged deep in a
service, or by a library, is found by the same id as the request's access line.

Formatting uses AWS Lambda Powertools' formatter, imported only when JSON logs are
switched on (``COMMERCE_LOG_FORMAT=json``, set by serverless.yml): it loads botocore's
package, which the API's import must not pay before its first event.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)

_ROOT = "commerce"
_HANDLER_NAME = "commerce-json"


class CorrelationIdFilter(logging.Filter):
    """Adds ``correlation_id`` to each record logged while one is bound."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = correlation_id.get()
        if current is not None and not hasattr(record, "correlation_id"):
            record.correlation_id = current
        return True


@contextmanager
def correlated(value: str) -> Iterator[None]:
    """Bind ``value`` as the correlation id of everything logged inside the block."""
    token = correlation_id.set(value)
    try:
        yield
    finally:
        correlation_id.reset(token)


def configure_logging(service: str, json_lines: bool, level: str = "INFO") -> None:
    """Log the service's records at ``level``, as JSON lines on stdout when asked.

    With ``json_lines`` the JSON handler goes on the root logger, in place of the Lambda
    runtime's text handler, so that libraries' records (Strawberry's GraphQL errors, say)
    are JSON lines with the correlation id too. Idempotent: a warm container calls it once
    per cold path. Without ``json_lines`` only the ``commerce`` level is set.
    """
    logging.getLogger(_ROOT).setLevel(level)
    if not json_lines:
        return
    root = logging.getLogger()
    if any(h.get_name() == _HANDLER_NAME for h in root.handlers):
        return
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    for existing in list(root.handlers):
        if type(existing).__name__ == "LambdaLoggerHandler":
            root.removeHandler(existing)
    handler = logging.StreamHandler(sys.stdout)
    handler.set_name(_HANDLER_NAME)
    # On the handler, not a logger: logger filters do not apply to records of child loggers.
    handler.addFilter(CorrelationIdFilter())
    handler.setFormatter(LambdaPowertoolsFormatter(service=service, utc=True))
    root.addHandler(handler)


def reset_logging() -> None:
    """Undo ``configure_logging`` (tests)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(handler)
    logging.getLogger(_ROOT).setLevel(logging.NOTSET)
