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
from typing import Any

from commerce.money import Currency, parse_currency

# One batch of events must fit in a full visitor budget (journeys/model.py says 50).
MAX_EVENTS_PER_BATCH = 50


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
    # The published catalog snapshot (docs/decisions/0012-catalog-at-scale.md): who
    # publishes after a change ("inline", "background" or "events"), and where files go
    # (an S3 bucket when set, else data_dir/catalog/<table>).
    catalog_publishing: str = "inline"
    catalog_bucket: str | None = None
    response_cache: bool = True
    data_dir: Path = Path(".commerce")
    host: str = "127.0.0.1"
    port: int = 8000
    max_page_size: int = 100
    # Idle time after which a cart expires; every change to the cart restarts it.
    cart_ttl_seconds: int = 14 * 24 * 3600
    # How long checkout holds an unpaid order's stock before releasing it.
    reservation_seconds: int = 900
    # True: catalog prices and shipping rates include tax (tax is extracted from them);
    # False: tax is added on top (docs/storefront-guide.md, "Shipping and tax").
    prices_include_tax: bool = False
    # Limits and transport (docs/decisions/0004-limits.md).
    introspection: bool = True
    max_query_cost: int = 1_000
    # Operations one batched request (a JSON array body) may hold.
    max_batch_operations: int = 10
    rate_limits: bool = True
    anonymous_budget: int = 1_000
    anonymous_restore_rate: float = 50.0
    api_key_budget: int = 2_000
    api_key_restore_rate: float = 100.0
    # Proxies in front of the app whose X-Forwarded-For entries are trusted (0: none).
    trusted_proxy_hops: int = 0
    # The hard time budget of one request (docs/security.md), below Lambda's 10 s timeout.
    request_timeout_seconds: float = 8.0
    persisted_queries_only: bool = False
    cors_origins: tuple[str, ...] = ()
    public_max_age_seconds: int = 60
    # Payments (docs/decisions/0007-payments-and-webhooks.md). Without a secret key,
    # `commerce serve` starts a local Stripe fake (localstripe) and points api_base at it.
    stripe_secret_key: Secret = Secret("")
    stripe_webhook_secret: Secret = Secret("")
    stripe_api_base: str | None = None
    # Stripe.js's key for browsers (pk_...): public by design. The demo storefront
    # hands it to its pages; against localstripe any pk_ key works.
    stripe_publishable_key: str = ""
    stripe_webhook_tolerance_seconds: int = 300
    # Digital downloads: links live this long and allow this many downloads; files come
    # from S3 (presigned redirects) when a bucket is set, else from data_dir/files.
    download_link_seconds: int = 7 * 24 * 3600
    download_max_count: int = 5
    # Empty: a made-up key on a laptop or in tests, and no links in a deployed stage.
    download_signing_key: Secret = Secret("")
    files_bucket: str | None = None
    presigned_url_seconds: int = 60
    # Where clients reach this API, for absolute links (downloads); "" gives relative
    # ones. `commerce serve` fills it in with the address it listens on.
    public_url: str = ""
    # Notifications and scheduled jobs (docs/deploy.md). SES needs a verified sender.
    email_from: str = "shop@example.com"
    sms_sender_id: str | None = None
    storefront_url: str = "http://127.0.0.1:3000"
    # Affiliates (docs/decisions/0016-affiliates.md): days a tracking-link click keeps the
    # visitor bound to its partner, and whether the first click wins instead of the last.
    affiliate_click_days: int = 30
    affiliate_first_click: bool = False
    abandoned_cart_after_hours: int = 72
    abandoned_cart_window_hours: int = 24
    # SNS platform applications of the store's apps (push for cart recovery); None: apps
    # of that platform cannot register devices.
    push_apns_application_arn: str | None = None
    # Signs recovery messages' opt-out links. Empty: a made-up key per process on a laptop
    # or in tests; a deployed stage without it sends links that never verify.
    recovery_signing_key: Secret = Secret("")
    push_fcm_application_arn: str | None = None
    # Recommendations: a purchase's weight halves every half-life; recently viewed lists
    # expire after view days; training reads the paid orders of the last history days.
    recommendation_half_life_days: int = 90
    recommendation_view_days: int = 30
    recommendation_history_days: int = 730
    # Reviews: a purchased line's review request goes out this many days after fulfilment
    # (digital lines: after their first download).
    review_request_days: int = 7
    # Powertools metrics namespace; X-Ray tracing is switched per stage in serverless.yml.
    metrics_namespace: str = "Commerce"
    # JSON log lines (Lambda) instead of the default text ones (COMMERCE_LOG_FORMAT=json).
    json_logs: bool = False
    # Signs customer access tokens (HS256, docs/decisions/0009-customer-auth.md). Empty:
    # a local stage makes one per process; a deployed one cannot log customers in.
    jwt_secret: Secret = Secret("")
    # The shopper's journey (docs/journeys-guide.md). Visitor tokens are signed with this
    # key; empty: a made-up one per process on a laptop or in tests, and none deployed.
    visitor_signing_key: Secret = Secret("")
    # True: events of a visitor who has not consented (visitorConsentSet) are not stored.
    analytics_require_consent: bool = False
    # How far back a journey reaches from a payment, and so how long events are kept.
    journey_lookback_days: int = 365
    # The store's own sites: their referrers are navigation, not referral traffic.
    own_hosts: tuple[str, ...] = ()
    # Events one visitor may send: a bucket of this many, refilling at this rate a second.
    visitor_event_budget: int = 600
    visitor_event_restore_rate: float = 2.0
    # Time-decay attribution's half-life.
    attribution_half_life_days: float = 7.0
    # Outbound webhooks (docs/decisions/0017-outbound-webhooks.md): the key that seals
    # endpoints' signing secrets (empty: a made-up one per process on a laptop or in
    # tests, and no webhooks deployed), the POST timeout, and how many failed attempts
    # in a row disable an endpoint.
    webhook_secrets_key: Secret = Secret("")
    webhook_timeout_seconds: float = 5.0
    webhook_disable_after_failures: int = 20

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
            catalog_publishing=_catalog_publishing(source),
            catalog_bucket=source.get("COMMERCE_CATALOG_BUCKET") or None,
            response_cache=_flag(source, "COMMERCE_RESPONSE_CACHE", default=True),
            data_dir=Path(source.get("COMMERCE_DATA_DIR", ".commerce")),
            host=source.get("COMMERCE_HOST", "127.0.0.1"),
            port=int(port_raw),
            cart_ttl_seconds=int(cart_ttl),
            reservation_seconds=_whole(source, "COMMERCE_RESERVATION_SECONDS", 900, minimum=60),
            prices_include_tax=_flag(source, "COMMERCE_PRICES_INCLUDE_TAX", default=False),
            affiliate_click_days=_whole(source, "COMMERCE_AFFILIATE_CLICK_DAYS", 30, minimum=1),
            affiliate_first_click=_flag(source, "COMMERCE_AFFILIATE_FIRST_CLICK", default=False),
            **_limit_settings(source, stage),
            **_payment_settings(source, stage),
            **_operations_settings(source),
            **_auth_settings(source),
            **_journey_settings(source),
            **_webhook_settings(source),
        )

    @classmethod
    def from_env_and_parameters(cls) -> Settings:
        """Lambda: the environment, plus secrets it lacks from SSM Parameter Store.

        See ``commerce.secrets``: only when ``COMMERCE_PARAMETER_PREFIX`` is set.
        """
        from commerce.secrets import with_parameters

        return cls.from_env(with_parameters(os.environ))


def _whole(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    value = _number(env, name, default)
    if value != int(value) or value < minimum:
        raise SettingsError(f"{name} must be a whole number of at least {minimum}")
    return int(value)


def _limit_settings(source: Mapping[str, str], stage: str) -> dict[str, Any]:
    """Query cost, budgets and transport hardening (docs/decisions/0004-limits.md)."""
    max_cost = _whole(source, "COMMERCE_MAX_QUERY_COST", 1_000, minimum=1)
    budgets = {
        "anonymous_budget": _whole(source, "COMMERCE_ANONYMOUS_BUDGET", 1_000, minimum=1),
        "api_key_budget": _whole(source, "COMMERCE_API_KEY_BUDGET", 2_000, minimum=1),
    }
    for name, capacity in budgets.items():
        # A query the cost check lets through must fit in a full bucket, or it never runs.
        if capacity < max_cost:
            variable = f"COMMERCE_{name.upper()}"
            raise SettingsError(f"{variable} must be at least COMMERCE_MAX_QUERY_COST")
    rates = {
        "anonymous_restore_rate": _number(source, "COMMERCE_ANONYMOUS_RESTORE_RATE", 50.0),
        "api_key_restore_rate": _number(source, "COMMERCE_API_KEY_RESTORE_RATE", 100.0),
    }
    for name, rate in rates.items():
        if rate <= 0:
            raise SettingsError(f"COMMERCE_{name.upper()} must be above 0")
    timeout = _number(source, "COMMERCE_REQUEST_TIMEOUT_SECONDS", 8.0)
    if not 0 < timeout <= 900:
        raise SettingsError("COMMERCE_REQUEST_TIMEOUT_SECONDS must be above 0 and at most 900")
    origins = tuple(
        o.strip() for o in source.get("COMMERCE_CORS_ORIGINS", "").split(",") if o.strip()
    )
    for origin in origins:
        if origin == "*" or not origin.startswith(("https://", "http://")):
            raise SettingsError(
                "COMMERCE_CORS_ORIGINS holds exact origins like https://shop.example, "
                f"not {origin!r}"
            )
    return {
        "introspection": _flag(source, "COMMERCE_INTROSPECTION", default=stage != "prod"),
        "max_query_cost": max_cost,
        "max_batch_operations": _whole(source, "COMMERCE_MAX_BATCH_OPERATIONS", 10, minimum=1),
        "rate_limits": _flag(source, "COMMERCE_RATE_LIMITS", default=True),
        **budgets,
        **rates,
        "trusted_proxy_hops": _whole(source, "COMMERCE_TRUSTED_PROXY_HOPS", 0),
        "request_timeout_seconds": timeout,
        "persisted_queries_only": _flag(source, "COMMERCE_PERSISTED_QUERIES_ONLY", default=False),
        "cors_origins": origins,
        "public_max_age_seconds": _whole(source, "COMMERCE_PUBLIC_MAX_AGE_SECONDS", 60),
    }


def _payment_settings(source: Mapping[str, str], stage: str) -> dict[str, Any]:
    """Stripe keys and download links (docs/decisions/0007-payments-and-webhooks.md)."""
    secret_key = source.get("COMMERCE_STRIPE_SECRET_KEY", "")
    webhook_secret = source.get("COMMERCE_STRIPE_WEBHOOK_SECRET", "")
    signing_key = source.get("COMMERCE_DOWNLOAD_SIGNING_KEY", "")
    if secret_key and not secret_key.startswith(("sk_", "rk_")):
        # Never echo the value: it may be a real key pasted into the wrong variable.
        raise SettingsError("COMMERCE_STRIPE_SECRET_KEY must be a Stripe secret key (sk_...)")
    api_base = source.get("COMMERCE_STRIPE_API_BASE") or None
    publishable_key = source.get("COMMERCE_STRIPE_PUBLISHABLE_KEY", "").strip()
    if publishable_key and not publishable_key.startswith("pk_"):
        # A secret key here would be handed to browsers: refuse it, without echoing it.
        raise SettingsError("COMMERCE_STRIPE_PUBLISHABLE_KEY must be a publishable key (pk_...)")
    if api_base is not None and not api_base.startswith(("http://", "https://")):
        raise SettingsError(f"COMMERCE_STRIPE_API_BASE must be a URL, not {api_base!r}")
    link_seconds = _whole(source, "COMMERCE_DOWNLOAD_LINK_SECONDS", 7 * 24 * 3600, minimum=1)
    return {
        "stripe_secret_key": Secret(secret_key),
        "stripe_webhook_secret": Secret(webhook_secret),
        "stripe_api_base": api_base,
        "stripe_publishable_key": publishable_key,
        "stripe_webhook_tolerance_seconds": _whole(
            source, "COMMERCE_STRIPE_WEBHOOK_TOLERANCE_SECONDS", 300, minimum=1
        ),
        "download_link_seconds": link_seconds,
        "download_max_count": _whole(source, "COMMERCE_DOWNLOAD_MAX_COUNT", 5, minimum=1),
        "download_signing_key": Secret(signing_key),
        "files_bucket": source.get("COMMERCE_FILES_BUCKET") or None,
        "presigned_url_seconds": _whole(source, "COMMERCE_PRESIGNED_URL_SECONDS", 60, minimum=1),
        "public_url": _public_url(source),
    }


CATALOG_PUBLISHING = ("inline", "background", "events")


def _catalog_publishing(source: Mapping[str, str]) -> str:
    raw = source.get("COMMERCE_CATALOG_PUBLISHING", "inline").strip()
    if raw not in CATALOG_PUBLISHING:
        choices = ", ".join(CATALOG_PUBLISHING)
        raise SettingsError(f"COMMERCE_CATALOG_PUBLISHING must be one of {choices}, not {raw!r}")
    return raw


def _public_url(source: Mapping[str, str]) -> str:
    raw = source.get("COMMERCE_PUBLIC_URL", "").strip().rstrip("/")
    if raw and not raw.startswith(("https://", "http://")):
        raise SettingsError(f"COMMERCE_PUBLIC_URL must be an http(s) URL, not {raw!r}")
    return raw


def _operations_settings(source: Mapping[str, str]) -> dict[str, Any]:
    """Notification senders and job windows (docs/deploy.md)."""
    email_from = source.get("COMMERCE_EMAIL_FROM", "shop@example.com").strip()
    if "@" not in email_from:
        raise SettingsError(f"COMMERCE_EMAIL_FROM must be an email address, not {email_from!r}")
    storefront = source.get("COMMERCE_STOREFRONT_URL", "http://127.0.0.1:3000").rstrip("/")
    if not storefront.startswith(("https://", "http://")):
        raise SettingsError(f"COMMERCE_STOREFRONT_URL must be a URL, not {storefront!r}")
    return {
        "email_from": email_from,
        "sms_sender_id": source.get("COMMERCE_SMS_SENDER_ID") or None,
        "push_apns_application_arn": source.get("COMMERCE_PUSH_APNS_APPLICATION_ARN") or None,
        "push_fcm_application_arn": source.get("COMMERCE_PUSH_FCM_APPLICATION_ARN") or None,
        "recovery_signing_key": Secret(source.get("COMMERCE_RECOVERY_SIGNING_KEY", "")),
        "storefront_url": storefront,
        "abandoned_cart_after_hours": _whole(
            source, "COMMERCE_ABANDONED_CART_AFTER_HOURS", 72, minimum=1
        ),
        "abandoned_cart_window_hours": _whole(
            source, "COMMERCE_ABANDONED_CART_WINDOW_HOURS", 24, minimum=1
        ),
        "recommendation_half_life_days": _whole(
            source, "COMMERCE_RECOMMENDATION_HALF_LIFE_DAYS", 90, minimum=1
        ),
        "recommendation_view_days": _whole(
            source, "COMMERCE_RECOMMENDATION_VIEW_DAYS", 30, minimum=1
        ),
        "recommendation_history_days": _whole(
            source, "COMMERCE_RECOMMENDATION_HISTORY_DAYS", 730, minimum=1
        ),
        "review_request_days": _whole(source, "COMMERCE_REVIEW_REQUEST_DAYS", 7, minimum=1),
        "metrics_namespace": source.get("COMMERCE_METRICS_NAMESPACE", "Commerce"),
        "json_logs": _log_format(source),
    }


def _auth_settings(source: Mapping[str, str]) -> dict[str, Any]:
    """Customer tokens (docs/decisions/0009-customer-auth.md)."""
    jwt_secret = source.get("COMMERCE_JWT_SECRET", "")
    # RFC 7518 section 3.2: an HS256 key is at least as long as the hash, 32 bytes.
    if jwt_secret and len(jwt_secret.encode()) < 32:
        raise SettingsError("COMMERCE_JWT_SECRET must be at least 32 bytes")
    return {"jwt_secret": Secret(jwt_secret)}


def _journey_settings(source: Mapping[str, str]) -> dict[str, Any]:
    """Events, consent and attribution (docs/journeys-guide.md)."""
    key = source.get("COMMERCE_VISITOR_SIGNING_KEY", "")
    if key and len(key.encode()) < 32:
        raise SettingsError("COMMERCE_VISITOR_SIGNING_KEY must be at least 32 bytes")
    rate = _number(source, "COMMERCE_VISITOR_EVENT_RESTORE_RATE", 2.0)
    if rate <= 0:
        raise SettingsError("COMMERCE_VISITOR_EVENT_RESTORE_RATE must be above 0")
    half_life = _number(source, "COMMERCE_ATTRIBUTION_HALF_LIFE_DAYS", 7.0)
    if half_life <= 0:
        raise SettingsError("COMMERCE_ATTRIBUTION_HALF_LIFE_DAYS must be above 0")
    hosts = tuple(
        h.strip().lower() for h in source.get("COMMERCE_OWN_HOSTS", "").split(",") if h.strip()
    )
    return {
        "visitor_signing_key": Secret(key),
        "analytics_require_consent": _flag(
            source, "COMMERCE_ANALYTICS_REQUIRE_CONSENT", default=False
        ),
        "journey_lookback_days": _whole(source, "COMMERCE_JOURNEY_LOOKBACK_DAYS", 365, minimum=1),
        "own_hosts": hosts,
        "visitor_event_budget": _whole(
            source, "COMMERCE_VISITOR_EVENT_BUDGET", 600, minimum=MAX_EVENTS_PER_BATCH
        ),
        "visitor_event_restore_rate": rate,
        "attribution_half_life_days": half_life,
    }


def _webhook_settings(source: Mapping[str, str]) -> dict[str, Any]:
    """Outbound webhooks (docs/decisions/0017-outbound-webhooks.md)."""
    key = source.get("COMMERCE_WEBHOOK_SECRETS_KEY", "")
    if key and len(key.encode()) < 32:
        raise SettingsError("COMMERCE_WEBHOOK_SECRETS_KEY must be at least 32 bytes")
    timeout = _number(source, "COMMERCE_WEBHOOK_TIMEOUT_SECONDS", 5.0)
    if not 0 < timeout <= 30:
        raise SettingsError("COMMERCE_WEBHOOK_TIMEOUT_SECONDS must be above 0 and at most 30")
    return {
        "webhook_secrets_key": Secret(key),
        "webhook_timeout_seconds": timeout,
        "webhook_disable_after_failures": _whole(
            source, "COMMERCE_WEBHOOK_DISABLE_AFTER_FAILURES", 20, minimum=1
        ),
    }


def _log_format(source: Mapping[str, str]) -> bool:
    raw = source.get("COMMERCE_LOG_FORMAT", "text").strip().lower()
    if raw not in {"json", "text"}:
        raise SettingsError(f"COMMERCE_LOG_FORMAT must be json or text, not {raw!r}")
    return raw == "json"
