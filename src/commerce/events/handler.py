"""Lambda entry point of the events function: ``commerce.events.handler.handler``.

Triggered by the table's stream with ``functionResponseType: ReportBatchItemFailures``.
Records are consumed in order; the first one that fails is reported in
``batchItemFailures`` and the rest of the batch is left alone, because Lambda resumes from
the lowest reported sequence number anyway (processing later records now would only do
them twice). Together with ``bisectBatchOnFunctionError`` and ``maximumRetryAttempts`` a
poison record ends in the dead-letter queue instead of blocking its shard. Nothing a
record contains makes the handler raise.
"""

from __future__ import annotations

import logging
from typing import Any

from commerce.events.consumers import Consumers
from commerce.events.stream import parse, sequence_number_of
from commerce.lambda_runtime import Runtime, invocation_id, start
from commerce.observability.logs import correlated
from commerce.observability.metrics import RECORD_FAILURES, Metrics

log = logging.getLogger("commerce.events")

_runtime: tuple[Runtime, Consumers] | None = None


def handler(event: Any, context: Any) -> dict[str, list[dict[str, str]]]:
    """Consume one batch of stream records; report the first failure."""
    global _runtime
    if _runtime is None:
        runtime = start("events")
        _runtime = (runtime, Consumers(runtime.services, runtime.metrics))
    runtime, consumers = _runtime
    with correlated(invocation_id(context)):
        return consume_batch(event, consumers, runtime.metrics)


def consume_batch(
    event: Any, consumers: Consumers, metrics: Metrics
) -> dict[str, list[dict[str, str]]]:
    """The batch's outcome in the shape Lambda expects for partial batch responses."""
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        shape = sorted(map(str, event))[:20] if isinstance(event, dict) else type(event).__name__
        log.error("not a DynamoDB stream batch", extra={"event_keys": shape})
        return {"batchItemFailures": []}
    consumed = 0
    for raw in records:
        number = sequence_number_of(raw)
        try:
            record = parse(raw)
            if consumers.handle(record):
                consumed += 1
        except Exception:
            # Only identifiers in the log line: images hold customers' data.
            log.exception(
                "stream record failed",
                extra={
                    "sequence_number": number,
                    "event_name": raw.get("eventName") if isinstance(raw, dict) else None,
                },
            )
            metrics.count(RECORD_FAILURES)
            if number is None:
                # Unreportable (Lambda would fail the whole batch on a bad identifier),
                # and unprocessable: skip it.
                continue
            return {"batchItemFailures": [{"itemIdentifier": number}]}
    log.info("stream batch consumed", extra={"records": len(records), "consumed": consumed})
    return {"batchItemFailures": []}
