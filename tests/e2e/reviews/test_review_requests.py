"""Review requests: due N days after fulfilment (digital lines: after their first download),
sent once by the jobs function, only with email consent, cancelled by a refund.

The job runs as EventBridge invokes it, with the schedule's time as "now": the clock the
tests move forward. Orders reach the events function as stream records.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from review_shop import ASH_BORN, CINDERS, HEARTH, RELAY, Placed, Shop, open_shop

from commerce.jobs.runner import run_job
from commerce.notifications import store as outbox
from commerce.notifications.model import TemplateName
from commerce.observability.metrics import Metrics
from commerce.payments.local import LocalStripe

DAYS = 7  # the default COMMERCE_REVIEW_REQUEST_DAYS


@pytest.fixture(scope="module")
def shop(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Iterator[Shop]:
    yield from open_shop(dynamodb_endpoint, stripe_server.endpoint)


def run_requests(shop: Shop, at: datetime) -> dict[str, Any]:
    """The hourly schedule's run at ``at``."""
    event = {"job": "send-review-requests", "time": at.isoformat().replace("+00:00", "Z")}
    return run_job(event, shop.services, Metrics(namespace="Commerce", service="jobs"))


def request_id(shop: Shop, placed: Placed, handle: str) -> str:
    """The outbox id of the request for the line of ``handle`` (one per line, ever)."""
    product_id = shop.product_id(handle)
    line = next(li for li in placed.order.lines if li.product_id == product_id)
    return f"review-request-{placed.order.id}-{line.id}"


def test_a_request_goes_out_once_some_days_after_fulfilment(shop: Shop) -> None:
    # given Ada, who agreed to email, bought a hardcover that was fulfilled now
    ada = shop.sign_up("Ada", email_consent=True)
    placed = shop.paid_order(ada, (ASH_BORN, "Hardcover"))
    fulfilled = shop.fulfil(placed)
    assert fulfilled.fulfilled_at is not None
    notification = request_id(shop, placed, ASH_BORN)

    # when the job runs a day before it is due
    early = run_requests(shop, fulfilled.fulfilled_at + timedelta(days=DAYS - 1))

    # then nothing is sent yet
    assert early["ok"] is True
    assert outbox.get(notification) is None

    # when it runs once due, and again an hour later
    due = run_requests(shop, fulfilled.fulfilled_at + timedelta(days=DAYS, minutes=1))
    again = run_requests(shop, fulfilled.fulfilled_at + timedelta(days=DAYS, hours=1))

    # then one email asks Ada for her review, with a link for this purchase
    assert due["sent"] >= 1
    sent = outbox.get(notification)
    assert sent is not None
    assert sent.template == TemplateName.REVIEW_REQUEST.value
    assert sent.recipient == ada.email
    assert placed.order.id in sent.data["review_url"]
    assert again["sent"] == 0


def test_a_repeated_fulfilment_event_schedules_one_request(shop: Shop) -> None:
    # given a fulfilled order whose stream record is delivered twice
    bo = shop.sign_up("Bo", email_consent=True)
    placed = shop.paid_order(bo, (CINDERS, "Hardcover"))
    fulfilled = shop.fulfil(placed)
    assert fulfilled.fulfilled_at is not None
    shop.services.reviews.order_changed(fulfilled)

    # when it is due
    run_requests(shop, fulfilled.fulfilled_at + timedelta(days=DAYS, minutes=1))

    # then there is one request for the line, sent
    requests = shop.services.reviews.requests_of_order(placed.order.id)
    assert [r.state.value for r in requests] == ["SENT"]


def test_no_request_without_email_consent(shop: Shop) -> None:
    # given Cy, who did not agree to email, had a hardcover fulfilled
    cy = shop.sign_up("Cy", email_consent=False)
    placed = shop.paid_order(cy, (HEARTH, "Hardcover"))
    fulfilled = shop.fulfil(placed)
    assert fulfilled.fulfilled_at is not None

    # when it is due
    run_requests(shop, fulfilled.fulfilled_at + timedelta(days=DAYS, minutes=1))

    # then nothing is sent, and the request is closed
    assert outbox.get(request_id(shop, placed, HEARTH)) is None
    requests = shop.services.reviews.requests_of_order(placed.order.id)
    assert [r.state.value for r in requests] == ["NO_CONSENT"]


def test_a_refund_before_the_request_is_due_cancels_it(shop: Shop) -> None:
    # given Di's fulfilled hardcover, refunded in part the next day
    di = shop.sign_up("Di", email_consent=True)
    placed = shop.paid_order(di, (RELAY, "Hardcover"))
    fulfilled = shop.fulfil(placed)
    assert fulfilled.fulfilled_at is not None
    shop.refund(placed, 500)

    # when the request would have been due
    run_requests(shop, fulfilled.fulfilled_at + timedelta(days=DAYS, minutes=1))

    # then no request goes out
    assert outbox.get(request_id(shop, placed, RELAY)) is None
    requests = shop.services.reviews.requests_of_order(placed.order.id)
    assert [r.state.value for r in requests] == ["CANCELLED"]


def test_a_digital_line_waits_for_its_first_download(shop: Shop) -> None:
    # given Ed's paid e-book, not downloaded yet
    ed = shop.sign_up("Ed", email_consent=True)
    placed = shop.paid_order(ed, (CINDERS, "E-book"))
    assert shop.services.reviews.requests_of_order(placed.order.id) == []
    (grant,) = shop.services.downloads.links(placed.order.id)
    file = shop.services.settings.data_dir / "files" / grant.asset_key
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(b"%PDF-1.7 a crown of cinders")

    # when he downloads it twice
    assert shop.client.get(f"/downloads/{grant.token}").status_code == 200
    downloaded_at = datetime.now(UTC)
    assert shop.client.get(f"/downloads/{grant.token}").status_code == 200

    # then one request waits from the first download
    (request,) = shop.services.reviews.requests_of_order(placed.order.id)
    assert request.state.value == "PENDING"
    assert abs(request.due_at - (downloaded_at + timedelta(days=DAYS))) < timedelta(minutes=1)

    # and it goes out once due
    run_requests(shop, request.due_at + timedelta(minutes=1))
    assert outbox.get(request_id(shop, placed, CINDERS)) is not None
