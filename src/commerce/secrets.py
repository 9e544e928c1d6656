"""Secrets from SSM Parameter Store, for the variables a deployed function leaves unset.

CloudFormation cannot create SecureString parameters, so their values never pass through
the template or the function's configuration: an operator puts them once
(``aws ssm put-parameter --type SecureString``, docs/deploy.md) under
``COMMERCE_PARAMETER_PREFIX`` (``/commerce/<stage>``), and the function reads them by name
at cold start with one ``GetParameters`` call (``WithDecryption``). A variable that *is*
set in the environment wins, which keeps laptops and tests free of AWS.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

PREFIX_VARIABLE = "COMMERCE_PARAMETER_PREFIX"
NAMES_VARIABLE = "COMMERCE_PARAMETER_NAMES"

# Environment variable -> parameter name under the prefix.
SECRET_PARAMETERS: Mapping[str, str] = {
    "COMMERCE_STRIPE_SECRET_KEY": "stripe-secret-key",
    "COMMERCE_STRIPE_WEBHOOK_SECRET": "stripe-webhook-secret",
    "COMMERCE_DOWNLOAD_SIGNING_KEY": "download-signing-key",
    "COMMERCE_JWT_SECRET": "jwt-secret",
    "COMMERCE_WEBHOOK_SECRETS_KEY": "webhook-secrets-key",
    "COMMERCE_RECOVERY_SIGNING_KEY": "recovery-signing-key",
}

# GetParameters takes at most ten names per call.
_MAX_NAMES = 10


class SecretsError(RuntimeError):
    """A secret could not be read; the message names parameters, never values."""


class ParameterStore:
    """Reads SecureString parameters, decrypted, and keeps them for ``max_age`` seconds."""

    def __init__(
        self,
        region: str,
        max_age: float = 300.0,
        client: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._region = region
        self._max_age = max_age
        self._client = client
        self._clock = clock
        self._cache: dict[str, tuple[float, str]] = {}

    def get(self, names: Sequence[str]) -> dict[str, str]:
        """The values of the ``names`` parameters; ``SecretsError`` if any is missing."""
        now = self._clock()
        fresh = {n: v for n, (at, v) in self._cache.items() if now - at < self._max_age}
        wanted = [n for n in dict.fromkeys(names) if n not in fresh]
        for start in range(0, len(wanted), _MAX_NAMES):
            for name, value in self._fetch(wanted[start : start + _MAX_NAMES]).items():
                self._cache[name] = (now, value)
                fresh[name] = value
        return {n: fresh[n] for n in names}

    def _fetch(self, names: list[str]) -> dict[str, str]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self._ssm().get_parameters(Names=names, WithDecryption=True)
        except (BotoCoreError, ClientError) as exc:
            # The exception text holds names and codes only; values are never in requests.
            raise SecretsError(f"reading parameters {', '.join(names)} failed: {exc}") from None
        missing = answer.get("InvalidParameters") or []
        if missing:
            raise SecretsError(f"parameters not found: {', '.join(sorted(missing))}")
        return {p["Name"]: p["Value"] for p in answer["Parameters"]}

    def _ssm(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("ssm", region_name=self._region)
        return self._client


_stores: dict[str, ParameterStore] = {}


def with_parameters(env: Mapping[str, str], store: ParameterStore | None = None) -> dict[str, str]:
    """``env`` plus the secrets it lacks, read from the parameters under its prefix.

    Without ``COMMERCE_PARAMETER_PREFIX`` (laptops, tests) nothing is read; with
    ``COMMERCE_PARAMETER_NAMES`` (comma-separated) only those parameters are.
    """
    merged = dict(env)
    prefix = env.get(PREFIX_VARIABLE, "").rstrip("/")
    if not prefix:
        return merged
    # A function that needs only some secrets names them (its role may read only those).
    names = {n.strip() for n in env.get(NAMES_VARIABLE, "").split(",") if n.strip()}
    missing = {
        var: f"{prefix}/{name}"
        for var, name in SECRET_PARAMETERS.items()
        if not env.get(var) and (not names or name in names)
    }
    if not missing:
        return merged
    if store is None:
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
        store = _stores.setdefault(region, ParameterStore(region))
    values = store.get(list(missing.values()))
    merged.update({var: values[name] for var, name in missing.items()})
    return merged
