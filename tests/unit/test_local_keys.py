"""`commerce serve` keeps its keys per data dir, so a restart keeps what was made with them:
log-ins, download and opt-out links, and webhook endpoints' sealed secrets."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from commerce.cli import _with_local_keys
from commerce.composition import opt_out_key
from commerce.settings import Secret, Settings
from commerce.webhooks.signing import SecretBox

KEYS = {
    "jwt_secret": "jwt-secret",
    "download_signing_key": "download-signing-key",
    "webhook_secrets_key": "webhook-secrets-key",
    "recovery_signing_key": "recovery-signing-key",
}


@pytest.mark.parametrize(("field", "file"), KEYS.items())
def test_a_laptop_gets_a_key_that_stays_across_restarts(
    tmp_path: Path, field: str, file: str
) -> None:
    first = _with_local_keys(Settings(data_dir=tmp_path))
    second = _with_local_keys(Settings(data_dir=tmp_path))

    assert len(getattr(first, field).value) >= 32
    assert getattr(first, field) == getattr(second, field)
    assert stat.S_IMODE((tmp_path / file).stat().st_mode) == 0o600


def test_each_key_is_its_own(tmp_path: Path) -> None:
    settings = _with_local_keys(Settings(data_dir=tmp_path))

    assert len({getattr(settings, field).value for field in KEYS}) == len(KEYS)


def test_what_one_run_sealed_and_signed_the_next_run_opens(tmp_path: Path) -> None:
    first = _with_local_keys(Settings(data_dir=tmp_path))
    sealed = SecretBox(first.webhook_secrets_key.value).seal("whsec_endpoint")

    second = _with_local_keys(Settings(data_dir=tmp_path))

    assert SecretBox(second.webhook_secrets_key.value).open(sealed) == "whsec_endpoint"
    assert opt_out_key(second) == opt_out_key(first)


def test_configured_keys_win_and_nothing_is_written(tmp_path: Path) -> None:
    configured = Settings(
        data_dir=tmp_path, jwt_secret=Secret("c" * 40), webhook_secrets_key=Secret("w" * 40)
    )

    kept = _with_local_keys(configured)

    assert kept.jwt_secret == Secret("c" * 40)
    assert kept.webhook_secrets_key == Secret("w" * 40)
    assert not (tmp_path / "jwt-secret").exists()
    assert not (tmp_path / "webhook-secrets-key").exists()
    assert (tmp_path / "recovery-signing-key").exists()
