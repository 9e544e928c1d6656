"""The composition root: the one place that wires settings into services.

Tests build their own ``Services`` from their own ``Settings``; nothing below
this module reads the environment or builds its own dependencies.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from commerce.access.service import AccessService
from commerce.affiliates.service import AffiliatesService
from commerce.cart.service import CartService
from commerce.catalog.service import CatalogService, Publishing
from commerce.catalog.snapshot_files import FolderSnapshotFiles, S3SnapshotFiles, SnapshotFiles
from commerce.catalog_exchange.service import CatalogExchangeService
from commerce.checkout.service import CheckoutService
from commerce.customers.addresses import CustomerAddressesService
from commerce.customers.identity.service import IdentityService
from commerce.customers.marketing import CustomerMarketingService
from commerce.customers.service import CustomersService
from commerce.db.table import configure_table
from commerce.downloads.files import FileSource, LocalFiles, S3Files
from commerce.downloads.service import DownloadsService
from commerce.inventory.service import InventoryService
from commerce.journeys.service import AttributionService, JourneyPolicy, JourneysService
from commerce.limits.model import Budget
from commerce.limits.service import LimitsService, budgets_from_settings
from commerce.loyalty.service import LoyaltyService
from commerce.notifications.senders import AwsSender
from commerce.notifications.service import NotificationsService
from commerce.operations.service import OperationsService
from commerce.orders.service import OrdersService
from commerce.orders.settlement import ReleaseDownloads
from commerce.payments.ports import PaymentGateway
from commerce.payments.service import StripeWebhooks
from commerce.payments.stripe_gateway import build_gateway
from commerce.promotions.service import PromotionsService
from commerce.recommendations.service import RecommendationService
from commerce.recovery.model import Platform, RecoverySettings
from commerce.recovery.push import SnsPushEndpoints
from commerce.recovery.service import RecoveryLinks, RecoveryService
from commerce.reports.service import ReportsService
from commerce.reviews.service import ReviewsService
from commerce.settings import Settings
from commerce.shipping.service import ShippingService
from commerce.tax.service import TaxService
from commerce.webhooks.sender import HttpSender, resolve_host
from commerce.webhooks.service import WebhooksService
from commerce.webhooks.signing import SecretBox


@dataclass(frozen=True, slots=True)
class Services:
    """Every context's use cases, ready to call."""

    settings: Settings
    catalog: CatalogService
    access: AccessService
    cart: CartService
    shipping: ShippingService
    tax: TaxService
    limits: LimitsService
    operations: OperationsService
    inventory: InventoryService
    # Orders and their payment events (also the webhook's OrderPayments); checkout.
    orders: OrdersService
    checkout: CheckoutService
    # Stripe (or the local fake at settings.stripe_api_base); tests may pass their own.
    gateway: PaymentGateway
    # The outbox; delivery (SES/SNS) happens in the events function, on first use.
    notifications: NotificationsService
    # Profiles and their remembered carts; saved addresses.
    customers: CustomersService
    customer_addresses: CustomerAddressesService
    # Sign-up, log-in, sessions, passwords: the customer's credentials and tokens.
    identity: IdentityService
    # Staff tags, derived segments and purchase counts: what promotions may target.
    customer_marketing: CustomerMarketingService
    # Signed Stripe events applied to orders (POST /webhooks/stripe).
    payment_events: StripeWebhooks
    # Expiring, counted download links of paid digital lines (GET /downloads/<token>).
    downloads: DownloadsService
    # Promotions and discount codes (staff changes, code uses); pricing reads them.
    promotions: PromotionsService
    # Payments and refunds applied to orders, with the download links that follow them.
    settlement: ReleaseDownloads
    # Shopify product CSV import (CLI, and GraphQL jobs) and export.
    catalog_exchange: CatalogExchangeService
    # Co-purchases, shoppers' affinity and views; lists for products and shoppers.
    recommendations: RecommendationService
    # Visitors, their events and consent, stitched to customers (eventsRecord, POST /events).
    journeys: JourneysService
    # Paid orders credited to their journeys, refunds taken back, the report rollups.
    attribution: AttributionService
    # Commission rules, customers bound to partners, the ledger and payouts.
    affiliates: AffiliatesService
    # Staff's and partners' webhook endpoints; signed deliveries from the outbox.
    webhooks: WebhooksService
    # Store reports: sales, best sellers and margin rollups, stock as of a moment, prices.
    reports: ReportsService
    # Abandoned-cart recovery: the sweep's messages, opt-outs, push devices, results.
    recovery: RecoveryService
    # Points ledgers (earned on payment, spent at checkout, taken back on refund), tiers.
    loyalty: LoyaltyService
    # Reviews of purchased products, moderation, review requests; order feedback.
    reviews: ReviewsService


def build_services(
    settings: Settings, *, loyalty_clock: Callable[[], datetime] | None = None
) -> Services:
    """Point storage at the configured table and build the services over it.

    ``loyalty_clock`` is the points ledger's clock (lots expire by it); tests pass one."""
    configure_table(settings.table_name, settings.region, settings.dynamodb_endpoint)
    catalog = CatalogService(
        cache_seconds=settings.catalog_cache_seconds,
        stale_seconds=settings.catalog_stale_seconds,
        files=_snapshot_files(settings),
        publishing=Publishing(settings.catalog_publishing),
        max_page_size=settings.max_page_size,
    )
    # Zones and tax rates are read by every cart with an address: cached as long as the
    # catalog view, and dropped by this process's own changes.
    shipping = ShippingService(cache_seconds=settings.catalog_cache_seconds)
    tax = TaxService(
        cache_seconds=settings.catalog_cache_seconds,
        prices_include_tax=settings.prices_include_tax,
    )
    # Every cart read prices through the live promotions: cached like zones and rates.
    promotions = PromotionsService(cache_seconds=settings.catalog_cache_seconds)
    marketing = CustomerMarketingService(catalog=catalog)

    def customers_born_on(month: int, day: int) -> Iterable[str]:
        # Customers are built below (they take the cart service); the job runs later.
        return customers.born_on(month, day)

    # Points per customer; its tier is a segment promotions may target (kept with the
    # customer's marketing facts, so pricing reads it at no extra cost).
    loyalty = LoyaltyService(
        customer_exists=lambda customer_id: customers.customer(customer_id) is not None,
        born_on=customers_born_on,
        record_tiers=marketing.record_tiers,
        cache_seconds=settings.catalog_cache_seconds,
        **({} if loyalty_clock is None else {"clock": loyalty_clock}),
    )
    access = AccessService()

    def remember_cart(customer_id: str, cart_token: str) -> None:
        # Customers take the cart service (log-in merges), so they are built below; a
        # signed-in customer's new cart reaches them once requests run.
        customers.remember_cart(customer_id, cart_token)

    carts = CartService(
        catalog,
        shipping,
        tax,
        promotions,
        profiles=marketing.profile,
        points_value=loyalty.points_value,
        check_points=loyalty.check_spendable,
        partner_exists=lambda partner_id: access.partner(partner_id) is not None,
        remember_cart=remember_cart,
        ttl_seconds=settings.cart_ttl_seconds,
        default_currency=settings.default_currency,
    )
    notifications = NotificationsService(
        lambda: AwsSender(settings.region, settings.email_from, settings.sms_sender_id)
    )
    inventory = InventoryService(catalog)
    gateway = build_gateway(settings)
    orders = OrdersService(inventory, gateway, promotions=promotions, purchases=marketing)
    downloads = DownloadsService(
        catalog,
        _files(settings),
        signing_key=_download_signing_key(settings),
        link_seconds=settings.download_link_seconds,
        max_downloads=settings.download_max_count,
    )
    # Payments go to the orders; a paid order's digital lines then get their links.
    paid_orders = ReleaseDownloads(orders, downloads)
    customers = CustomersService(carts)
    recommendations = RecommendationService(
        catalog,
        carts,
        orders,
        half_life_days=settings.recommendation_half_life_days,
        view_days=settings.recommendation_view_days,
        history_days=settings.recommendation_history_days,
    )
    # Product views recorded by journeys fill the recommendations' recently viewed.
    journeys = JourneysService(
        _journey_policy(settings),
        views=recommendations,
        # Erasing a customer's journeys also forgets their affinity and segment facts.
        erasures=(recommendations.erase_customer, marketing.erase_facts),
    )
    attribution = AttributionService(
        journeys, half_life=timedelta(days=settings.attribution_half_life_days)
    )
    reviews = ReviewsService(
        catalog=catalog,
        orders=orders,
        customers=customers,
        journeys=journeys,
        request_days=settings.review_request_days,
        storefront_url=settings.storefront_url,
    )
    # A digital line's first download starts the wait for its review request.
    downloads.follow_first_downloads(reviews.line_downloaded)
    return Services(
        settings=settings,
        catalog=catalog,
        access=access,
        cart=carts,
        shipping=shipping,
        tax=tax,
        limits=LimitsService(budgets_from_settings(settings)),
        operations=OperationsService(),
        inventory=inventory,
        orders=orders,
        checkout=CheckoutService(
            carts,
            inventory,
            orders,
            gateway,
            reservation_seconds=settings.reservation_seconds,
            promotions=promotions,
            settle_free=paid_orders.settle_free,
            loyalty=loyalty,
        ),
        gateway=gateway,
        notifications=notifications,
        customers=customers,
        customer_addresses=CustomerAddressesService(customers),
        identity=IdentityService(customers, jwt_secret=_jwt_secret(settings), outbox=notifications),
        customer_marketing=marketing,
        payment_events=StripeWebhooks(
            paid_orders,
            gateway,
            secret=settings.stripe_webhook_secret.value,
            tolerance_seconds=settings.stripe_webhook_tolerance_seconds,
        ),
        downloads=downloads,
        promotions=promotions,
        settlement=paid_orders,
        catalog_exchange=CatalogExchangeService(
            catalog,
            inventory,
            default_currency=settings.default_currency,
            launch=_in_process if settings.stage == "local" else None,
        ),
        recommendations=recommendations,
        journeys=journeys,
        attribution=attribution,
        reports=ReportsService(catalog, inventory, attribution),
        affiliates=AffiliatesService(
            lambda partner_id: access.partner(partner_id) is not None,
            gateway,
            catalog,
            pseudonym_key=_journey_policy(settings).signing_key,
            click_days=settings.affiliate_click_days,
            first_click=settings.affiliate_first_click,
        ),
        webhooks=_webhooks(settings, access),
        recovery=RecoveryService(
            carts,
            journeys,
            customers,
            marketing,
            promotions,
            opt_out_key=opt_out_key(settings),
            push=SnsPushEndpoints(settings.region, _push_applications(settings)),
            links=RecoveryLinks(settings.storefront_url, settings.public_url),
            # Staff's N days replace it once they save settings.
            defaults=RecoverySettings(
                after_days=max(1, round(settings.abandoned_cart_after_hours / 24))
            ),
        ),
        loyalty=loyalty,
        reviews=reviews,
    )


# Without a configured key (tests, scripts), one per process: endpoints that process
# creates are sealed for it only. `commerce serve` keeps a key in its data dir instead.
_LOCAL_WEBHOOK_KEY = secrets.token_urlsafe(32)


def _webhooks(settings: Settings, access: AccessService) -> WebhooksService:
    """Webhooks; without a key a deployed stage refuses to create endpoints."""
    key = settings.webhook_secrets_key.value or (
        _LOCAL_WEBHOOK_KEY if settings.stage == "local" else ""
    )
    deployed = settings.stage != "local"

    def partner_email(partner_id: str) -> str | None:
        partner = access.partner(partner_id)
        return None if partner is None else partner.email

    return WebhooksService(
        partner_email=partner_email,
        box=SecretBox(key) if key else None,
        sender=lambda: HttpSender(settings.webhook_timeout_seconds, deployed, resolve_host),
        deployed=deployed,
        resolve=resolve_host,
        disable_after_failures=settings.webhook_disable_after_failures,
        send_timeout_seconds=settings.webhook_timeout_seconds,
    )


# Without a configured key (tests, scripts), one per process: opt-out links that process
# sends work for it only. `commerce serve` keeps a key in its data dir instead.
_LOCAL_OPT_OUT_KEY = secrets.token_urlsafe(32)


def opt_out_key(settings: Settings) -> bytes:
    """The key that signs opt-out links; a made-up one only on a laptop or in tests. Empty
    in a deployed stage without one: then no link verifies (``read_link`` refuses all)."""
    if settings.recovery_signing_key.value:
        return settings.recovery_signing_key.value.encode()
    return _LOCAL_OPT_OUT_KEY.encode() if settings.stage == "local" else b""


def _push_applications(settings: Settings) -> dict[Platform, str]:
    """The SNS platform applications apps register devices with (none: push is off)."""
    found = {
        Platform.APNS: settings.push_apns_application_arn,
        Platform.FCM: settings.push_fcm_application_arn,
    }
    return {platform: arn for platform, arn in found.items() if arn}


# One per process, like the other local keys: visitor tokens a laptop or a test process
# issues stay valid for that process only.
_LOCAL_VISITOR_KEY = secrets.token_urlsafe(32)


def _journey_policy(settings: Settings) -> JourneyPolicy:
    """The journey settings; without a key a deployed stage refuses every visitor token."""
    key = settings.visitor_signing_key.value or (
        _LOCAL_VISITOR_KEY if settings.stage == "local" else ""
    )
    return JourneyPolicy(
        signing_key=key.encode(),
        require_consent=settings.analytics_require_consent,
        lookback=timedelta(days=settings.journey_lookback_days),
        own_hosts=frozenset(settings.own_hosts),
        visitor_budget=Budget(settings.visitor_event_budget, settings.visitor_event_restore_rate),
    )


def _in_process(job: Callable[[], None]) -> None:
    """Locally, a queued import runs in a thread of this process; in AWS the table's stream
    hands it to the events function instead (``commerce.events.consumers``)."""

    def run() -> None:
        try:
            job()
        except Exception:
            # Nobody waits on the thread: a failure that could not even be recorded on the
            # job (storage unreachable) is logged, and the job stays RUNNING.
            logging.getLogger("commerce.catalog_exchange").exception("catalog import thread")

    threading.Thread(target=run, name="catalog-import", daemon=True).start()


# One per process, like the JWT secret: links a laptop or a test process shows stay
# valid for that process only.
_LOCAL_DOWNLOAD_KEY = secrets.token_urlsafe(32)


def _download_signing_key(settings: Settings) -> str:
    """The key that signs download links; a made-up one only on a laptop or in tests."""
    if settings.download_signing_key.value:
        return settings.download_signing_key.value
    return _LOCAL_DOWNLOAD_KEY if settings.stage == "local" else ""


def _snapshot_files(settings: Settings) -> SnapshotFiles:
    """The catalog bucket in AWS, else ``<data dir>/catalog/<table>`` (one folder per table,
    so that tests on their own tables never prune each other's files)."""
    if settings.catalog_bucket:
        return S3SnapshotFiles(settings.catalog_bucket, settings.region)
    return FolderSnapshotFiles(settings.data_dir / "catalog" / settings.table_name)


def _files(settings: Settings) -> FileSource:
    """The files bucket in AWS (presigned redirects), else ``<data dir>/files``."""
    if settings.files_bucket:
        return S3Files(settings.files_bucket, settings.region, settings.presigned_url_seconds)
    return LocalFiles(settings.data_dir / "files")


# One per process: tokens a laptop's `commerce serve` (which keeps a secret under
# .commerce/) or a test process issues stay valid for that process.
_LOCAL_JWT_SECRET = secrets.token_urlsafe(32)


def _jwt_secret(settings: Settings) -> str | None:
    """The key that signs customer tokens; a made-up one only on a laptop or in tests."""
    if settings.jwt_secret.value:
        return settings.jwt_secret.value
    return _LOCAL_JWT_SECRET if settings.stage == "local" else None
