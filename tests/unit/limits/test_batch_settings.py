"""How many operations one batched request may hold: read from the environment."""

from __future__ import annotations

import pytest

from commerce.settings import Settings, SettingsError


def test_a_batch_holds_ten_operations_unless_configured() -> None:
    assert Settings.from_env({"COMMERCE_STAGE": "prod"}).max_batch_operations == 10
    env = {"COMMERCE_MAX_BATCH_OPERATIONS": "25"}
    assert Settings.from_env(env).max_batch_operations == 25


@pytest.mark.parametrize("value", ["0", "2.5", "many"])
def test_an_unusable_batch_size_is_refused_at_start_up(value: str) -> None:
    with pytest.raises(SettingsError, match="COMMERCE_MAX_BATCH_OPERATIONS"):
        Settings.from_env({"COMMERCE_MAX_BATCH_OPERATIONS": value})
