"""Stripe and download settings: read from the environment, secrets never shown."""

from __future__ import annotations

import pytest

from commerce.settings import Settings, SettingsError


def test_stripe_and_download_variables_are_read_into_typed_values() -> None:
    settings = Settings.from_env(
        {
            "COMMERCE_STRIPE_SECRET_KEY": "sk_test_123",
            "COMMERCE_STRIPE_WEBHOOK_SECRET": "whsec_456",
            "COMMERCE_STRIPE_API_BASE": "http://127.0.0.1:8420",
            "COMMERCE_STRIPE_WEBHOOK_TOLERANCE_SECONDS": "120",
            "COMMERCE_DOWNLOAD_LINK_SECONDS": "86400",
            "COMMERCE_DOWNLOAD_MAX_COUNT": "3",
            "COMMERCE_DOWNLOAD_SIGNING_KEY": "sign-me",
            "COMMERCE_FILES_BUCKET": "shop-files",
            "COMMERCE_PRESIGNED_URL_SECONDS": "30",
            "COMMERCE_PUBLIC_URL": "https://api.shop.example/",
        }
    )

    assert settings.stripe_secret_key.value == "sk_test_123"
    assert settings.stripe_webhook_secret.value == "whsec_456"
    assert settings.stripe_api_base == "http://127.0.0.1:8420"
    assert settings.stripe_webhook_tolerance_seconds == 120
    assert settings.download_link_seconds == 86400
    assert settings.download_max_count == 3
    assert settings.download_signing_key.value == "sign-me"
    assert settings.files_bucket == "shop-files"
    assert settings.presigned_url_seconds == 30
    assert settings.public_url == "https://api.shop.example"


def test_the_defaults_take_payments_locally_and_keep_links_a_week_for_five_downloads() -> None:
    settings = Settings.from_env({})

    assert settings.stripe_secret_key.value == ""
    assert settings.stripe_api_base is None
    assert settings.stripe_webhook_tolerance_seconds == 300
    assert settings.download_link_seconds == 7 * 24 * 3600
    assert settings.download_max_count == 5
    assert settings.files_bucket is None


def test_secrets_never_appear_in_the_settings_repr() -> None:
    settings = Settings.from_env(
        {
            "COMMERCE_STRIPE_SECRET_KEY": "sk_live_verysecret",
            "COMMERCE_STRIPE_WEBHOOK_SECRET": "whsec_verysecret",
            "COMMERCE_DOWNLOAD_SIGNING_KEY": "signing-verysecret",
        }
    )

    assert "verysecret" not in repr(settings)


def test_a_value_that_is_not_a_stripe_secret_key_is_refused_without_echoing_it() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"COMMERCE_STRIPE_SECRET_KEY": "pk_live_publishable"})

    assert "pk_live_publishable" not in str(refused.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("COMMERCE_STRIPE_API_BASE", "localhost:8420"),
        ("COMMERCE_STRIPE_WEBHOOK_TOLERANCE_SECONDS", "0"),
        ("COMMERCE_DOWNLOAD_MAX_COUNT", "0"),
        ("COMMERCE_DOWNLOAD_LINK_SECONDS", "1.5"),
        ("COMMERCE_PUBLIC_URL", "api.shop.example"),
    ],
)
def test_unusable_values_are_refused(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})
