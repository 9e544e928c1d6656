"""Business and error metrics as CloudWatch Embedded Metric Format lines on stdout.

Lambda ships stdout to CloudWatch Logs, which turns EMF lines into metrics: no API call,
no extra latency, no ``cloudwatch:PutMetricData`` permission. Each metric is written as
its own line (Powertools' ``single_metric``) so that revenue can carry a currency
dimension while the order count carries none.
"""

from __future__ import annotations

from dataclasses import dataclass

ORDERS_PAID = "OrdersPaid"
REVENUE = "RevenueMinorUnits"
RECORD_FAILURES = "StreamRecordFailures"
JOB_FAILURES = "JobFailures"
NOTIFICATIONS_SENT = "NotificationsSent"


@dataclass(frozen=True, slots=True)
class Metrics:
    """Writes metrics under one namespace, tagged with the service (function) name."""

    namespace: str
    service: str

    def count(self, name: str, value: float = 1, **dimensions: str) -> None:
        from aws_lambda_powertools.metrics import MetricUnit, single_metric

        with single_metric(
            name=name,
            unit=MetricUnit.Count,
            value=value,
            namespace=self.namespace,
            default_dimensions={"service": self.service, **dimensions},
        ):
            pass

    def order_paid(self, currency: str, amount_minor_units: int) -> None:
        """One paid order, and its total in the currency's minor units."""
        self.count(ORDERS_PAID)
        self.count(REVENUE, amount_minor_units, currency=currency)
