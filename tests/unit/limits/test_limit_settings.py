"""Limits and transport settings: production defaults enforce them."""

from __future__ import annotations

import pytest

from commerce.settings import Settings, SettingsError


def test_production_defaults_enforce_every_limit() -> None:
    settings = Settings.from_env({"COMMERCE_STAGE": "prod"})
    assert settings.rate_limits is True
    assert settings.max_query_cost == 1000
    assert (settings.anonymous_budget, settings.anonymous_restore_rate) == (1000, 50.0)
    assert (settings.api_key_budget, settings.api_key_restore_rate) == (2000, 100.0)
    assert settings.introspection is False
    assert settings.graphiql is False
    assert settings.cors_origins == ()
    assert settings.trusted_proxy_hops == 0
    assert settings.persisted_queries_only is False


def test_introspection_is_on_locally_and_can_be_switched() -> None:
    assert Settings.from_env({}).introspection is True
    env = {"COMMERCE_STAGE": "prod", "COMMERCE_INTROSPECTION": "on"}
    assert Settings.from_env(env).introspection is True


def test_cors_origins_are_a_comma_separated_list_of_exact_origins() -> None:
    env = {"COMMERCE_CORS_ORIGINS": "https://shop.example, http://localhost:3000"}
    assert Settings.from_env(env).cors_origins == ("https://shop.example", "http://localhost:3000")


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"COMMERCE_CORS_ORIGINS": "*"}, "exact origins"),
        ({"COMMERCE_MAX_QUERY_COST": "0"}, "COMMERCE_MAX_QUERY_COST must be a whole number"),
        ({"COMMERCE_ANONYMOUS_BUDGET": "500"}, "must be at least COMMERCE_MAX_QUERY_COST"),
        ({"COMMERCE_API_KEY_RESTORE_RATE": "0"}, "must be above 0"),
        ({"COMMERCE_TRUSTED_PROXY_HOPS": "1.5"}, "whole number"),
        ({"COMMERCE_PERSISTED_QUERIES_ONLY": "maybe"}, "true or false"),
    ],
)
def test_unusable_limit_settings_are_refused_at_start_up(env: dict[str, str], reason: str) -> None:
    with pytest.raises(SettingsError, match=reason):
        Settings.from_env(env)
