"""`commerce serve` keeps one JWT secret per data dir, so log-ins survive a restart."""

from __future__ import annotations

import stat
from pathlib import Path

from commerce.cli import _with_local_jwt_secret
from commerce.settings import Secret, Settings


def test_a_laptop_gets_a_secret_that_stays_across_restarts(tmp_path: Path) -> None:
    first = _with_local_jwt_secret(Settings(data_dir=tmp_path))
    second = _with_local_jwt_secret(Settings(data_dir=tmp_path))

    assert len(first.jwt_secret.value) >= 32
    assert first.jwt_secret == second.jwt_secret
    mode = stat.S_IMODE((tmp_path / "jwt-secret").stat().st_mode)
    assert mode == 0o600


def test_a_configured_secret_wins_and_nothing_is_written(tmp_path: Path) -> None:
    configured = Settings(data_dir=tmp_path, jwt_secret=Secret("c" * 40))

    assert _with_local_jwt_secret(configured).jwt_secret == Secret("c" * 40)
    assert not (tmp_path / "jwt-secret").exists()
