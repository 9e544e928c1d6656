"""The jobs function, called with the events EventBridge schedules deliver."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from commerce.cart import store as carts
from commerce.cart.commands import CreateCart
from commerce.cart.model import BuyerIdentity, LineRequest
from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.composition import Services
from commerce.jobs import handler as jobs
from commerce.money import Currency, Money
from commerce.notifications import store as outbox
from commerce.notifications.model import TemplateName
from commerce.observability.logs import reset_logging
from commerce.orders.model import OrderStatus
from commerce.recovery.service import reminder_id
from commerce.settings import Settings
from placed_orders import place_ebook_order

CONTEXT = SimpleNamespace(aws_request_id="0b7e2c4a-5d1f-4f1e-8e0a-3c2b1a0f9e8d")
RULE_ARN = "arn:aws:events:us-east-1:123456789012:rule/commerce-dev-abandoned-cart-sweep"


def scheduled_event(at: datetime, job: str | None = "abandoned-cart-sweep") -> dict[str, Any]:
    """A Scheduled Event as EventBridge sends it, with the job serverless.yml adds."""
    event: dict[str, Any] = {
        "version": "0",
        "id": "89d1a02d-5ec7-412e-82f5-13505f849b41",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": [RULE_ARN],
        "detail": {},
    }
    if job is not None:
        event["job"] = job
    return event


@pytest.fixture
def deployed(
    services: Services, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The jobs function's environment, over this test's table; a cold start."""
    monkeypatch.setenv("COMMERCE_TABLE_NAME", settings.table_name)
    monkeypatch.setenv("COMMERCE_DYNAMODB_ENDPOINT", str(settings.dynamodb_endpoint))
    monkeypatch.setenv("COMMERCE_STAGE", "dev")
    monkeypatch.setenv("COMMERCE_LOG_FORMAT", "json")
    monkeypatch.setenv("COMMERCE_STOREFRONT_URL", "https://shop.example")
    monkeypatch.setenv("COMMERCE_RECOVERY_SIGNING_KEY", "an opt-out key of the dev stage")
    monkeypatch.setenv("COMMERCE_STRIPE_SECRET_KEY", settings.stripe_secret_key.value)
    monkeypatch.setenv("COMMERCE_STRIPE_API_BASE", str(settings.stripe_api_base))
    jobs._runtime = None
    yield
    jobs._runtime = None
    reset_logging()


def cart_of(services: Services, email: str | None, consent: bool = True) -> Any:
    product = services.catalog.create_product(
        ProductDraft(
            title=f"Book for {email}",
            published=True,
            variants=(
                VariantDraft(
                    sku=f"AB-{email}", prices=(Money(900, Currency.USD),), initial_stock=9
                ),
            ),
        )
    )
    return services.cart.create(
        CreateCart(
            lines=[LineRequest(product.id, product.variants[0].id, 2)],
            buyer_identity=BuyerIdentity(email=email, accepts_email_marketing=consent),
        )
    ).cart


@pytest.mark.usefixtures("deployed")
def test_a_cart_idle_for_three_days_gets_one_reminder(services: Services) -> None:
    # given a cart with a consenting buyer, idle for 74 hours at the scheduled time
    cart = cart_of(services, "ada@example.com")
    later = cart.updated_at + timedelta(hours=74)
    # when the schedule fires
    result = jobs.handler(scheduled_event(later), CONTEXT)
    # then
    assert result["ok"] is True
    assert result["reminders"] == 1
    item = outbox.get(reminder_id(cart))
    assert item is not None
    assert item.template == TemplateName.ABANDONED_CART.value
    assert item.recipient == "ada@example.com"
    data = item.data.as_dict()
    assert data["item_count"] == "2"
    assert data["cart_url"] == f"https://shop.example/cart/{cart.id}"
    assert data["opt_out_url"].startswith("https://shop.example/recovery/opt-out?token=o1.")


@pytest.mark.usefixtures("deployed")
def test_a_repeated_or_overlapping_run_reminds_nobody_twice(services: Services) -> None:
    # given a sweep that already ran
    cart = cart_of(services, "ada@example.com")
    later = cart.updated_at + timedelta(hours=74)
    jobs.handler(scheduled_event(later), CONTEXT)
    # when the same schedule is delivered again, and a run an hour later sweeps on
    again = jobs.handler(scheduled_event(later), CONTEXT)
    next_hour = jobs.handler(scheduled_event(later + timedelta(hours=1)), CONTEXT)
    # then
    assert (again["reminders"], again["hours_swept"]) == (0, 0)
    assert (next_hour["reminders"], next_hour["hours_swept"]) == (0, 1)


@pytest.mark.usefixtures("deployed")
def test_a_cart_changed_after_its_reminder_is_not_reminded_again(
    services: Services,
) -> None:
    # given a reminded cart that the shopper changed on the day the reminder went out
    cart = cart_of(services, "ada@example.com")
    reminded_at = cart.updated_at + timedelta(hours=74)
    jobs.handler(scheduled_event(reminded_at), CONTEXT)
    record = carts.get_cart_record(cart.id)
    assert record is not None
    changed = replace(
        record.cart,
        buyer_identity=BuyerIdentity(email="ada@example.org", accepts_email_marketing=True),
        updated_at=reminded_at + timedelta(minutes=5),
        expires_at=reminded_at + timedelta(days=14),
    )
    carts.replace_cart(record, changed)
    # when the sweep reaches the hour of that change
    result = jobs.handler(scheduled_event(changed.updated_at + timedelta(hours=74)), CONTEXT)
    # then no second message: a cart is written to at most once
    assert result["reminders"] == 0
    assert outbox.get(reminder_id(changed)) is None


@pytest.mark.usefixtures("deployed")
@pytest.mark.parametrize(
    ("email", "consent", "idle_hours"),
    [
        pytest.param("ada@example.com", True, 70, id="not-idle-long-enough"),
        pytest.param("ada@example.com", False, 74, id="no-marketing-consent"),
        pytest.param(None, False, 74, id="no-email"),
    ],
)
def test_carts_that_may_not_be_reminded_are_not(
    services: Services, email: str | None, consent: bool, idle_hours: int
) -> None:
    # given
    cart = cart_of(services, email, consent)
    # when
    result = jobs.handler(scheduled_event(cart.updated_at + timedelta(hours=idle_hours)), CONTEXT)
    # then
    assert result["ok"] is True
    assert result["reminders"] == 0
    assert outbox.get(reminder_id(cart)) is None


@pytest.mark.usefixtures("deployed")
@pytest.mark.parametrize(
    ("event", "error"),
    [
        pytest.param(
            {**scheduled_event(datetime(2026, 11, 23)), "job": "drop-tables"},
            "unknown job 'drop-tables'",
            id="unknown-job",
        ),
        pytest.param(
            scheduled_event(datetime(2026, 11, 23), job=None), "names no job", id="no-job"
        ),
        pytest.param(
            {"job": "abandoned-cart-sweep", "time": "yesterday"}, "not an ISO 8601", id="bad-time"
        ),
        pytest.param(["abandoned-cart-sweep"], "expected a JSON object", id="not-an-object"),
    ],
)
def test_a_bad_event_is_a_logged_error_result_not_an_exception(
    event: Any, error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    result = jobs.handler(event, CONTEXT)
    # then
    assert result["ok"] is False
    assert error in result["error"]
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    logged = [x for x in lines if x.get("message") == "bad job event"]
    assert len(logged) == 1
    assert logged[0]["level"] == "ERROR"
    assert logged[0]["correlation_id"] == CONTEXT.aws_request_id
    assert [x["JobFailures"] for x in lines if "JobFailures" in x] == [[1.0]]


@pytest.mark.usefixtures("deployed")
def test_a_manual_invoke_with_only_a_job_name_runs_it_now() -> None:
    # when (aws lambda invoke --payload '{"job": "abandoned-cart-sweep"}')
    result = jobs.handler({"job": "abandoned-cart-sweep"}, CONTEXT)
    # then
    assert result["ok"] is True
    assert result["job"] == "abandoned-cart-sweep"


@pytest.mark.usefixtures("deployed")
def test_the_reservation_job_expires_orders_unpaid_past_their_window(services: Services) -> None:
    # given an unpaid order
    order = place_ebook_order(services)
    window_end = order.reserved_until
    # when the schedule fires before, then after the end of its payment window
    before = jobs.handler(
        scheduled_event(window_end - timedelta(minutes=1), "release-expired-reservations"), CONTEXT
    )
    after = jobs.handler(
        scheduled_event(window_end + timedelta(minutes=1), "release-expired-reservations"), CONTEXT
    )
    # then only the second run expires it
    assert (before["ok"], before["expired"]) == (True, 0)
    assert (after["ok"], after["expired"]) == (True, 1)
    expired = services.orders.order(order.id)
    assert expired is not None
    assert expired.status is OrderStatus.EXPIRED
