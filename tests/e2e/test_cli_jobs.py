"""``commerce jobs run``: a scheduled job run once from a laptop, with the function's code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commerce.cli import main
from commerce.composition import Services
from commerce.settings import Settings


@pytest.fixture
def environment(
    services: Services, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COMMERCE_DYNAMODB_ENDPOINT", str(settings.dynamodb_endpoint))
    monkeypatch.setenv("COMMERCE_TABLE_NAME", settings.table_name)
    monkeypatch.setenv("AWS_REGION", settings.region)
    monkeypatch.setenv("COMMERCE_DATA_DIR", str(tmp_path / "data"))


@pytest.mark.usefixtures("environment")
def test_a_job_run_prints_its_result_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    # when
    code = main(["jobs", "run", "abandoned-cart-sweep"])
    # then
    out = capsys.readouterr().out.strip().splitlines()
    result = json.loads(out[-1])
    assert code == 0
    assert result["ok"] is True
    assert result["job"] == "abandoned-cart-sweep"


@pytest.mark.usefixtures("environment")
def test_an_unknown_job_fails_with_the_known_names(capsys: pytest.CaptureFixture[str]) -> None:
    # when
    code = main(["jobs", "run", "reindex-everything"])
    # then
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 1
    assert result["ok"] is False
    assert "release-expired-reservations" in result["error"]
