"""Pricing a cart for a shopper now: the catalog, the cart's destination and the live
promotions put together around the pure ``model.price_cart``.

The cart's use cases price every cart they return through this, and checkout prices the
cart it buys through it too (``CartService.for_checkout``), so a cart shown and the
order placed from it are priced by one composition.

Products come from the catalog service (never its store): one BatchGetItem for every
product of the cart, whatever the number of lines. A cart with a shipping address also
asks the shipping service for its country's zone and the tax service for its rate; both
keep their few items in a short in-process cache, so those reads add at most one GetItem
and one Query, and none while the cache is fresh. Promotions come the same way (one read
while the promotions cache is cold, none while warm); a cart holding discount codes adds
one BatchGetItem for them (two for a customer: their own use counts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime

from commerce.cart.model import (
    Cart,
    PricedCart,
    PricingInput,
    engine_line,
    price_cart,
)
from commerce.cart.totals import NOWHERE, Destination
from commerce.catalog.model import Product
from commerce.catalog.service import CatalogService
from commerce.money import Currency
from commerce.pricing.points import PointsValue
from commerce.pricing.shoppers import ShopperProfile, shopper_context
from commerce.principals import Shopper
from commerce.promotions.product_offers import ProductOffer, product_offers
from commerce.promotions.service import PromotionsService
from commerce.shipping.service import ShippingService
from commerce.tax.service import TaxService


class ProductCache:
    """Published products read through the catalog, each id at most once per use case.

    Used by one use case in one thread; ``prefetch`` starts a read in ``reads`` (a pool)
    that the next ``get`` waits for, so a change that needs no product can write the
    cart while the products its priced answer needs are read.
    """

    def __init__(self, catalog: CatalogService, reads: Executor | None = None) -> None:
        self._catalog = catalog
        self._reads = reads
        self._found: dict[str, Product] = {}
        self._asked: set[str] = set()
        self._pending: Future[dict[str, Product]] | None = None

    def prefetch(self, product_ids: Sequence[str]) -> None:
        """Start reading these products in the background (at once without a pool)."""
        if self._reads is None or self._pending is not None:
            self.get(product_ids)
            return
        missing = [pid for pid in dict.fromkeys(product_ids) if pid not in self._asked]
        if missing:
            self._asked.update(missing)
            self._pending = self._reads.submit(
                self._catalog.products, missing, include_unpublished=False
            )

    def get(self, product_ids: Sequence[str]) -> dict[str, Product]:
        """The published products among ``product_ids``; one batch read for new ids."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._found.update(pending.result())  # a failed read raises here, as inline
        missing = [pid for pid in dict.fromkeys(product_ids) if pid not in self._asked]
        if missing:
            self._found.update(self._catalog.products(missing, include_unpublished=False))
            self._asked.update(missing)
        return {pid: self._found[pid] for pid in product_ids if pid in self._found}


@dataclass(frozen=True, slots=True)
class CartOffer:
    """An offer on the cart's products: its saving on the cart now, and its near miss."""

    offer: ProductOffer
    saving: int
    next_step: str | None


class CartPricer:
    """Prices carts from the catalog, the shipping zones, the tax rates and the promotions."""

    def __init__(
        self,
        catalog: CatalogService,
        shipping: ShippingService,
        taxes: TaxService,
        promotions: PromotionsService | None,
        *,
        profiles: Callable[[str], ShopperProfile | None] | None,
        clock: Callable[[], datetime],
        points_value: Callable[[Currency], PointsValue | None] | None = None,
    ) -> None:
        # What loyalty points are worth per currency (loyalty context; cached there).
        self._points_value = points_value
        self._catalog = catalog
        self._shipping = shipping
        self._taxes = taxes
        self._promotions = promotions
        # A signed-in owner's segments, tags and first-order status (customers context).
        self._profiles = profiles
        self._clock = clock
        # Product reads that overlap a cart's write (``ProductCache.prefetch``): one per
        # change at a time, so a few threads serve every worker thread of the process.
        self._reads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="cart-products")

    @property
    def promotions(self) -> PromotionsService | None:
        """The promotions carts are priced with (None: a store without promotions)."""
        return self._promotions

    def products(self) -> ProductCache:
        """A fresh product cache: one per use case, so a change and its pricing share reads."""
        return ProductCache(self._catalog, self._reads)

    def price(
        self, cart: Cart, products: ProductCache, shopper: Shopper | None = None
    ) -> PricedCart:
        """``cart`` priced now for ``shopper``'s channel (its owner is the customer)."""
        found = products.get([ln.product_id for ln in cart.lines])
        return price_cart(
            cart,
            found,
            self._destination(cart, found),
            prices_include_tax=self._taxes.prices_include_tax,
            offers=self._pricing_input(cart, shopper),
        )

    def profile(self, customer_id: str | None) -> ShopperProfile | None:
        """What promotions may target about this customer (None for a guest)."""
        if customer_id is None or self._profiles is None:
            return None
        return self._profiles(customer_id)

    def offers(self, priced: PricedCart, shopper: Shopper) -> list[CartOffer]:
        """The item offers concerning the cart's products for its shopper, with what each
        saves on this cart now and what the cart still lacks for it (its near miss)."""
        if self._promotions is None or priced.promotions is None:
            return []
        promotions = self._promotions.promotions_for_pricing()
        owner = replace(shopper, customer_id=priced.cart.owner_id)
        context = shopper_context(
            owner,
            self._clock(),
            priced.cart.currency,
            self.profile(owner.customer_id),
            priced.cart.affiliate_id,
        )
        saved = {a.promotion_id: a.amount for a in priced.promotions.applied}
        missing = {n.promotion_id: n.text for n in priced.promotions.near_misses}
        found: dict[str, CartOffer] = {}
        for line in priced.lines:
            engine = engine_line(line)
            if engine is None:
                continue
            for offer in product_offers(engine, promotions, context):
                pid = offer.promotion.id
                found.setdefault(pid, CartOffer(offer, saved.get(pid, 0), missing.get(pid)))
        return list(found.values())

    def _pricing_input(self, cart: Cart, shopper: Shopper | None) -> PricingInput | None:
        """The live promotions (cached) and the cart's codes, for the cart's customer."""
        if self._promotions is None:
            return None
        customer = cart.owner_id
        codes = (
            self._promotions.codes_for_pricing(cart.discount_codes, customer)
            if cart.discount_codes
            else []
        )
        return PricingInput(
            promotions=self._promotions.promotions_for_pricing(),
            codes=codes,
            now=self._clock(),
            shopper=Shopper(customer_id=customer, channel=(shopper or Shopper()).channel),
            profile=self.profile(customer),
            points_value=(
                self._points_value(cart.currency)
                if cart.loyalty_points and customer is not None and self._points_value
                else None
            ),
        )

    def _destination(self, cart: Cart, products: dict[str, Product]) -> Destination:
        """The zone and tax rate of the cart's address (the zone only for physical goods)."""
        address = cart.shipping_address
        if address is None:
            return NOWHERE
        physical = False
        for line in cart.lines:
            product = products.get(line.product_id)
            variant = None if product is None else product.variant(line.variant_id)
            physical = physical or (variant is not None and variant.tracks_stock)
        zone = self._shipping.zone_for_country(address.country_code) if physical else None
        rate = self._taxes.rate_for(address.country_code, address.province)
        return Destination(has_address=True, zone=zone, tax_rate=rate)
