"""Secrets from SSM Parameter Store (imitated by moto), for variables the environment lacks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from commerce.secrets import ParameterStore, SecretsError, with_parameters
from commerce.settings import Settings

PREFIX = "/commerce/dev"
STRIPE_KEY = "sk_test_51FromParameterStore"


@pytest.fixture
def ssm() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("ssm", region_name="us-east-1")
        for name, value in {
            "stripe-secret-key": STRIPE_KEY,
            "stripe-webhook-secret": "whsec_fromparameterstore",
            "download-signing-key": "download-key-from-ssm",
            "jwt-secret": "jwt-key-from-ssm-at-least-32-bytes-long!",
            "webhook-secrets-key": "webhook-key-from-ssm-at-least-32-bytes!",
            "recovery-signing-key": "opt-out-key-from-ssm",
        }.items():
            client.put_parameter(Name=f"{PREFIX}/{name}", Value=value, Type="SecureString")
        yield client


class CountingClient:
    """Wraps the SSM client to count GetParameters calls."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls = 0

    def get_parameters(self, **kwargs: Any) -> Any:
        self.calls += 1
        return self.client.get_parameters(**kwargs)


def test_missing_secrets_are_read_decrypted_from_the_stage_prefix(ssm: Any) -> None:
    # given a deployed function's environment with one secret set directly
    env = {"COMMERCE_PARAMETER_PREFIX": PREFIX, "COMMERCE_STRIPE_WEBHOOK_SECRET": "whsec_env"}
    # when
    merged = with_parameters(env, ParameterStore("us-east-1", client=ssm))
    settings = Settings.from_env(merged)
    # then the environment wins, the rest comes from the parameters
    assert settings.stripe_webhook_secret.value == "whsec_env"
    assert settings.stripe_secret_key.value == STRIPE_KEY
    assert merged["COMMERCE_DOWNLOAD_SIGNING_KEY"] == "download-key-from-ssm"
    assert merged["COMMERCE_JWT_SECRET"] == "jwt-key-from-ssm-at-least-32-bytes-long!"
    assert settings.webhook_secrets_key.value == "webhook-key-from-ssm-at-least-32-bytes!"
    assert settings.recovery_signing_key.value == "opt-out-key-from-ssm"
    assert STRIPE_KEY not in repr(settings)


def test_a_function_reads_only_the_parameters_it_names(ssm: Any) -> None:
    env = {"COMMERCE_PARAMETER_PREFIX": PREFIX, "COMMERCE_PARAMETER_NAMES": "stripe-secret-key"}
    merged = with_parameters(env, ParameterStore("us-east-1", client=ssm))
    assert merged["COMMERCE_STRIPE_SECRET_KEY"] == STRIPE_KEY
    assert "COMMERCE_JWT_SECRET" not in merged


def test_without_a_prefix_nothing_is_read() -> None:
    # no moto here: any AWS call would fail
    env = {"COMMERCE_STAGE": "local"}
    assert with_parameters(env) == env


def test_values_are_cached_for_their_max_age(ssm: Any) -> None:
    # given
    now = [0.0]
    client = CountingClient(ssm)
    store = ParameterStore("us-east-1", max_age=300, client=client, clock=lambda: now[0])
    name = f"{PREFIX}/stripe-secret-key"
    # when read twice within the max age, then after it
    store.get([name])
    store.get([name])
    now[0] = 301
    store.get([name])
    # then
    assert client.calls == 2


def test_a_missing_parameter_is_named_in_the_error_without_any_value(ssm: Any) -> None:
    ssm.delete_parameter(Name=f"{PREFIX}/jwt-secret")
    with pytest.raises(SecretsError) as raised:
        with_parameters(
            {"COMMERCE_PARAMETER_PREFIX": PREFIX}, ParameterStore("us-east-1", client=ssm)
        )
    assert "/commerce/dev/jwt-secret" in str(raised.value)
    assert STRIPE_KEY not in str(raised.value)
