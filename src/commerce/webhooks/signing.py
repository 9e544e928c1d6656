"""Signing secrets: made, sealed for storage, and used to sign in the Standard Webhooks way.

The signature is ``standardwebhooks.Webhook(secret).sign``: base64 HMAC-SHA256 of
``<webhook-id>.<webhook-timestamp>.<body>`` with the endpoint's ``whsec_`` secret, sent as
``webhook-signature: v1,<signature>``; receivers verify it with any Standard Webhooks
library. While a rotated-out secret is still honoured, both signatures are sent,
space-separated, as the format allows, so a receiver can switch keys without losing events.

The secret must be readable to sign, so it cannot be kept as a hash like API keys are: it
is sealed with Fernet (AES-128-CBC and HMAC-SHA256) under the stage's webhook key, which
lives in SSM Parameter Store like the other secrets (``commerce.secrets``).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken
from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105  (the format's prefix, not a secret)
SECRET_BYTES = 32


class SecretUnreadable(Exception):
    """A sealed secret does not open with this stage's key (the key changed)."""


def new_secret() -> str:
    """A fresh signing secret, ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


class SecretBox:
    """Seals secrets for storage and opens them to sign; the key never leaves it."""

    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("a secret box needs a key")
        # Any long random string works as the setting: Fernet's own key is derived from it.
        derived = base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest())
        self._fernet = Fernet(derived)

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise SecretUnreadable("the endpoint's secret does not open with this key") from None


def signed_headers(
    secrets_in_use: Sequence[str], message_id: str, timestamp: datetime, body: str
) -> dict[str, str]:
    """The request headers of one POST: ids, timestamp and one signature per secret."""
    signatures = " ".join(Webhook(s).sign(message_id, timestamp, body) for s in secrets_in_use)
    return {
        "content-type": "application/json",
        "user-agent": "commerce-webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signatures,
    }
