"""Secrets sealed for storage, and signatures any Standard Webhooks library verifies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from commerce.webhooks.signing import SecretBox, SecretUnreadable, new_secret, signed_headers


def test_a_sealed_secret_opens_only_with_its_key() -> None:
    # given
    secret = new_secret()
    sealed = SecretBox("the stage key, 32 bytes or more long").seal(secret)

    # then
    assert secret not in sealed
    assert SecretBox("the stage key, 32 bytes or more long").open(sealed) == secret
    with pytest.raises(SecretUnreadable):
        SecretBox("another stage's key, 32 bytes or more").open(sealed)


def test_every_secret_in_use_signs_and_each_verifies_alone() -> None:
    # given
    old, new = new_secret(), new_secret()
    body = '{"type":"ping","timestamp":"2026-12-08T00:00:00+00:00","data":{}}'

    # when
    headers = signed_headers([new, old], "msg_1", datetime.now(UTC), body)

    # then
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(new).verify(body, headers)["type"] == "ping"
    assert Webhook(old).verify(body, headers)["type"] == "ping"
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(body.replace("ping", "pong"), headers)
