"""Recovery's pure decisions: lingering, quiet hours, channel choice, opt-out links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commerce.journeys.model import Event, EventKind, ViewPhase
from commerce.principals import Channel
from commerce.recovery.model import RecoveryChannel, RecoverySettings, settings_problems
from commerce.recovery.optout import (
    OptOutLinkExpired,
    OptOutLinkInvalid,
    address_digest,
    read_link,
    sign_link,
)
from commerce.recovery.rules import (
    Contact,
    choose_contact,
    dwell_before_adding,
    in_quiet_hours,
    lingered,
    next_allowed,
)

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
KEY = b"a test key of thirty-two bytes!!"


def _event(
    n: int, kind: EventKind, at: datetime, product: str, phase: ViewPhase | None = None
) -> Event:
    return Event(
        visitor_id="v1",
        event_id=f"e{n:04d}",
        kind=kind,
        at=at,
        sales_channel=Channel.WEB,
        product_id=product,
        phase=phase,
    )


def _view(start: int, product: str, seconds: int, at: datetime) -> list[Event]:
    beats = [
        _event(
            start + i,
            EventKind.PRODUCT_VIEW,
            at + timedelta(seconds=s),
            product,
            ViewPhase.HEARTBEAT,
        )
        for i, s in enumerate(range(15, seconds, 15), start=1)
    ]
    return [
        _event(start, EventKind.PRODUCT_VIEW, at, product, ViewPhase.START),
        *beats,
        _event(
            start + 99,
            EventKind.PRODUCT_VIEW,
            at + timedelta(seconds=seconds),
            product,
            ViewPhase.END,
        ),
    ]


def test_only_views_before_the_first_add_to_cart_count() -> None:
    # given 60 s on the page, the add, then 300 s more looking at it afterwards
    events = [
        *_view(0, "p1", 60, T0),
        _event(200, EventKind.ADD_TO_CART, T0 + timedelta(seconds=70), "p1"),
        *_view(300, "p1", 300, T0 + timedelta(minutes=5)),
    ]
    # then only the 60 s before the add count
    assert dwell_before_adding(events, ["p1"]) == {"p1": 60}


def test_a_product_never_viewed_has_no_dwell_and_is_not_lingered_over() -> None:
    seconds = dwell_before_adding(_view(0, "p1", 150, T0), ["p1", "p2"])
    assert seconds == {"p1": 150, "p2": 0}
    assert lingered(seconds, 120) == frozenset({"p1"})
    assert lingered(seconds, 151) == frozenset()


@pytest.mark.parametrize(
    ("hour", "start", "end", "quiet"),
    [
        (22, 21, 9, True),
        (3, 21, 9, True),
        (9, 21, 9, False),
        (20, 21, 9, False),
        (13, 12, 14, True),
        (14, 12, 14, False),
        (5, 8, 8, False),
    ],
)
def test_quiet_hours_wrap_midnight(hour: int, start: int, end: int, quiet: bool) -> None:
    assert in_quiet_hours(T0.replace(hour=hour), start, end) is quiet


def test_a_text_in_quiet_hours_waits_until_their_end_in_the_shoppers_zone() -> None:
    # 12:00 UTC is 21:00 in Tokyo: quiet until 09:00 Tokyo, i.e. 00:00 UTC the next day
    assert next_allowed(T0, "Asia/Tokyo", 21, 9) == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)
    # 12:00 UTC is 13:00 in Berlin: not quiet
    assert next_allowed(T0, "Europe/Berlin", 21, 9) == T0


@settings(derandomize=True, max_examples=200)
@given(
    minutes=st.integers(min_value=0, max_value=60 * 24 * 400),
    start=st.integers(min_value=0, max_value=23),
    end=st.integers(min_value=0, max_value=23),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]),
)
def test_the_next_allowed_time_is_never_earlier_nor_quiet(
    minutes: int, start: int, end: int, zone: str
) -> None:
    from zoneinfo import ZoneInfo

    now = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    allowed = next_allowed(now, zone, start, end)
    assert allowed >= now
    assert allowed - now <= timedelta(hours=25)
    assert not in_quiet_hours(allowed.astimezone(ZoneInfo(zone)), start, end)


def test_the_preferred_channel_wins_when_it_reaches_the_shopper() -> None:
    email = Contact(RecoveryChannel.EMAIL, "a@example.com", "a@example.com")
    sms = Contact(RecoveryChannel.SMS, "+15550100", "+15550100")
    every = frozenset(RecoveryChannel)
    assert choose_contact([email, sms], every, RecoveryChannel.SMS) is sms
    assert choose_contact([email, sms], every, RecoveryChannel.PUSH) is email
    assert choose_contact([email, sms], every, None) is email
    assert choose_contact([email, sms], frozenset({RecoveryChannel.SMS}), None) is sms
    assert choose_contact([email], frozenset({RecoveryChannel.PUSH}), None) is None


def test_the_default_settings_are_the_marketers_and_valid() -> None:
    defaults = RecoverySettings()
    assert (defaults.after_days, defaults.percent, defaults.dwell_seconds) == (3, 50, 120)
    assert defaults.code_days == 7
    assert settings_problems(defaults) == []


def test_a_genuine_link_reads_back_its_channel_and_address() -> None:
    token = sign_link(KEY, RecoveryChannel.SMS, "+15550100", T0 + timedelta(days=1))
    request = read_link(KEY, token, T0)
    assert request.channel is RecoveryChannel.SMS
    assert request.address_digest == address_digest(RecoveryChannel.SMS, "+15550100")
    assert "15550100" not in token  # the address never travels in the link


def test_a_link_is_refused_when_expired_altered_or_signed_with_another_key() -> None:
    token = sign_link(KEY, RecoveryChannel.EMAIL, "a@example.com", T0)
    with pytest.raises(OptOutLinkExpired):
        read_link(KEY, token, T0)
    with pytest.raises(OptOutLinkInvalid):
        read_link(b"another key, also thirty-two b!", token, T0 - timedelta(days=1))
    with pytest.raises(OptOutLinkInvalid):
        read_link(b"", token, T0 - timedelta(days=1))
    prefix, _, signature = token.split(".")
    other = sign_link(KEY, RecoveryChannel.EMAIL, "b@example.com", T0).split(".")[1]
    with pytest.raises(OptOutLinkInvalid):
        read_link(KEY, f"{prefix}.{other}.{signature}", T0 - timedelta(days=1))


@settings(derandomize=True, max_examples=200)
@given(st.text(max_size=300))
def test_no_made_up_token_is_a_link(token: str) -> None:
    with pytest.raises(OptOutLinkInvalid):
        read_link(KEY, token, T0)
