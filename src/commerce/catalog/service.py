"""Catalog use cases: what the storefront reads and what staff change.

Storefront listings come from a published catalog snapshot held in memory
(``docs/decisions/0012-catalog-at-scale.md``): built off the request path by
``publish_snapshot``, followed by every instance through a one-item pointer.
Single-product reads and every write go to DynamoDB directly. A rejected change
raises ``Rejected`` and writes nothing.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from commerce.catalog import listing, rules, snapshot, store
from commerce.catalog.commands import (
    CollectionChanges,
    CollectionDraft,
    ProductChanges,
    ProductDraft,
    VariantChanges,
    VariantDraft,
)
from commerce.catalog.errors import CatalogErrorCode as Code
from commerce.catalog.model import (
    CatalogSnapshot,
    Collection,
    Product,
    ProductRating,
    ProductView,
    Variant,
    handle_from_title,
    unique,
)
from commerce.catalog.snapshot_files import SnapshotFiles, SnapshotMissing
from commerce.catalog.view_follower import ViewFollower
from commerce.db.writes import ConditionsFailed, WriteSet
from commerce.ids import is_id, new_id
from commerce.money import Currency, Money
from commerce.problems import Problem, Rejected

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Publishing(enum.Enum):
    """Who publishes a new snapshot after this process changes the catalog."""

    # Before the change is answered: the next read sees it (tests, small local stores).
    INLINE = "inline"
    # A background thread of this process, once per burst of changes (`commerce serve`).
    BACKGROUND = "background"
    # The events function, from the table's stream (AWS): instances never build one.
    EVENTS = "events"


class CatalogService:
    """The catalog's use cases, over the single table."""

    def __init__(
        self,
        *,
        cache_seconds: float,
        files: SnapshotFiles,
        stale_seconds: float = 0.0,
        publishing: Publishing = Publishing.INLINE,
        max_page_size: int = 100,
        clock: Callable[[], datetime] = _utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_page_size = max_page_size
        self._clock = clock
        self._files = files
        self._publishing = publishing
        self._publisher = _BackgroundPublisher(self.publish_snapshot)
        # Bulk writers defer publishing: while any deferral is open, writes only mark
        # the catalog changed, and the last deferral to close publishes once.
        self._deferral_lock = threading.Lock()
        self._deferrals = 0
        self._changed_while_deferred = False
        self._views: ViewFollower[listing.CatalogView] = ViewFollower(
            newest=_newest_file_key,
            load=self._load_view,
            publish=lambda: self.publish_snapshot().file_key,
            fresh_seconds=cache_seconds,
            stale_seconds=stale_seconds,
            monotonic=monotonic,
        )

    # -- the published snapshot --------------------------------------------------------

    def publish_snapshot(self) -> store.SnapshotPointer:
        """Read the whole catalog, write its snapshot file and point instances at it.

        Off the request path only: the events function, `commerce catalog publish`, or
        after this process's own change. Returns the pointer now in force (a newer one
        when another builder's read began after ours).
        """
        # Wall time, not the injected clock: it orders builders on different machines.
        started = time.time_ns() // 1000
        catalog = store.load_snapshot()
        index = listing.build_index(catalog)
        data = snapshot.encode_index(catalog, index, self._clock())
        key = f"{started:020d}-{hashlib.sha256(data).hexdigest()[:16]}.snapshot"
        self._files.put(key, data)
        pointer = store.SnapshotPointer(key, started, len(catalog.products), len(data))
        if not store.publish_snapshot_pointer(pointer):
            return store.get_snapshot_pointer() or pointer
        log.info(
            "catalog snapshot published",
            extra={"file": key, "products": pointer.product_count, "bytes": len(data)},
        )
        # This process has the view already: no need to read back the file it just wrote.
        self._views.adopt(key, listing.view_of(catalog, index, key))
        return pointer

    def publish_unless_published_since(self, changed_at_micros: int) -> bool:
        """Publish unless a snapshot whose read began after ``changed_at_micros`` is out.

        The events function calls this for every catalog change of a batch: the first
        publishes, the others find it and skip, so a burst costs one catalog read.
        """
        newest = store.get_snapshot_pointer()
        if newest is not None and newest.read_started > changed_at_micros:
            return False
        self.publish_snapshot()
        return True

    def snapshot_pointer(self) -> store.SnapshotPointer | None:
        """The newest published snapshot, if any."""
        return store.get_snapshot_pointer()

    def _load_view(self, key: str) -> listing.CatalogView:
        try:
            data = self._files.get(key)
        except SnapshotMissing:
            # The pointer names a file this instance's store does not hold. With a view
            # held, keep serving it and back off (the publisher will move the pointer);
            # with none, build a new one rather than serve no catalog at all, as for a
            # table that was never published.
            if self._views.holding:
                raise
            log.warning("catalog snapshot missing; publishing a new one", extra={"file": key})
            newest = self.publish_snapshot().file_key
            return snapshot.decode(self._files.get(newest), newest)
        return snapshot.decode(data, key)

    # -- reads -------------------------------------------------------------------------

    def view(self) -> listing.CatalogView:
        """The catalog view: held, or checked against the pointer (blocking) when too old.

        ``CatalogUnavailable`` only when no view was ever loaded and loading fails.
        """
        return self._views.get()

    def current_view(self) -> listing.CatalogView | None:
        """The held view if it may be served now, without reading DynamoDB."""
        return self._views.current()

    def invalidate(self) -> None:
        """Check the pointer on the next read, so this process sees its own writes."""
        self._views.invalidate()

    def is_empty(self) -> bool:
        """Whether no product exists yet (the seed command only fills an empty catalog)."""
        return store.catalog_is_empty()

    def list_products(
        self,
        view: listing.CatalogView,
        query: listing.ProductQuery,
        page: listing.PageRequest,
        collection: listing.CollectionFilter | None = None,
    ) -> listing.ProductPage:
        """A page of products matching ``query``, narrowed to the ``collection`` a filter
        names (pure: the view is already in memory).

        ``ListingError`` for a bad page request.
        """
        if collection is not None:
            narrowed = listing.narrowed_to_collection(view, query, collection)
            if narrowed is None:
                return listing.EMPTY_PAGE
            query = narrowed
        return listing.list_products(view.index, query, page, self._max_page_size)

    def list_collections(self, page: listing.PageRequest) -> listing.CollectionPage:
        """A page of collections by title; ``ListingError`` for a bad page request."""
        return listing.list_collections(self.view().snapshot.collections, page, self._max_page_size)

    def cached_product(
        self,
        view: listing.CatalogView,
        *,
        product_id: str | None = None,
        handle: str | None = None,
    ) -> ProductView | None:
        """A published product from a view, or None (then read it with ``product``).

        Storefront pages are served from memory while the view is current, with stock
        as old as the view; staff reads and cold caches go to DynamoDB.
        """
        if product_id is not None:
            product = view.products_by_id.get(product_id)
        else:
            product = view.products_by_handle.get(handle or "")
        if product is None or not product.published:
            return None
        return ProductView(product, view.snapshot.stock)

    def product(self, product_id: str, *, include_unpublished: bool) -> ProductView | None:
        """A product with fresh stock, or None when absent or hidden from this caller."""
        if not is_id(product_id):
            return None
        record = store.get_product_record(product_id)
        if record is None or not (record.product.published or include_unpublished):
            return None
        return ProductView(record.product, record.stock)

    def product_by_handle(self, handle: str, *, include_unpublished: bool) -> ProductView | None:
        """A product by its handle, with fresh stock."""
        product_id = store.product_id_for_handle(handle)
        if product_id is None:
            return None
        return self.product(product_id, include_unpublished=include_unpublished)

    def products(
        self, product_ids: Sequence[str], *, include_unpublished: bool
    ) -> dict[str, Product]:
        """Several products by id in one batch; hidden or unknown ones are left out."""
        found = store.get_products([pid for pid in product_ids if is_id(pid)])
        return {pid: p for pid, p in found.items() if p.published or include_unpublished}

    def stock(self, variants: Sequence[tuple[str, str]]) -> dict[str, int]:
        """Fresh stock for (product id, variant id) pairs in one batch."""
        return store.get_stock(variants)

    # -- stock counters, for inventory -------------------------------------------------
    # The catalog creates and deletes a physical variant's counter with the variant;
    # inventory changes its count through these, inside its own unit of work.

    def stock_level(self, product_id: str, variant_id: str) -> int | None:
        """A variant's count now (strongly consistent); None when it has no counter."""
        return store.get_stock_level(product_id, variant_id)

    def swap_stock(
        self,
        writes: WriteSet,
        variant: tuple[str, str],
        previous: int | None,
        available: int,
        label: str,
        *,
        movement: str | None = None,
    ) -> None:
        """Add to ``writes`` a compare-and-swap of a count from ``previous`` to ``available``
        (``movement``: the inventory ledger entry it makes, named on the counter)."""
        store.add_stock_swap(
            writes,
            *variant,
            previous=previous,
            available=available,
            label=label,
            movement=movement,
        )

    def take_stock(
        self,
        writes: WriteSet,
        variant: tuple[str, str],
        quantity: int,
        label: str,
        *,
        movement: str | None = None,
    ) -> None:
        """Add to ``writes`` a decrement that fails ``label`` when fewer are available."""
        store.add_stock_take(writes, *variant, quantity, label, movement=movement)

    def return_stock(
        self,
        writes: WriteSet,
        variant: tuple[str, str],
        quantity: int,
        label: str,
        *,
        movement: str | None = None,
    ) -> None:
        """Add to ``writes`` an increment that fails ``label`` when the counter is gone."""
        store.add_stock_return(writes, *variant, quantity, label, movement=movement)

    # -- rating counts, for reviews ---------------------------------------------------
    # Reviews decide which reviews count; the catalog keeps the counts beside the product
    # so that its snapshot sorts and filters by them (docs/decisions/0021-reviews.md).

    def change_rating(self, writes: WriteSet, product_id: str, deltas: Sequence[int]) -> None:
        """Add to ``writes`` the change of a product's review counts (one delta per star)."""
        store.add_rating_change(writes, product_id, deltas)

    def ratings(self, product_ids: Sequence[str]) -> dict[str, ProductRating]:
        """Review counts of these products now, read fresh (products without are absent)."""
        return store.get_ratings([pid for pid in product_ids if is_id(pid)])

    def ratings_changed(self) -> None:
        """A committed rating change: publish as this process publishes catalog changes."""
        with self._deferral_lock:
            deferred = self._deferrals > 0
            self._changed_while_deferred |= deferred
        if not deferred:
            self._after_change()
        self.invalidate()

    def collection(self, collection_id: str) -> Collection | None:
        """A collection by id, fresh."""
        if not is_id(collection_id):
            return None
        record = store.get_collection_record(collection_id)
        return None if record is None else record.collection

    def collection_by_handle(self, handle: str) -> Collection | None:
        """A collection by handle, fresh."""
        collection_id = store.collection_id_for_handle(handle)
        return None if collection_id is None else self.collection(collection_id)

    # -- product changes -------------------------------------------------------------

    def create_product(self, draft: ProductDraft) -> Product:
        """Create a product with its variants, handle and initial stock.

        The draft's own problems (``rules.check_product_draft``) come back together with
        the collections it names that do not exist, so a form is fixed in one round trip.
        """
        collection_ids = unique(draft.collection_ids)
        problems = rules.check_product_draft(draft) + _unknown_collections(collection_ids)
        if problems:
            raise Rejected(problems)
        now = self._clock()
        variants = tuple(self._new_variant(d) for d in draft.variants)
        handle = handle_from_title(draft.title) if draft.handle is None else draft.handle
        product = Product(
            id=new_id(),
            handle=handle,
            title=draft.title.strip(),
            description=draft.description,
            created_at=now,
            updated_at=now,
            variants=variants,
            attributes=draft.attributes,
            tags=unique(t.strip() for t in draft.tags),
            images=draft.images,
            collection_ids=collection_ids,
            published=draft.published,
        )
        stock = {v.id: d.initial_stock for v, d in zip(variants, draft.variants, strict=True)}
        sku_fields = {v.sku: ("variants", str(i), "sku") for i, v in enumerate(variants)}
        self._write(lambda: store.insert_product(product, stock), sku_fields)
        return product

    def import_products(self, drafts: Sequence[ProductDraft]) -> list[Product]:
        """Create many products at once into a catalog that is empty (imports, seeding).

        Each draft is checked as ``create_product`` checks it, and handles and SKUs
        against each other; writes go in batches without conditions, so importing into a
        catalog that already has products is refused. One snapshot is published at the end.
        """
        if store.any_product_exists():
            raise Rejected(
                [Problem(Code.INVALID, "Import only into a catalog without products", ())]
            )
        problems: list[Problem] = []
        handles: set[str] = set()
        skus: set[str] = set()
        collection_ids = {cid for d in drafts for cid in d.collection_ids}
        existing = (
            store.existing_collection_ids(sorted(collection_ids)) if collection_ids else set()
        )
        now = self._clock()
        created: list[tuple[Product, dict[str, int]]] = []
        for n, draft in enumerate(drafts):
            found = rules.check_product_draft(draft)
            handle = handle_from_title(draft.title) if draft.handle is None else draft.handle
            if handle in handles:
                found.append(Problem(Code.HANDLE_TAKEN, "Handle is already in use", ("handle",)))
            for sku in (d.sku.strip() for d in draft.variants):
                if sku in skus:
                    found.append(Problem(Code.SKU_TAKEN, f"SKU {sku} is already in use", ("sku",)))
                skus.add(sku)
            if set(draft.collection_ids) - existing:
                found.append(Problem(Code.NOT_FOUND, "Collection not found", ("collectionIds",)))
            problems += [replace(p, field=(str(n), *p.field)) for p in found]
            handles.add(handle)
            variants = tuple(self._new_variant(d) for d in draft.variants)
            product = Product(
                id=new_id(),
                handle=handle,
                title=draft.title.strip(),
                description=draft.description,
                created_at=now,
                updated_at=now,
                variants=variants,
                attributes=draft.attributes,
                tags=unique(t.strip() for t in draft.tags),
                images=draft.images,
                collection_ids=unique(draft.collection_ids),
                published=draft.published,
            )
            stock = {v.id: d.initial_stock for v, d in zip(variants, draft.variants, strict=True)}
            created.append((product, stock))
        if problems:
            raise Rejected(problems)
        store.insert_products_in_bulk(created)
        self.publish_snapshot()
        self.invalidate()
        return [product for product, _ in created]

    def update_product(self, product_id: str, changes: ProductChanges) -> Product:
        """Change a product's own fields (not its variants)."""
        record = self._product_record(product_id)
        product = record.product
        problems = rules.check_product_changes(changes)
        collection_ids = product.collection_ids
        if changes.collection_ids is not None:
            collection_ids = unique(changes.collection_ids)
            problems += _unknown_collections(collection_ids)
        if problems:
            raise Rejected(problems)
        updated = replace(
            product,
            title=product.title if changes.title is None else changes.title.strip(),
            handle=changes.handle or product.handle,
            description=(
                product.description if changes.description is None else changes.description
            ),
            tags=product.tags if changes.tags is None else unique(t.strip() for t in changes.tags),
            attributes=product.attributes if changes.attributes is None else changes.attributes,
            images=product.images if changes.images is None else changes.images,
            collection_ids=collection_ids,
            updated_at=self._clock(),
        )
        self._write(lambda: store.replace_product(record, updated, {}))
        return updated

    def set_published(self, product_id: str, published: bool) -> Product:
        """Show a product on the storefront, or hide it."""
        record = self._product_record(product_id)
        updated = replace(record.product, published=published, updated_at=self._clock())
        self._write(lambda: store.replace_product(record, updated, {}))
        return updated

    def delete_product(self, product_id: str) -> str:
        """Remove a product, its variants, handle and stock; returns its id."""
        record = self._product_record(product_id)
        self._write(lambda: store.delete_product(record))
        return product_id

    # -- variant changes -------------------------------------------------------------

    def add_variant(self, product_id: str, draft: VariantDraft) -> tuple[Product, Variant]:
        """Add a variant (with initial stock when physical) to a product."""
        record = self._product_record(product_id, field=("productId",))
        problems = rules.check_variant_draft(draft, ())
        variant = self._new_variant(draft)
        variants = (*record.product.variants, variant)
        problems += rules.check_variant_set(variants, ())
        if problems:
            raise Rejected(problems)
        updated = replace(record.product, variants=variants, updated_at=self._clock())
        stock = {variant.id: draft.initial_stock} if variant.tracks_stock else {}
        self._write(lambda: store.replace_product(record, updated, stock))
        return updated, variant

    def update_variant(
        self, product_id: str, variant_id: str, changes: VariantChanges
    ) -> tuple[Product, Variant]:
        """Change a variant's SKU, options, kind, cost or weight."""
        record, variant = self._variant(product_id, variant_id)
        problems = rules.check_variant_changes(changes)
        changed = replace(
            variant,
            sku=variant.sku if changes.sku is None else changes.sku,
            options=variant.options if changes.options is None else changes.options,
            kind=variant.kind if changes.kind is None else changes.kind,
            cost=None if changes.clear_cost else (changes.cost or variant.cost),
            weight_grams=(
                variant.weight_grams if changes.weight_grams is None else changes.weight_grams
            ),
            asset_key=variant.asset_key if changes.asset_key is None else changes.asset_key,
        )
        variants = tuple(changed if v.id == variant_id else v for v in record.product.variants)
        problems += rules.check_variant_set(variants, ())
        if problems:
            raise Rejected(problems)
        updated = replace(record.product, variants=variants, updated_at=self._clock())
        self._write(lambda: store.replace_product(record, updated, {}))
        return updated, changed

    def delete_variant(self, product_id: str, variant_id: str) -> Product:
        """Remove a variant and its stock; a product keeps at least one variant."""
        record, _ = self._variant(product_id, variant_id)
        if len(record.product.variants) == 1:
            raise Rejected(
                [Problem(Code.LAST_VARIANT, "A product needs at least one variant", ("id",))]
            )
        variants = tuple(v for v in record.product.variants if v.id != variant_id)
        updated = replace(record.product, variants=variants, updated_at=self._clock())
        self._write(lambda: store.replace_product(record, updated, {}))
        return updated

    def set_prices(
        self,
        product_id: str,
        variant_id: str,
        prices: Sequence[Money],
        remove: Sequence[Currency] = (),
    ) -> tuple[Product, Variant]:
        """Set a variant's price in some currencies and drop it in others."""
        record, variant = self._variant(product_id, variant_id)
        problems = rules.check_price_changes(prices, remove)
        if problems:
            raise Rejected(problems)
        kept = {p.currency: p for p in variant.prices if p.currency not in remove}
        kept.update({p.currency: p for p in prices})
        changed = replace(
            variant, prices=tuple(sorted(kept.values(), key=lambda p: p.currency.value))
        )
        variants = tuple(changed if v.id == variant_id else v for v in record.product.variants)
        updated = replace(record.product, variants=variants, updated_at=self._clock())
        self._write(lambda: store.replace_product(record, updated, {}))
        return updated, changed

    # -- collections -----------------------------------------------------------------

    def create_collection(self, draft: CollectionDraft) -> Collection:
        """Create a collection with a unique handle."""
        handle = draft.handle if draft.handle is not None else handle_from_title(draft.title)
        problems = rules.check_collection_draft(draft)
        if problems:
            raise Rejected(problems)
        now = self._clock()
        collection = Collection(
            id=new_id(),
            handle=handle,
            title=draft.title.strip(),
            description=draft.description,
            created_at=now,
            updated_at=now,
            image=draft.image,
        )
        self._write(lambda: store.insert_collection(collection))
        return collection

    def update_collection(self, collection_id: str, changes: CollectionChanges) -> Collection:
        """Change a collection's title, handle, description or image."""
        record = self._collection_record(collection_id)
        problems = rules.check_collection_changes(changes)
        if problems:
            raise Rejected(problems)
        current = record.collection
        updated = replace(
            current,
            title=current.title if changes.title is None else changes.title.strip(),
            handle=changes.handle or current.handle,
            description=(
                current.description if changes.description is None else changes.description
            ),
            image=changes.image or current.image,
            updated_at=self._clock(),
        )
        self._write(lambda: store.replace_collection(record, updated))
        return updated

    def delete_collection(self, collection_id: str) -> str:
        """Remove a collection; products that listed it simply stop showing it."""
        record = self._collection_record(collection_id)
        self._write(lambda: store.delete_collection(record))
        return collection_id

    def add_to_collection(self, collection_id: str, product_ids: Sequence[str]) -> Collection:
        """Make products members of a collection (already members are left as they are)."""
        return self._change_membership(collection_id, product_ids, add=True)

    def remove_from_collection(self, collection_id: str, product_ids: Sequence[str]) -> Collection:
        """Take products out of a collection."""
        return self._change_membership(collection_id, product_ids, add=False)

    def _change_membership(
        self, collection_id: str, product_ids: Sequence[str], *, add: bool
    ) -> Collection:
        collection = self._collection_record(collection_id, field=("collectionId",)).collection
        problems = rules.check_membership(product_ids)
        if problems:
            raise Rejected(problems)
        wanted = unique(product_ids)
        records: list[store.ProductRecord] = []
        for i, product_id in enumerate(wanted):
            record = store.get_product_record(product_id) if is_id(product_id) else None
            if record is None:
                problems.append(
                    Problem(Code.NOT_FOUND, "Product not found", ("productIds", str(i)))
                )
            else:
                records.append(record)
        if problems:
            raise Rejected(problems)
        changes: list[tuple[store.ProductRecord, Product]] = []
        now = self._clock()
        for record in records:
            ids = record.product.collection_ids
            if add and collection.id not in ids:
                ids = (*ids, collection.id)
            elif not add and collection.id in ids:
                ids = tuple(i for i in ids if i != collection.id)
            else:
                continue
            changes.append((record, replace(record.product, collection_ids=ids, updated_at=now)))
        self._write(lambda: store.replace_products(changes))
        return collection

    # -- bulk reads for catalog files (catalog_exchange) ------------------------------
    # An import compares a whole file with the stored products before it writes anything,
    # so it reads them in batches rather than one product per round trip.

    def products_by_handles(self, handles: Sequence[str]) -> dict[str, ProductView]:
        """Products (published or not) with fresh stock, by handle; unknown handles are absent."""
        ids = store.product_ids_for_handles(handles)
        products = store.get_products(list(ids.values()))
        stock = store.get_stock(
            [(p.id, v.id) for p in products.values() for v in p.variants if v.tracks_stock]
        )
        return {
            handle: ProductView(
                products[pid], {v.id: stock[v.id] for v in products[pid].variants if v.id in stock}
            )
            for handle, pid in ids.items()
            if pid in products
        }

    def sku_owners(self, skus: Sequence[str]) -> dict[str, str]:
        """The id of the product owning each of these SKUs that is in use."""
        return store.product_ids_for_skus(skus)

    def full_snapshot(self) -> CatalogSnapshot:
        """Every product (published or not), collection and stock count, read now, uncached."""
        return store.load_snapshot()

    # -- helpers ---------------------------------------------------------------------

    def _new_variant(self, draft: VariantDraft) -> Variant:
        return Variant(
            id=new_id(),
            sku=draft.sku.strip(),
            options=draft.options,
            prices=tuple(sorted(draft.prices, key=lambda p: p.currency.value)),
            kind=draft.kind,
            cost=draft.cost,
            weight_grams=draft.weight_grams,
            asset_key=draft.asset_key,
        )

    def _product_record(
        self, product_id: str, field: tuple[str, ...] = ("id",)
    ) -> store.ProductRecord:
        record = store.get_product_record(product_id) if is_id(product_id) else None
        if record is None:
            raise Rejected([Problem(Code.NOT_FOUND, "Product not found", field)])
        return record

    def _variant(self, product_id: str, variant_id: str) -> tuple[store.ProductRecord, Variant]:
        record = self._product_record(product_id)
        variant = record.product.variant(variant_id)
        if variant is None:
            raise Rejected([Problem(Code.NOT_FOUND, "Variant not found", ("id",))])
        return record, variant

    def _collection_record(
        self, collection_id: str, field: tuple[str, ...] = ("id",)
    ) -> store.CollectionRecord:
        record = store.get_collection_record(collection_id) if is_id(collection_id) else None
        if record is None:
            raise Rejected([Problem(Code.NOT_FOUND, "Collection not found", field)])
        return record

    def _write(
        self,
        write: Callable[[], None],
        sku_fields: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        """Run a store write, turning failed conditions into user-facing problems.

        ``sku_fields`` names the input field of each SKU when it is not plain ``sku``.
        """
        try:
            write()
        except ConditionsFailed as failed:
            fields = sku_fields or {}
            raise Rejected([_problem_for(label, fields) for label in failed.labels]) from None
        with self._deferral_lock:
            deferred = self._deferrals > 0
            self._changed_while_deferred |= deferred
        if not deferred:
            self._after_change()
        self.invalidate()

    def _after_change(self) -> None:
        """Publish the changed catalog as this process's publishing setting says."""
        if self._publishing is Publishing.INLINE:
            self.publish_snapshot()
        elif self._publishing is Publishing.BACKGROUND:
            self._publisher.request()

    @contextlib.contextmanager
    def publishing_deferred(self) -> Iterator[None]:
        """Writes inside publish one snapshot at the end, not one each.

        A bulk import of N products would otherwise read and index the whole catalog N
        times with inline publishing; on AWS (events publishing) the stream batches
        them already, and this changes nothing.
        """
        with self._deferral_lock:
            self._deferrals += 1
        try:
            yield
        finally:
            with self._deferral_lock:
                self._deferrals -= 1
                publish = self._deferrals == 0 and self._changed_while_deferred
                if publish:
                    self._changed_while_deferred = False
            if publish:
                self._after_change()


def _newest_file_key() -> str | None:
    pointer = store.get_snapshot_pointer()
    return None if pointer is None else pointer.file_key


class _BackgroundPublisher:
    """Publishes in one background thread; requests during a run make one more run."""

    def __init__(self, publish: Callable[[], object]) -> None:
        self._publish = publish
        self._lock = threading.Lock()
        self._running = False
        self._again = False

    def request(self) -> None:
        with self._lock:
            if self._running:
                self._again = True
                return
            self._running = True
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                self._publish()
            except Exception:
                log.exception("publishing the catalog snapshot failed")
            with self._lock:
                if not self._again:
                    self._running = False
                    return
                self._again = False


def _unknown_collections(ids: Sequence[str]) -> list[Problem]:
    # Read, not checked inside the write: a condition on the collection item would make
    # concurrent writes to products of one collection conflict with each other.
    existing = store.existing_collection_ids([cid for cid in ids if is_id(cid)]) if ids else set()
    return [
        Problem(Code.NOT_FOUND, "Collection not found", ("collectionIds", str(i)))
        for i, cid in enumerate(ids)
        if cid not in existing
    ]


def _problem_for(label: str, sku_fields: Mapping[str, tuple[str, ...]]) -> Problem:
    if label == store.HANDLE_TAKEN:
        return Problem(Code.HANDLE_TAKEN, "Handle is already in use", ("handle",))
    if label.startswith("sku:"):
        sku = label.removeprefix("sku:")
        field = sku_fields.get(sku, ("sku",))
        return Problem(Code.SKU_TAKEN, f"SKU {sku} is already in use", field)
    return Problem(
        Code.CONCURRENT_UPDATE,
        "Changed by someone else meanwhile; read it again and retry",
        (),
    )
