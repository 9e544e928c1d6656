"""Settings: read once from the environment into typed values, or refused with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from commerce.money import Currency
from commerce.settings import Secret, Settings, SettingsError


def test_an_empty_environment_gives_the_local_defaults() -> None:
    # when
    settings = Settings.from_env({})
    # then
    assert settings == Settings(
        stage="local",
        table_name="commerce",
        region="us-east-1",
        dynamodb_endpoint=None,
        graphiql=True,
        default_currency=Currency.USD,
        catalog_cache_seconds=2.0,
        catalog_stale_seconds=30.0,
        response_cache=True,
        data_dir=Path(".commerce"),
        host="127.0.0.1",
        port=8000,
    )


def test_every_variable_is_read_into_a_typed_value() -> None:
    # given
    env = {
        "COMMERCE_STAGE": "prod",
        "COMMERCE_TABLE_NAME": "commerce-prod",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "us-west-2",
        "COMMERCE_DYNAMODB_ENDPOINT": "http://127.0.0.1:8001",
        "COMMERCE_GRAPHIQL": "yes",
        "COMMERCE_DEFAULT_CURRENCY": "eur",
        "COMMERCE_CATALOG_CACHE_SECONDS": "0.5",
        "COMMERCE_CATALOG_STALE_SECONDS": "12",
        "COMMERCE_RESPONSE_CACHE": "off",
        "COMMERCE_DATA_DIR": "/var/lib/commerce",
        "COMMERCE_HOST": "10.0.4.7",
        "COMMERCE_PORT": "8080",
    }
    # when
    settings = Settings.from_env(env)
    # then
    assert settings == Settings(
        stage="prod",
        table_name="commerce-prod",
        region="eu-west-1",
        dynamodb_endpoint="http://127.0.0.1:8001",
        graphiql=True,
        default_currency=Currency.EUR,
        catalog_cache_seconds=0.5,
        catalog_stale_seconds=12.0,
        response_cache=False,
        data_dir=Path("/var/lib/commerce"),
        host="10.0.4.7",
        port=8080,
        introspection=False,
    )


def test_the_region_falls_back_to_aws_default_region() -> None:
    assert Settings.from_env({"AWS_DEFAULT_REGION": "ap-south-1"}).region == "ap-south-1"


def test_an_empty_endpoint_means_real_dynamodb() -> None:
    assert Settings.from_env({"COMMERCE_DYNAMODB_ENDPOINT": ""}).dynamodb_endpoint is None


@pytest.mark.parametrize(("stage", "graphiql"), [("local", True), ("prod", False), ("dev", False)])
def test_graphiql_defaults_to_on_only_for_the_local_stage(stage: str, graphiql: bool) -> None:
    assert Settings.from_env({"COMMERCE_STAGE": stage}).graphiql is graphiql


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1", True), ("TRUE", True), (" on ", True), ("0", False), ("No", False), ("", False)],
)
def test_graphiql_flag_accepts_the_usual_spellings(raw: str, value: bool) -> None:
    env = {"COMMERCE_STAGE": "prod", "COMMERCE_GRAPHIQL": raw}
    assert Settings.from_env(env).graphiql is value


@pytest.mark.parametrize(
    ("name", "raw", "reason"),
    [
        ("COMMERCE_PORT", "http", "COMMERCE_PORT must be a TCP port, not 'http'"),
        ("COMMERCE_PORT", "0", "COMMERCE_PORT must be a TCP port, not '0'"),
        ("COMMERCE_PORT", "65536", "COMMERCE_PORT must be a TCP port, not '65536'"),
        ("COMMERCE_PORT", "-1", "COMMERCE_PORT must be a TCP port, not '-1'"),
        ("COMMERCE_PORT", " 8000", "COMMERCE_PORT must be a TCP port, not ' 8000'"),
        ("COMMERCE_PORT", "\u00b2", "COMMERCE_PORT must be a TCP port"),
        ("COMMERCE_PORT", "\u0668\u0660", "COMMERCE_PORT must be a TCP port"),
        ("COMMERCE_DEFAULT_CURRENCY", "XYZ", "COMMERCE_DEFAULT_CURRENCY: unsupported currency"),
        ("COMMERCE_GRAPHIQL", "maybe", "COMMERCE_GRAPHIQL must be true or false, not 'maybe'"),
        ("COMMERCE_CATALOG_CACHE_SECONDS", "soon", "must be a number, not 'soon'"),
        ("COMMERCE_CATALOG_CACHE_SECONDS", "-1", "must not be negative"),
        ("COMMERCE_CATALOG_CACHE_SECONDS", "nan", "must be a finite number, not 'nan'"),
        ("COMMERCE_CATALOG_CACHE_SECONDS", "inf", "must be a finite number, not 'inf'"),
    ],
)
def test_a_bad_value_is_refused_with_a_settings_error_naming_it(
    name: str, raw: str, reason: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({name: raw})
    assert reason in str(refused.value)


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})
    with pytest.raises(AttributeError):
        settings.port = 9000  # type: ignore[misc]


def test_a_secret_never_shows_its_value() -> None:
    # given
    secret = Secret("sk_live_51Habc")
    # then
    assert secret.value == "sk_live_51Habc"
    for shown in (repr(secret), str(secret), f"{secret}", repr([secret]), repr({"k": secret})):
        assert "sk_live" not in shown
        assert "Secret('**********')" in shown


def test_an_empty_secret_says_it_is_empty() -> None:
    assert repr(Secret("")) == "Secret('')"


def test_the_cart_idle_time_defaults_to_14_days_and_must_be_positive() -> None:
    # then
    assert Settings.from_env({}).cart_ttl_seconds == 14 * 24 * 3600
    assert Settings.from_env({"COMMERCE_CART_TTL_SECONDS": "3600"}).cart_ttl_seconds == 3600
    with pytest.raises(SettingsError, match="COMMERCE_CART_TTL_SECONDS"):
        Settings.from_env({"COMMERCE_CART_TTL_SECONDS": "0"})


def test_the_publishable_key_is_read_and_a_secret_key_in_its_place_is_refused_unshown() -> None:
    assert Settings.from_env({}).stripe_publishable_key == ""
    read = Settings.from_env({"COMMERCE_STRIPE_PUBLISHABLE_KEY": "pk_test_abc"})
    assert read.stripe_publishable_key == "pk_test_abc"

    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"COMMERCE_STRIPE_PUBLISHABLE_KEY": "sk_live_do_not_show"})

    assert "must be a publishable key" in str(refused.value)
    assert "do_not_show" not in str(refused.value)
