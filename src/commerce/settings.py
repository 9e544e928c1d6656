"""One frozen settings object, read from the environment once at start-up.

Nothing else in the package reads ``os.environ``: the composition root passes
``Settings`` to whatever needs it, so tests build their own without patching.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from commerce.money import Currency, parse_currency


class SettingsError(ValueError):
    """An environment variable holds a value the service cannot run with."""


@dataclass(frozen=True, slots=True)
class Secret:
    """A value that must never be printed: its repr hides it."""

    value: str = field(repr=False)

    def __repr__(self) -> str:
        return "Secret('**********')" if self.value else "Secret('')"

    def __str__(self) -> str:
        return repr(self)


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if not math.isfinite(value):
        raise SettingsError(f"{name} must be a finite number, not {raw!r}")
    if value < 0:
        raise SettingsError(f"{name} must not be negative")
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service is configured with."""

    stage: str = "local"
    table_name: str = "commerce"
    region: str = "us-east-1"
    dynamodb_endpoint: str | None = None
    graphiql: bool = True
    default_currency: Currency = Currency.USD
    catalog_cache_seconds: float = 2.0
    catalog_stale_seconds: float = 30.0
    response_cache: bool = True
    data_dir: Path = Path(".commerce")
    host: str = "127.0.0.1"
    port: int = 8000
    max_page_size: int = 100
    # Idle time after which a cart expires; every change to the cart restarts it.
    cart_ttl_seconds: int = 14 * 24 * 3600

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``env`` (the process environment by default)."""
        source: Mapping[str, str] = os.environ if env is None else env
        stage = source.get("COMMERCE_STAGE", "local")
        try:
            currency = parse_currency(source.get("COMMERCE_DEFAULT_CURRENCY", "USD"))
        except ValueError as exc:
            raise SettingsError(f"COMMERCE_DEFAULT_CURRENCY: {exc}") from None
        cart_ttl = _number(source, "COMMERCE_CART_TTL_SECONDS", 14 * 24 * 3600)
        if cart_ttl < 1:
            raise SettingsError("COMMERCE_CART_TTL_SECONDS must be at least 1")
        port_raw = source.get("COMMERCE_PORT", "8000")
        # isascii: str.isdigit() also accepts "²", which int() then refuses.
        if not (port_raw.isascii() and port_raw.isdigit()) or not 0 < int(port_raw) < 65536:
            raise SettingsError(f"COMMERCE_PORT must be a TCP port, not {port_raw!r}")
        return cls(
            stage=stage,
            table_name=source.get("COMMERCE_TABLE_NAME", "commerce"),
            region=source.get("AWS_REGION", source.get("AWS_DEFAULT_REGION", "us-east-1")),
            dynamodb_endpoint=source.get("COMMERCE_DYNAMODB_ENDPOINT") or None,
            graphiql=_flag(source, "COMMERCE_GRAPHIQL", default=stage == "local"),
            default_currency=currency,
            catalog_cache_seconds=_number(source, "COMMERCE_CATALOG_CACHE_SECONDS", 2.0),
            catalog_stale_seconds=_number(source, "COMMERCE_CATALOG_STALE_SECONDS", 30.0),
            response_cache=_flag(source, "COMMERCE_RESPONSE_CACHE", default=True),
            data_dir=Path(source.get("COMMERCE_DATA_DIR", ".commerce")),
            host=source.get("COMMERCE_HOST", "127.0.0.1"),
            port=int(port_raw),
            cart_ttl_seconds=int(cart_ttl),
        )
