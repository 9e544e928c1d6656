"""Settings of the notifications, jobs and logs (read from the environment once)."""

from __future__ import annotations

import pytest

from commerce.settings import Settings, SettingsError


def test_defaults_suit_a_laptop() -> None:
    settings = Settings.from_env({})
    assert settings.json_logs is False
    assert settings.email_from == "shop@example.com"
    assert settings.abandoned_cart_after_hours == 72
    assert settings.metrics_namespace == "Commerce"


def test_a_deployed_function_reads_its_values() -> None:
    settings = Settings.from_env(
        {
            "COMMERCE_LOG_FORMAT": "JSON",
            "COMMERCE_EMAIL_FROM": "orders@shop.example",
            "COMMERCE_STOREFRONT_URL": "https://shop.example/",
            "COMMERCE_ABANDONED_CART_AFTER_HOURS": "48",
        }
    )
    assert settings.json_logs is True
    assert settings.email_from == "orders@shop.example"
    assert settings.storefront_url == "https://shop.example"
    assert settings.abandoned_cart_after_hours == 48


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("COMMERCE_LOG_FORMAT", "xml", "json or text"),
        ("COMMERCE_EMAIL_FROM", "orders", "email address"),
        ("COMMERCE_STOREFRONT_URL", "shop.example", "must be a URL"),
        ("COMMERCE_ABANDONED_CART_AFTER_HOURS", "0", "at least 1"),
    ],
)
def test_a_bad_value_is_refused_with_its_name(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({name: value})
