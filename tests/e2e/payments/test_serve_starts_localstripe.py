"""`commerce serve` without a Stripe key takes payments through its own localstripe."""

from __future__ import annotations

import socket
import urllib.parse
from pathlib import Path

from commerce.cli import _payments
from commerce.money import Currency, Money
from commerce.payments.stripe_gateway import build_gateway
from commerce.settings import Secret, Settings


def _listening(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "", parts.port or 80), 1):
            return True
    except OSError:
        return False


def test_without_a_key_serve_runs_localstripe_on_loopback_and_keeps_its_state(
    tmp_path: Path,
) -> None:
    with _payments(Settings(data_dir=tmp_path, port=8999)) as ready:
        api_base = ready.stripe_api_base
        assert api_base is not None
        assert urllib.parse.urlsplit(api_base).hostname == "127.0.0.1"
        assert ready.stripe_webhook_secret.value.startswith("whsec_")
        intent = build_gateway(ready).create_intent(
            order_id="o-1", amount=Money(500, Currency.USD), idempotency_key="k", email=None
        )

    assert not _listening(api_base)
    assert (tmp_path / "stripe" / "state.pickle").is_file()
    # A restart finds the intent again.
    with _payments(Settings(data_dir=tmp_path)) as again:
        assert build_gateway(again).retrieve_intent(intent.id).order_id == "o-1"


def test_with_a_key_serve_talks_to_stripe_and_starts_nothing(tmp_path: Path) -> None:
    configured = Settings(data_dir=tmp_path, stripe_secret_key=Secret("sk_test_real"))

    with _payments(configured) as ready:
        assert ready is configured
    assert not (tmp_path / "stripe").exists()
