"""Which job an EventBridge schedule asks for, and running it.

serverless.yml gives each schedule an input transformer that keeps the Scheduled Event's
own fields (``id``, ``time``, ``resources``) and adds ``job``; ``detail.job`` and a bare
``{"job": ...}`` (a manual ``aws lambda invoke``) are read too. The job's "now" is the
event's ``time``, the moment it was scheduled for, so a late or retried delivery does the
same work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from commerce.composition import Services
from commerce.jobs.abandoned_carts import NAME as ABANDONED_CART_SWEEP
from commerce.jobs.abandoned_carts import AbandonedCartSweep
from commerce.observability.metrics import JOB_FAILURES, Metrics
from commerce.orders.reconciliation import NAME as RECONCILE_PAYMENTS
from commerce.orders.reconciliation import PaymentReconciliation

log = logging.getLogger("commerce.jobs")

Job = Callable[[Services, datetime], Mapping[str, Any]]

RELEASE_EXPIRED_RESERVATIONS = "release-expired-reservations"
FIT_ATTRIBUTION_WEIGHTS = "fit-attribution-weights"


def sweep_abandoned_carts(services: Services, now: datetime) -> Mapping[str, Any]:
    settings = services.settings
    sweep = AbandonedCartSweep(
        services.cart, services.recovery, settings.abandoned_cart_window_hours
    )
    return asdict(sweep.run(now))


def release_expired_reservations(services: Services, now: datetime) -> Mapping[str, Any]:
    """Unpaid orders past their payment window give their stock back (GSI1 Query, no Scan).

    DynamoDB's TTL also removes reservations, but up to two days late; this job keeps the
    stock honest within minutes of the window's end.
    """
    return {"expired": services.orders.release_expired_reservations(now)}


def reconcile_payments(services: Services, now: datetime) -> Mapping[str, Any]:
    """Payments and refunds whose webhook never came, settled from Stripe's answer."""
    reconciliation = PaymentReconciliation(services.orders, services.settlement, services.gateway)
    return asdict(reconciliation.run(now))


TRAIN_RECOMMENDATIONS = "train-recommendations"


def train_recommendations(services: Services, now: datetime) -> Mapping[str, Any]:
    """Recount co-purchases, affinities and best sellers from the paid orders (nightly);
    the stream keeps them current between runs."""
    return asdict(services.recommendations.train(now))


def fit_attribution_weights(services: Services, now: datetime) -> Mapping[str, Any]:
    """Markov and Shapley weights fitted again from the path counts (one Query).

    Orders credited from now on use these weights, and each records when they were
    fitted; orders credited before keep the credit of the weights of their moment.
    """
    return {"fittedAt": services.attribution.fit_weights().isoformat()}


SEND_REVIEW_REQUESTS = "send-review-requests"


def send_review_requests(services: Services, now: datetime) -> Mapping[str, Any]:
    """Review requests due by now: sent once each with the customer's email consent,
    cancelled for refunded orders (hourly; a missed run is caught up within a week)."""
    return asdict(services.reviews.send_due_requests(now))


PUBLISH_CATALOG_SNAPSHOT = "publish-catalog-snapshot"


def publish_catalog_snapshot(services: Services, now: datetime) -> Mapping[str, Any]:
    """A fresh catalog snapshot for every instance, whatever the stream delivered: the
    first one of a new stage, and a safety net (docs/decisions/0012-catalog-at-scale.md)."""
    pointer = services.catalog.publish_snapshot()
    return {
        "file": pointer.file_key,
        "products": pointer.product_count,
        "bytes": pointer.size_bytes,
    }


APPROVE_COMMISSIONS = "approve-commissions"


def approve_commissions(services: Services, now: datetime) -> Mapping[str, Any]:
    """Affiliate commissions whose holding period ended by the scheduled time, approved
    net of the refunds taken inside it (one GSI1 Query of the pending ones)."""
    return {"approved": services.affiliates.approve_due(now)}


RETRY_WEBHOOK_DELIVERIES = "retry-webhook-deliveries"


def retry_webhook_deliveries(services: Services, now: datetime) -> Mapping[str, Any]:
    """Webhook deliveries whose retry is due, sent again (one Query of the due index)."""
    return asdict(services.webhooks.retry_due(now))


GRANT_BIRTHDAY_BONUSES = "grant-birthday-bonuses"


def grant_birthday_bonuses(services: Services, now: datetime) -> Mapping[str, Any]:
    """The loyalty birthday bonus for today's and yesterday's birthdays (one Query of the
    birthday index per day), once per customer and year: safe to run more than daily."""
    return asdict(services.loyalty.grant_birthday_bonuses(now))


JOBS: dict[str, Job] = {
    APPROVE_COMMISSIONS: approve_commissions,
    FIT_ATTRIBUTION_WEIGHTS: fit_attribution_weights,
    GRANT_BIRTHDAY_BONUSES: grant_birthday_bonuses,
    PUBLISH_CATALOG_SNAPSHOT: publish_catalog_snapshot,
    RECONCILE_PAYMENTS: reconcile_payments,
    ABANDONED_CART_SWEEP: sweep_abandoned_carts,
    RELEASE_EXPIRED_RESERVATIONS: release_expired_reservations,
    RETRY_WEBHOOK_DELIVERIES: retry_webhook_deliveries,
    SEND_REVIEW_REQUESTS: send_review_requests,
    TRAIN_RECOMMENDATIONS: train_recommendations,
}


class BadJobEvent(ValueError):
    """The event names no job this function has, or is not a schedule's event."""


def job_request(event: object, clock: Callable[[], datetime]) -> tuple[str, datetime]:
    """(job name, scheduled time) of ``event``; ``BadJobEvent`` when it names none."""
    if not isinstance(event, dict):
        raise BadJobEvent(f"expected a JSON object, got {type(event).__name__}")
    detail = event.get("detail")
    name = event.get("job") or (detail.get("job") if isinstance(detail, dict) else None)
    if not isinstance(name, str) or not name:
        raise BadJobEvent("the event names no job (expected a 'job' field)")
    if name not in JOBS:
        raise BadJobEvent(f"unknown job {name[:80]!r}; known: {', '.join(sorted(JOBS))}")
    raw_time = event.get("time")
    if raw_time is None:
        return name, clock()
    try:
        at = datetime.fromisoformat(str(raw_time).replace("Z", "+00:00"))
    except ValueError:
        raise BadJobEvent(f"'time' is not an ISO 8601 time: {str(raw_time)[:40]!r}") from None
    if at.tzinfo is None:
        raise BadJobEvent("'time' has no time zone")
    return name, at.astimezone(UTC)


def run_job(
    event: object,
    services: Services,
    metrics: Metrics,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> dict[str, Any]:
    """Run the job ``event`` names; a bad event is a logged error result, never raised.

    A job that fails is logged, counted and re-raised: the invocation counts as an error
    (alarmed on), and EventBridge's asynchronous retry runs it again, which the jobs
    tolerate (they are idempotent).
    """
    try:
        name, now = job_request(event, clock)
    except BadJobEvent as exc:
        log.error("bad job event", extra={"error": str(exc)})
        metrics.count(JOB_FAILURES)
        return {"ok": False, "error": str(exc)}
    log.info("job started", extra={"job": name, "scheduled_for": now.isoformat()})
    try:
        outcome = dict(JOBS[name](services, now))
    except Exception:
        log.exception("job failed", extra={"job": name})
        metrics.count(JOB_FAILURES, job=name)
        raise
    log.info("job done", extra={"job": name, **outcome})
    return {"ok": True, "job": name, "scheduledFor": now.isoformat(), **outcome}
