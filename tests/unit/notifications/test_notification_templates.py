"""Every template renders to plain text, and a missing value refuses to render."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from commerce.notifications.model import (
    Channel,
    InvalidNotification,
    Notification,
    TemplateName,
)
from commerce.notifications.templates import RenderError, render, required_keys

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


def full_data(template: TemplateName) -> dict[str, str]:
    return {key: f"<{key}>" for key in required_keys(template)}


@pytest.mark.parametrize("template", list(TemplateName))
@pytest.mark.parametrize("channel", list(Channel))
def test_every_template_renders_with_all_its_values(
    template: TemplateName, channel: Channel
) -> None:
    # given
    notification = Notification.new(channel, template, "ada@example.com", full_data(template), NOW)
    # when
    message = render(notification)
    # then every value is filled in and no placeholder is left
    assert "$" not in message.body
    assert "$" not in message.subject
    if channel is Channel.SMS:
        assert len(message.body) < 160 - 40  # room for values of ordinary length


def test_a_password_reset_email_carries_the_token() -> None:
    # given
    notification = Notification.new(
        Channel.EMAIL,
        TemplateName.PASSWORD_RESET,
        "ada@example.com",
        {"token": "R3SET-T0KEN", "expires_in": "1 hour"},
        NOW,
    )
    # when
    message = render(notification)
    # then
    assert message.subject == "Reset your password"
    assert "R3SET-T0KEN" in message.body
    assert "1 hour" in message.body


def test_a_missing_value_is_a_render_error_that_names_it() -> None:
    # given
    notification = Notification.new(
        Channel.EMAIL, TemplateName.ORDER_CONFIRMATION, "ada@example.com", {"total": "$5"}, NOW
    )
    # when / then
    with pytest.raises(RenderError, match="order_number"):
        render(notification)


@pytest.mark.parametrize(
    ("recipient", "data"),
    [
        pytest.param("  ", {}, id="blank-recipient"),
        pytest.param("ada@example.com", {"token": 5}, id="non-string-value"),
    ],
)
def test_a_notification_that_could_never_be_sent_is_refused(
    recipient: str, data: dict[str, object]
) -> None:
    with pytest.raises(InvalidNotification):
        Notification.new(
            Channel.EMAIL,
            TemplateName.PASSWORD_RESET,
            recipient,
            data,  # type: ignore[arg-type]
            NOW,
        )


def test_the_data_of_a_notification_cannot_be_changed_afterwards() -> None:
    # given
    data = {"token": "A", "expires_in": "1 hour"}
    notification = Notification.new(
        Channel.EMAIL, TemplateName.PASSWORD_RESET, "ada@example.com", data, NOW
    )
    # when the caller's dict changes
    data["token"] = "B"
    # then
    assert notification.data["token"] == "A"
