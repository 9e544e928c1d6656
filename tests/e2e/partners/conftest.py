"""Partner e2e fixtures: the usual app, with an access service on a clock the test moves."""

from __future__ import annotations

import dataclasses

import pytest
from partners_helpers import KeyClock

from commerce.access.service import AccessService
from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.settings import Settings


@pytest.fixture
def key_clock() -> KeyClock:
    return KeyClock()


@pytest.fixture
def services(settings: Settings, key_clock: KeyClock) -> Services:
    """Every service over a fresh table; API keys tell time by ``key_clock``."""
    built = build_services(settings)
    create_table_if_missing()
    return dataclasses.replace(built, access=AccessService(clock=key_clock))
