"""The pure rules of journeys: channel table, dwell, tokens, item size, payment methods."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from commerce.journeys.channels import marketing_channel
from commerce.journeys.dwell import dwell
from commerce.journeys.model import (
    MAX_CLICK_ID,
    MAX_HOST,
    MAX_ID,
    MAX_PATH,
    MAX_QUERY,
    MAX_UTM,
    ClickIdKind,
    Event,
    EventKind,
    TouchContext,
    ViewPhase,
)
from commerce.journeys.store.events import attributes_of, item_of
from commerce.journeys.tokens import read_visitor, sign_visitor
from commerce.payments.events import payment_method_of
from commerce.principals import Channel

KEY = b"k" * 32
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
OWN = frozenset({"shop.example"})


@pytest.mark.parametrize(
    ("touch", "sales", "expected"),
    [
        (
            TouchContext(affiliate_id="p1", click_id_kind=ClickIdKind.GCLID, click_id="x"),
            Channel.WEB,
            "affiliate",
        ),
        (TouchContext(utm_medium="Cashback", utm_source="topcashback"), Channel.WEB, "affiliate"),
        (TouchContext(click_id_kind=ClickIdKind.GCLID, click_id="x"), Channel.WEB, "paid_search"),
        (TouchContext(utm_medium="cpc", utm_source="bing"), Channel.WEB, "paid_search"),
        (TouchContext(utm_medium="cpc", utm_source="facebook"), Channel.WEB, "paid_social"),
        (
            TouchContext(click_id_kind=ClickIdKind.TTCLID, click_id="x"),
            Channel.MOBILE,
            "paid_social",
        ),
        (TouchContext(utm_medium="email", utm_source="newsletter"), Channel.WEB, "email"),
        (TouchContext(utm_medium="display"), Channel.WEB, "display"),
        (TouchContext(referrer_host="l.instagram.com"), Channel.WEB, "social"),
        (TouchContext(referrer_host="www.google.co.uk"), Channel.WEB, "organic_search"),
        (TouchContext(referrer_host="blog.example.org"), Channel.WEB, "referral"),
        (TouchContext(referrer_host="shop.example"), Channel.WEB, "direct"),
        (TouchContext(), Channel.MOBILE, "mobile_app"),
        (TouchContext(), Channel.WEB, "direct"),
    ],
)
def test_the_channel_table_is_applied_first_match_first(
    touch: TouchContext, sales: Channel, expected: str
) -> None:
    assert marketing_channel(touch, sales, OWN) == expected


def view(seconds: float, phase: ViewPhase, product: str = "p1") -> Event:
    return Event(
        "v",
        f"e{seconds}",
        EventKind.PRODUCT_VIEW,
        T0 + timedelta(seconds=seconds),
        Channel.WEB,
        product_id=product,
        phase=phase,
    )


def test_dwell_caps_gaps_and_splits_visits_whatever_the_arrival_order() -> None:
    events = [
        view(0, ViewPhase.START),
        view(15, ViewPhase.HEARTBEAT),
        view(400, ViewPhase.END),  # 385 s of silence count as 60
        view(420, ViewPhase.START, "p2"),
        view(430, ViewPhase.END, "p2"),
        view(4000, ViewPhase.START),  # a new visit: more than 30 minutes later
        view(4030, ViewPhase.END),
    ]
    found = dwell(reversed(events))
    assert found.by_product == (("p1", 105), ("p2", 10))
    assert [v.seconds for v in found.visits] == [85, 30]


def test_a_visitor_token_is_refused_when_any_part_is_changed() -> None:
    token = sign_visitor(KEY, "01jexampze0000000000000000")
    assert read_visitor(KEY, token) == "01jexampze0000000000000000"
    assert read_visitor(b"o" * 32, token) is None
    assert read_visitor(KEY, token.replace("v1.", "v2.")) is None
    assert read_visitor(KEY, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert read_visitor(b"", token) is None


def test_the_largest_event_the_rules_allow_stays_under_one_kilobyte() -> None:
    touch = TouchContext(
        *(["u" * MAX_UTM] * 5),
        click_id_kind=ClickIdKind.MSCLKID,
        click_id="c" * MAX_CLICK_ID,
        referrer_host="r" * MAX_HOST,
        affiliate_id="a" * 26,
    )
    event = Event(
        "01jexampze0000000000000000",
        "e" * MAX_ID,
        EventKind.SEARCH,
        T0,
        Channel.PARTNER_API,
        app="a" * 40,
        product_id="p" * MAX_ID,
        phase=ViewPhase.HEARTBEAT,
        query="q" * MAX_QUERY,
        path="/" * MAX_PATH,
        quantity=999,
        touch=touch,
        marketing_channel="organic_search",
    )
    item = item_of(event, timedelta(days=365))
    raw = item.serialize()
    raw["PK"], raw["SK"] = {"S": item.pk}, {"S": item.sk}
    # DynamoDB's item size: each attribute's name plus its value (strings as UTF-8, numbers
    # about one byte per two digits, plus one; counted here as one per digit, above it).
    size = sum(
        len(name.encode()) + len(next(iter(value.values())).encode()) for name, value in raw.items()
    )
    size += len(b"PK") + len(b"SK")
    assert size < 1024, size
    # The writer's attribute map is the item class's own serialisation.
    assert attributes_of(event, timedelta(days=365)) == raw


@pytest.mark.parametrize(
    "event",
    [
        Event("v1", "e1", EventKind.PAGE_VIEW, T0, Channel.WEB, path="/"),
        Event(
            "v1",
            "e2",
            EventKind.ADD_TO_CART,
            T0 + timedelta(milliseconds=7),
            Channel.MOBILE,
            app="ios",
            product_id="p1",
            quantity=0,
            touch=TouchContext(utm_source="news", referrer_host="mail.example"),
            marketing_channel="email",
        ),
    ],
)
def test_the_writer_stores_what_the_event_item_would(event: Event) -> None:
    """Events are written from a hand-built attribute map: it must be the item's own."""
    item = item_of(event, timedelta(days=90))
    raw = item.serialize()
    raw["PK"], raw["SK"] = {"S": item.pk}, {"S": item.sk}
    assert attributes_of(event, timedelta(days=90)) == raw


def test_the_payment_method_is_the_wallet_else_the_card_brand_else_the_type() -> None:
    def intent(details: dict[str, object]) -> dict[str, object]:
        return {"latest_charge": {"payment_method_details": details}}

    wallet = {"type": "card", "card": {"brand": "visa", "wallet": {"type": "apple_pay"}}}
    assert payment_method_of(intent(wallet)) == "apple_pay"
    assert (
        payment_method_of(intent({"type": "card", "card": {"brand": "amex", "wallet": None}}))
        == "amex"
    )
    assert (
        payment_method_of(
            {"charges": {"data": [{"payment_method_details": {"type": "sepa_debit"}}]}}
        )
        == "sepa_debit"
    )
    assert payment_method_of({"latest_charge": "ch_123"}) is None
