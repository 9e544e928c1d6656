"""The demo store ``commerce serve`` seeds: the bookstore's catalog and what shows it off.

A catalog alone shows little of what the product is good at: without shipping zones a
physical book cannot reach checkout, and without promotions carts show no discounts,
explanations or near-miss hints. So a local table also gets three zones (domestic, EU,
rest of world) priced in every currency the catalog sells in, a few tax rates, the
offers the business runs, a customer who can log in and a partner with a key.

Everything goes through the services' public use cases, so demo data passes the checks
staff input does. Seeding is idempotent: each piece is looked up by its name (zone,
promotion, code, email) and made only when absent, so a restart, or a table seeded by an
older version, ends with one of each. API keys are secrets stored as hashes: the caller
hands back the plaintexts it kept (``held_keys``) and a new key is issued only for a
name whose kept plaintext no longer authenticates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from commerce.access.service import InvalidApiKey
from commerce.catalog.demo import (
    AUDIOBOOK,
    HARDCOVER,
    LANTERN_STREET,
    STAFF_PICKS,
    TIDEWATER,
    SeedReport,
    seed_demo_catalog,
)
from commerce.catalog.model import Product
from commerce.composition import Services
from commerce.countries import COUNTRY_CODES
from commerce.customers.identity.commands import SignUp
from commerce.customers.identity.rules import normalized_email
from commerce.money import Currency, Money
from commerce.pricing.model import (
    ALWAYS,
    Bundle,
    BundleComponent,
    BuyXGetY,
    Conditions,
    FreeShipping,
    Offer,
    OrderOff,
    Promotion,
    Selector,
    SeriesSet,
)
from commerce.principals import Scope
from commerce.shipping.commands import RateDraft, ZoneDraft
from commerce.shipping.model import RateKind, WeightBand
from commerce.tax.commands import TaxPlace, TaxRateSetting
from commerce.variant_refs import VariantRef

USD, EUR, GBP = Currency.USD, Currency.EUR, Currency.GBP

# -- shipping ------------------------------------------------------------------------------

DOMESTIC = "Domestic"
EU = "European Union"
REST_OF_WORLD = "Rest of world"
_EU_TEXT = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
EU_COUNTRIES = tuple(_EU_TEXT.split())
DOMESTIC_COUNTRIES = ("US",)


def _prices(usd: int, eur: int, gbp: int) -> tuple[Money, ...]:
    return (Money(usd, USD), Money(eur, EUR), Money(gbp, GBP))


@dataclass(frozen=True, slots=True)
class DemoRate:
    """A rate as the demo writes it: flat prices or weight bands, in every currency."""

    title: str
    kind: RateKind
    prices: tuple[Money, ...] = ()
    bands: tuple[WeightBand, ...] = ()


ZONES: tuple[tuple[str, tuple[str, ...], tuple[DemoRate, ...]], ...] = (
    (
        DOMESTIC,
        DOMESTIC_COUNTRIES,
        (
            DemoRate(
                "Standard (3-5 days)",
                RateKind.WEIGHT,
                bands=(
                    WeightBand(1000, _prices(499, 499, 399)),
                    WeightBand(3000, _prices(799, 749, 649)),
                    WeightBand(10000, _prices(1299, 1199, 999)),
                ),
            ),
            DemoRate("Express (next day)", RateKind.FLAT, _prices(1499, 1399, 1199)),
        ),
    ),
    (
        EU,
        EU_COUNTRIES,
        (
            DemoRate("Standard (5-8 days)", RateKind.FLAT, _prices(999, 899, 799)),
            DemoRate("Express (2-3 days)", RateKind.FLAT, _prices(2499, 2299, 1999)),
        ),
    ),
    (
        REST_OF_WORLD,
        tuple(sorted(COUNTRY_CODES - set(EU_COUNTRIES) - set(DOMESTIC_COUNTRIES))),
        (
            DemoRate(
                "International (7-14 days)",
                RateKind.WEIGHT,
                bands=(
                    WeightBand(1000, _prices(1499, 1399, 1199)),
                    WeightBand(5000, _prices(2999, 2799, 2399)),
                ),
            ),
        ),
    ),
)

# -- tax -----------------------------------------------------------------------------------

# Books are taxed at reduced rates in much of Europe; US rates are per state.
TAX_RATES: tuple[tuple[str, str | None, str], ...] = (
    ("US", "CA", "7.25"),
    ("US", "NY", "8.875"),
    ("US", "WA", "6.5"),
    ("DE", None, "7"),
    ("FR", None, "5.5"),
    ("NL", None, "9"),
    ("GB", None, "20"),
)

# -- offers --------------------------------------------------------------------------------

WELCOME_CODE = "WELCOME10"
BUY_THREE = "Staff Picks: buy 3, get the 4th free"
BUNDLE = "The Ash-Born Queen: hardcover and audiobook together"
FREE_SHIPPING = "Free shipping on orders over {amount}"
WELCOME = "Welcome: 10% off with WELCOME10"
COMPLETE_SERIES = "15% off the complete {series}"
FIRST_VOLUME = "the-ash-born-queen"
# The bundle's fixed price per currency, below the two formats bought apart.
BUNDLE_PRICES = (Money(3499, USD), Money(3399, EUR), Money(2999, GBP))
FREE_SHIPPING_ABOVE = (Money(5000, USD), Money(5000, EUR), Money(4000, GBP))
COMPLETE_SERIES_SHELVES = (LANTERN_STREET, TIDEWATER)

# -- accounts ------------------------------------------------------------------------------

CUSTOMER_EMAIL = "reader@example.com"
# A demo password, printed at start: the local stage only (``seed_demo_store``'s callers).
CUSTOMER_PASSWORD = "demo-reader-2026"  # noqa: S105 (printed on purpose, locally)
PARTNER_NAME = "Bookish Blog"
PARTNER_EMAIL = "partner@example.com"
ADMIN_KEY_NAME = "demo admin"
PARTNER_KEY_NAME = "demo partner"


@dataclass(frozen=True, slots=True)
class DemoStoreReport:
    """What seeding made this time (nothing on a table that already has it all)."""

    catalog: SeedReport | None
    zones: int
    tax_rates: int
    promotions: int
    customer_created: bool = False
    partner_id: str | None = None
    # Key name -> plaintext, for every demo key that works: held ones and new ones.
    keys: Mapping[str, str] = field(default_factory=dict)


def seed_demo_store(
    services: Services, *, accounts: bool, held_keys: Mapping[str, str] | None = None
) -> DemoStoreReport:
    """Seed whatever part of the demo store is missing; see the module docstring.

    ``accounts`` adds the demo customer, partner and API keys, whose credentials are
    printed: only a local stage asks for them, since anyone reading this file knows them.
    """
    catalog = seed_demo_catalog(services.catalog) if services.catalog.is_empty() else None
    report = DemoStoreReport(
        catalog,
        zones=_seed_zones(services),
        tax_rates=_seed_tax_rates(services),
        promotions=_seed_promotions(services),
    )
    if not accounts:
        return report
    partner_id = _seed_partner(services)
    return replace(
        report,
        customer_created=_seed_customer(services),
        partner_id=partner_id,
        keys=_seed_keys(services, partner_id, held_keys or {}),
    )


def _seed_zones(services: Services) -> int:
    shipping = services.shipping
    existing = {zone.name for zone in shipping.zones()}
    made = 0
    for name, countries, rates in ZONES:
        if name in existing:
            continue
        zone = shipping.create_zone(ZoneDraft(name, countries))
        for rate in rates:
            shipping.create_rate(RateDraft(zone.id, rate.title, rate.kind, rate.prices, rate.bands))
        made += 1
    return made


def _seed_tax_rates(services: Services) -> int:
    tax = services.tax
    existing = {(rate.country_code, rate.region_code or None) for rate in tax.rates()}
    made = 0
    for country, region, percentage in TAX_RATES:
        if (country, region) in existing:
            continue
        tax.set_rate(TaxRateSetting(TaxPlace(country, region), Decimal(percentage)))
        made += 1
    return made


def _demo_promotions(services: Services) -> list[Promotion]:
    """Every demo promotion, with the ids of the seeded collections and products."""
    catalog = services.catalog
    staff_picks = catalog.collection_by_handle(STAFF_PICKS.handle)
    first = catalog.product_by_handle(FIRST_VOLUME, include_unpublished=True)
    if staff_picks is None or first is None:
        raise LookupError("the demo catalog is incomplete; seed an empty table")
    promotions = [
        _promotion(
            BUY_THREE,
            BuyXGetY(Selector(collection_ids=frozenset({staff_picks.id})), buy=3, noun="book"),
        ),
        *(
            _promotion(
                COMPLETE_SERIES.format(series=shelf.title),
                SeriesSet(shelf.title, ("1", "2", "3", "4"), Decimal(15)),
            )
            for shelf in COMPLETE_SERIES_SHELVES
        ),
        *(
            _promotion(BUNDLE, _bundle(first.product, price.amount), currency=price.currency)
            for price in BUNDLE_PRICES
        ),
        *(
            _promotion(
                FREE_SHIPPING.format(amount=_shown(threshold)),
                FreeShipping(threshold.amount),
                currency=threshold.currency,
            )
            for threshold in FREE_SHIPPING_ABOVE
        ),
        _promotion(
            WELCOME, OrderOff(percent=Decimal(10)), conditions=Conditions(requires_code=True)
        ),
    ]
    return promotions


def _shown(money: Money) -> str:
    symbol = {USD: "$", EUR: "€", GBP: "£"}[money.currency]
    return f"{symbol}{money.amount // 100}"


def _promotion(
    name: str,
    offer: Offer,
    *,
    currency: Currency | None = None,
    conditions: Conditions = ALWAYS,
) -> Promotion:
    return Promotion(id="", name=name, offer=offer, currency=currency, conditions=conditions)


def _bundle(product: Product, price: int) -> Bundle:
    """The first volume's hardcover with its audiobook, named by variant."""
    by_format = {v.title: VariantRef(product.id, v.id) for v in product.variants}
    return Bundle(
        components=tuple(
            BundleComponent(Selector(variant_ids=frozenset({by_format[name]})), label=name)
            for name in (HARDCOVER, AUDIOBOOK)
        ),
        price=price,
    )


def _seed_promotions(services: Services) -> int:
    promotions = services.promotions
    existing = {(p.name, p.currency) for p in promotions.promotions()}
    made = 0
    for promotion in _demo_promotions(services):
        if (promotion.name, promotion.currency) in existing:
            continue
        created = promotions.create_promotion(promotion)
        if created.name == WELCOME:
            promotions.create_code(created.id, WELCOME_CODE, per_customer_limit=1)
        made += 1
    return made


def _seed_customer(services: Services) -> bool:
    if services.customers.account_for_email(normalized_email(CUSTOMER_EMAIL)) is not None:
        return False
    services.identity.sign_up(
        SignUp(CUSTOMER_EMAIL, CUSTOMER_PASSWORD, first_name="Robin", last_name="Reader")
    )
    return True


def _seed_partner(services: Services) -> str:
    access = services.access
    for partner in access.partners():
        if partner.email == PARTNER_EMAIL:
            return partner.id
    return access.create_partner(PARTNER_NAME, PARTNER_EMAIL).id


def _seed_keys(services: Services, partner_id: str, held_keys: Mapping[str, str]) -> dict[str, str]:
    access = services.access
    wanted: dict[str, tuple[frozenset[Scope], str | None]] = {
        ADMIN_KEY_NAME: (frozenset({Scope.ADMIN}), None),
        PARTNER_KEY_NAME: (frozenset({Scope.PARTNER_REPORTS}), partner_id),
    }
    keys: dict[str, str] = {}
    for name, (scopes, partner) in wanted.items():
        held = held_keys.get(name)
        if held is not None and _works(services, held):
            keys[name] = held
            continue
        keys[name] = access.create_key(name, scopes, partner_id=partner).plaintext
    return keys


def _works(services: Services, plaintext: str) -> bool:
    try:
        services.access.authenticate(plaintext)
    except InvalidApiKey:
        return False
    return True
