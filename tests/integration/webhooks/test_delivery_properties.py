"""Delivery invariants over random answers, stream redeliveries and republished events,
on DynamoDB Local.

The receiver here is a scripted ``Sender`` (the e2e tests use a real HTTP one): each
message gets its own list of answers. Whatever the order of stream records, retry runs
and republishing, an event reaches each endpoint as one delivery, every POST is logged
as one attempt, nothing is sent once a delivery is settled or its endpoint disabled, and
the endpoint's failure count is the run of failures since its last success.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commerce.composition import build_services
from commerce.db.table import create_table_if_missing
from commerce.payments.local import LocalStripe
from commerce.webhooks import store
from commerce.webhooks.commands import CreateEndpoint
from commerce.webhooks.model import Caller, DeliveryStatus, EventType
from commerce.webhooks.sender import Answer, resolve_host
from commerce.webhooks.service import WebhooksService
from commerce.webhooks.signing import SecretBox
from table_settings import fresh_settings

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DISABLE_AFTER = 4
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclasses.dataclass
class ScriptedReceiver:
    """Answers each message (by webhook-id) from its own script; 200 once it runs out."""

    scripts: dict[str, list[int | None]] = dataclasses.field(default_factory=dict)
    sent: dict[str, int] = dataclasses.field(default_factory=lambda: defaultdict(int))

    def post(self, url: str, headers: Mapping[str, str], body: bytes) -> Answer:
        message = headers["webhook-id"]
        self.sent[message] += 1
        script = self.scripts.get(message, [])
        status = script.pop(0) if script else 200
        return Answer(status, 1, None if status is not None else "timed out")


@pytest.fixture(scope="module")
def webhooks(
    dynamodb_endpoint: str, stripe_server: LocalStripe
) -> tuple[WebhooksService, ScriptedReceiver]:
    build_services(fresh_settings(dynamodb_endpoint, stripe_server.endpoint, "whsec_props"))
    create_table_if_missing()
    receiver = ScriptedReceiver()
    service = WebhooksService(
        partner_email=lambda partner_id: "partner@example.com",
        box=SecretBox("a key for the property tests, 32 bytes+"),
        sender=lambda: receiver,
        deployed=False,
        resolve=resolve_host,
        disable_after_failures=DISABLE_AFTER,
        send_timeout_seconds=1.0,
        clock=lambda: START,
    )
    return service, receiver


Step = tuple[str, int]
STEPS = st.lists(
    st.tuples(st.sampled_from(["stream", "job", "publish"]), st.integers(1, 30)),
    min_size=1,
    max_size=14,
)
ANSWERS = st.lists(st.sampled_from([200, 204, 500, 503, 410, None]), max_size=14)


@PROPERTY
@given(steps=STEPS, answers=ANSWERS)
def test_an_event_is_one_delivery_each_post_one_attempt_and_nothing_after_it_settles(
    webhooks: tuple[WebhooksService, ScriptedReceiver], steps: list[Step], answers: list[int | None]
) -> None:
    # given a partner's endpoint and one event for it, whose receiver answers ``answers``
    service, receiver = webhooks
    partner = Caller(staff=False, partner_id=f"p{uuid.uuid4().hex[:10]}")
    endpoint = service.create_endpoint(
        CreateEndpoint("http://127.0.0.1:9/hook", frozenset({EventType.ORDER_PAID})), partner
    ).endpoint
    event_id = f"order.paid:{uuid.uuid4().hex}"
    service.publish("order.paid", event_id, {"n": 1}, partner.partner_id)
    ((delivery, _),), _ = store.endpoint_deliveries(endpoint.id, 10, None)
    receiver.scripts[delivery.message_id] = list(answers)
    now = START

    # when stream records, retry runs and republishing come in any order
    settled_after: int | None = None
    for kind, hours in steps:
        if kind == "stream":
            service.deliver(delivery.id)
        elif kind == "job":
            now += timedelta(hours=hours)
            service.retry_due(now)
        else:
            service.publish("order.paid", event_id, {"n": 2}, partner.partner_id)

        # then after every step
        rows, _ = store.endpoint_deliveries(endpoint.id, 10, None)
        assert len(rows) == 1
        current = rows[0][0]
        sent = receiver.sent[delivery.message_id]
        assert len(current.attempts) == sent
        assert sent <= 12
        stored = store.get_endpoint(endpoint.id)
        assert stored is not None
        if settled_after is not None:
            assert sent == settled_after
        if current.status is not DeliveryStatus.PENDING:
            settled_after = sent
            assert current.next_attempt_at is None
        if current.status is DeliveryStatus.SUCCEEDED:
            assert current.attempts[-1].succeeded
            assert stored.consecutive_failures == 0
        if current.attempts and not current.attempts[-1].succeeded:
            trailing = 0
            for attempt in reversed(current.attempts):
                if attempt.succeeded:
                    break
                trailing += 1
            assert stored.consecutive_failures == trailing
            assert stored.enabled is (current.status is DeliveryStatus.PENDING)
        if current.status is DeliveryStatus.PENDING and current.attempts:
            assert current.next_attempt_at is not None
            assert current.next_attempt_at <= current.created_at + timedelta(days=3)
