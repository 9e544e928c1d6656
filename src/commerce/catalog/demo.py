"""The demo bookstore that ``commerce serve`` seeds into an empty table.

Whoever first runs the project (a frontend team, a new engineer, a sales demo)
should find a catalog that exercises every storefront feature at once: series and
categories to browse, formats with and without stock, a book that is sold out and
one with the last copy left, a currency some products have no price in, an
upcoming volume shoppers cannot see yet, and tags that promotions target.

The books are written below as plain records so that the file reads like a
catalog; ``demo_collection_drafts`` and ``demo_product_drafts`` turn them into the
service's drafts, and ``seed_demo_catalog`` writes them through the service's
public use cases, so the demo data passes the same validation as staff input.
Authors, titles and blurbs are invented.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from commerce.catalog.commands import CollectionDraft, ProductDraft, VariantDraft
from commerce.catalog.model import Attribute, Image, OptionValue, VariantKind, handle_from_title
from commerce.catalog.service import CatalogService
from commerce.money import Currency, Money

# -- record types --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shelf:
    """A demo collection: a series, a genre or a curated shelf."""

    title: str
    description: str

    @property
    def handle(self) -> str:
        """The collection's handle, derived from its title like a product's."""
        return _handle(self.title)


@dataclass(frozen=True, slots=True, kw_only=True)
class Hardcover:
    """The printed edition: shipped by weight and limited by stock.

    Amounts are minor units (cents); ``cost`` is in USD, for margin reports.
    """

    usd: int
    eur: int
    cost: int
    grams: int
    stock: int
    gbp: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Download:
    """An e-book or audiobook edition: delivered by download, so never out of stock."""

    usd: int
    eur: int
    cost: int
    gbp: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Book:
    """One product: a title with its formats.

    ``sku`` is the stem each format's SKU starts with. ``shelves`` are the genre and
    curated collections; the series collection and the Audiobooks shelf (and the
    ``audiobook`` tag) follow from ``series`` and ``audiobook``, so they cannot
    disagree with the formats on offer.
    """

    sku: str
    title: str
    authors: tuple[str, ...]
    pages: int
    blurb: str
    shelves: tuple[Shelf, ...]
    tags: tuple[str, ...]
    hardcover: Hardcover
    ebook: Download
    audiobook: Download | None = None
    series: Shelf | None = None
    volume: int | None = None
    language: str = "English"
    published: bool = True


# -- authors -------------------------------------------------------------------------------

MARA_VELLACOTT = "Mara Vellacott"
IDRIS_CALLOWAY = "Idris Calloway"
SOLVEIG_BRANDT = "Solveig Brandt"
TEODOR_LISK = "Teodor Lisk"
JUNIPER_ASHDOWN = "Juniper Ashdown"

# -- collections ---------------------------------------------------------------------------

EMBERFALL = Shelf(
    "The Emberfall Cycle",
    "Mara Vellacott's epic fantasy of a fire-touched queen and the city that fears her.",
)
TIDEWATER = Shelf(
    "Tidewater Station",
    "Idris Calloway's deep-ocean science fiction, set on a research station under an alien sea.",
)
LANTERN_STREET = Shelf(
    "The Lantern Street Mysteries",
    "Solveig Brandt's cosy harbour-town mysteries, solved by a retired librarian and "
    "her very patient cat.",
)
SERIES = (EMBERFALL, TIDEWATER, LANTERN_STREET)

FANTASY = Shelf("Fantasy", "Dragons optional, wonder guaranteed.")
SCIENCE_FICTION = Shelf("Science Fiction", "Far futures, strange oceans and stranger stars.")
MYSTERY = Shelf("Mystery", "Locked rooms, loose threads and alibis that almost hold.")
STAFF_PICKS = Shelf("Staff Picks", "The books our booksellers press into customers' hands.")
AUDIOBOOKS = Shelf("Audiobooks", "Every title you can listen to, read by our favourite narrators.")
CATEGORIES = (FANTASY, SCIENCE_FICTION, MYSTERY, STAFF_PICKS, AUDIOBOOKS)

# -- the books -----------------------------------------------------------------------------

BOOKS: tuple[Book, ...] = (
    # The Emberfall Cycle: published in the UK first, so priced in GBP as well.
    Book(
        sku="EMB-1",
        title="The Ash-Born Queen",
        series=EMBERFALL,
        volume=1,
        authors=(MARA_VELLACOTT,),
        pages=544,
        blurb="A foundling raised by the kiln-keepers of Varrow learns that the fire in her "
        "hands once crowned a dynasty and then burned it. When the last ember-priest comes "
        "for her, she must choose between the queen the prophecy needs and the one the city "
        "deserves.",
        shelves=(FANTASY, STAFF_PICKS),
        tags=("fantasy", "bestseller", "award-winner"),
        hardcover=Hardcover(usd=2499, eur=2399, gbp=2099, cost=980, grams=820, stock=48),
        ebook=Download(usd=999, eur=999, gbp=799, cost=150),
        audiobook=Download(usd=1999, eur=1999, gbp=1699, cost=620),
    ),
    Book(
        sku="EMB-2",
        title="A Crown of Cinders",
        series=EMBERFALL,
        volume=2,
        authors=(MARA_VELLACOTT,),
        pages=592,
        blurb="Iselde holds the throne of Varrow but not its loyalty. As the ash-plague "
        "creeps up the river, an old friend returns wearing the colours of her enemies.",
        shelves=(FANTASY,),
        tags=("fantasy", "bestseller"),
        hardcover=Hardcover(usd=2599, eur=2499, gbp=2199, cost=1010, grams=880, stock=2),
        ebook=Download(usd=1099, eur=1099, gbp=899, cost=160),
        audiobook=Download(usd=2099, eur=1999, gbp=1799, cost=640),
    ),
    Book(
        sku="EMB-3",
        title="The Hearth at the World's Edge",
        series=EMBERFALL,
        volume=3,
        authors=(MARA_VELLACOTT,),
        pages=608,
        blurb="Exiled past the last lit hearth, Iselde bargains with the cold things that "
        "live where fire has never reached.",
        shelves=(FANTASY,),
        tags=("fantasy",),
        hardcover=Hardcover(usd=2599, eur=2499, gbp=2199, cost=1010, grams=910, stock=0),
        ebook=Download(usd=1099, eur=1099, gbp=899, cost=160),
        audiobook=Download(usd=2099, eur=1999, gbp=1799, cost=640),
    ),
    Book(
        sku="EMB-4",
        title="Emberfall",
        series=EMBERFALL,
        volume=4,
        authors=(MARA_VELLACOTT,),
        pages=640,
        blurb="The final volume of the cycle, in which the city, the crown and the fire "
        "come to their reckoning.",
        shelves=(FANTASY,),
        tags=("fantasy", "new"),
        # The hardcovers are already in the warehouse for release day.
        hardcover=Hardcover(usd=2799, eur=2699, gbp=2399, cost=1090, grams=960, stock=40),
        ebook=Download(usd=1299, eur=1299, gbp=1099, cost=180),
        published=False,  # upcoming: staff can prepare it, shoppers cannot see it yet
    ),
    # Tidewater Station: no GBP prices at all.
    Book(
        sku="TWS-1",
        title="The Drowned Relay",
        series=TIDEWATER,
        volume=1,
        authors=(IDRIS_CALLOWAY,),
        pages=416,
        blurb="Four kilometres under the ice of a moon nobody owns, a relay that should be "
        "dead starts answering back. Station engineer Ada Quill is the only one who "
        "understands the reply.",
        shelves=(SCIENCE_FICTION,),
        tags=("science-fiction", "bestseller", "award-winner"),
        hardcover=Hardcover(usd=2699, eur=2599, cost=1040, grams=700, stock=35),
        ebook=Download(usd=999, eur=999, cost=150),
        audiobook=Download(usd=1999, eur=1899, cost=600),
    ),
    Book(
        sku="TWS-2",
        title="Saltwater Protocol",
        series=TIDEWATER,
        volume=2,
        authors=(IDRIS_CALLOWAY,),
        pages=448,
        blurb="The corporation that owns the station wants the signal silenced, and it has "
        "sent an auditor who does not need to breathe.",
        shelves=(SCIENCE_FICTION,),
        tags=("science-fiction",),
        hardcover=Hardcover(usd=2699, eur=2599, cost=1040, grams=740, stock=0),
        ebook=Download(usd=999, eur=999, cost=150),
        audiobook=Download(usd=1999, eur=1899, cost=600),
    ),
    Book(
        sku="TWS-3",
        title="The Long Undertow",
        series=TIDEWATER,
        volume=3,
        authors=(IDRIS_CALLOWAY,),
        pages=432,
        blurb="A current older than the ocean drags Tidewater Station off its moorings. "
        "Ada has nine days to decide whom to save.",
        shelves=(SCIENCE_FICTION,),
        tags=("science-fiction",),
        hardcover=Hardcover(usd=2699, eur=2599, cost=1040, grams=720, stock=18),
        ebook=Download(usd=1099, eur=1099, cost=160),
        audiobook=Download(usd=2099, eur=1999, cost=620),
    ),
    Book(
        sku="TWS-4",
        title="Signals from the Trench",
        series=TIDEWATER,
        volume=4,
        authors=(IDRIS_CALLOWAY,),
        pages=400,
        blurb="The relay's makers finally speak in full sentences. The audiobook is still "
        "being recorded.",
        shelves=(SCIENCE_FICTION,),
        tags=("science-fiction", "new"),
        hardcover=Hardcover(usd=2799, eur=2699, cost=1080, grams=680, stock=3),
        ebook=Download(usd=1199, eur=1199, cost=170),
    ),
    # The Lantern Street Mysteries: only the first two hardcovers are sold in GBP.
    Book(
        sku="LSM-1",
        title="A Quiet Poison on Lantern Street",
        series=LANTERN_STREET,
        volume=1,
        authors=(SOLVEIG_BRANDT,),
        pages=336,
        blurb="Retired librarian Greta Holm notices that the overdue books all have one "
        "borrower in common, and that he has been dead for a week.",
        shelves=(MYSTERY,),
        tags=("mystery", "bestseller"),
        hardcover=Hardcover(usd=2299, eur=2199, gbp=1899, cost=880, grams=560, stock=60),
        ebook=Download(usd=899, eur=899, cost=130),
        audiobook=Download(usd=1799, eur=1799, cost=560),
    ),
    Book(
        sku="LSM-2",
        title="The Clockmaker's Alibi",
        series=LANTERN_STREET,
        volume=2,
        authors=(SOLVEIG_BRANDT,),
        pages=352,
        blurb="Every clock in the shop stopped at the moment of the murder, except the one "
        "the clockmaker swears by. Greta does not trust clocks.",
        shelves=(MYSTERY, STAFF_PICKS),
        tags=("mystery", "award-winner"),
        hardcover=Hardcover(usd=2299, eur=2199, gbp=1899, cost=880, grams=580, stock=1),
        ebook=Download(usd=899, eur=899, cost=130),
        audiobook=Download(usd=1799, eur=1799, cost=560),
    ),
    Book(
        sku="LSM-3",
        title="Nine Keys to Harbour House",
        series=LANTERN_STREET,
        volume=3,
        authors=(SOLVEIG_BRANDT,),
        pages=368,
        blurb="Nine heirs, nine keys and one locked study. Greta is invited to the reading "
        "of the will because the deceased expected to be murdered.",
        shelves=(MYSTERY,),
        tags=("mystery",),
        hardcover=Hardcover(usd=2399, eur=2299, cost=910, grams=600, stock=22),
        ebook=Download(usd=999, eur=999, cost=140),
        audiobook=Download(usd=1899, eur=1799, cost=580),
    ),
    Book(
        sku="LSM-4",
        title="The Widow of Copper Lane",
        series=LANTERN_STREET,
        volume=4,
        authors=(SOLVEIG_BRANDT,),
        pages=344,
        blurb="A widow hires Greta to prove her husband is alive. The husband hires her to "
        "prove the opposite.",
        shelves=(MYSTERY,),
        tags=("mystery", "new"),
        hardcover=Hardcover(usd=2399, eur=2299, cost=910, grams=570, stock=30),
        ebook=Download(usd=999, eur=999, cost=140),
    ),
    # Standalones.
    Book(
        sku="CSH",
        title="The Cartographer of Small Hours",
        authors=(TEODOR_LISK,),
        pages=288,
        blurb="In a city where time is surveyed like land, a mapmaker discovers an hour "
        "that belongs to no one and decides to live in it.",
        shelves=(SCIENCE_FICTION, STAFF_PICKS),
        tags=("science-fiction", "award-winner"),
        hardcover=Hardcover(usd=2499, eur=2399, cost=950, grams=480, stock=14),
        ebook=Download(usd=999, eur=999, cost=150),
        audiobook=Download(usd=1899, eur=1899, cost=580),
    ),
    Book(
        sku="ORB",
        title="Orbital Gardens",
        authors=(TEODOR_LISK,),
        pages=352,
        blurb="Three botanists, one failing greenhouse ring and a seed vault that nobody on "
        "Earth remembers sending up.",
        shelves=(SCIENCE_FICTION,),
        tags=("science-fiction", "new"),
        hardcover=Hardcover(usd=2699, eur=2599, cost=1030, grams=590, stock=25),
        ebook=Download(usd=1199, eur=1199, cost=170),
        published=False,  # announced but not on sale yet
    ),
    Book(
        sku="SLT",
        title="The Salt Orchard",
        authors=(JUNIPER_ASHDOWN,),
        pages=384,
        blurb="An orchard on the edge of the sea grows fruit that tastes of other people's "
        "memories. Its keeper has never dared to eat one.",
        shelves=(FANTASY, STAFF_PICKS),
        tags=("fantasy", "bestseller"),
        hardcover=Hardcover(usd=2499, eur=2399, cost=960, grams=620, stock=26),
        ebook=Download(usd=999, eur=999, gbp=849, cost=150),
        audiobook=Download(usd=1999, eur=1899, cost=600),
    ),
    Book(
        sku="FOG",
        title="Fog over Marrow Bay",
        authors=(JUNIPER_ASHDOWN, SOLVEIG_BRANDT),
        pages=320,
        blurb="Two rival crime writers are snowed in at a seaside inn where a guest "
        "vanishes every night. Written by two friends, one chapter each.",
        shelves=(MYSTERY,),
        tags=("mystery", "bestseller"),
        hardcover=Hardcover(usd=2399, eur=2299, cost=920, grams=540, stock=0),
        ebook=Download(usd=999, eur=999, cost=150),
        audiobook=Download(usd=1999, eur=1899, cost=620),
    ),
    Book(
        sku="BRD",
        title="A Field Guide to Imaginary Birds",
        authors=(JUNIPER_ASHDOWN,),
        pages=192,
        blurb="Forty birds that never were, painted in watercolour and described with a "
        "naturalist's straight face. No audiobook: it is mostly pictures.",
        shelves=(FANTASY, STAFF_PICKS),
        tags=("fantasy", "illustrated", "gift"),
        hardcover=Hardcover(usd=2999, eur=2899, cost=1350, grams=950, stock=9),
        ebook=Download(usd=1299, eur=1299, cost=200),
    ),
    Book(
        sku="LTR",
        title="Letters from the Lighthouse Keeper",
        authors=(MARA_VELLACOTT,),
        pages=176,
        blurb="A short, quiet novella of letters sent from a lighthouse that guides ships "
        "between worlds.",
        shelves=(FANTASY,),
        tags=("fantasy", "novella", "new"),
        hardcover=Hardcover(usd=1999, eur=1899, gbp=1599, cost=760, grams=340, stock=40),
        ebook=Download(usd=699, eur=699, gbp=599, cost=100),
        audiobook=Download(usd=1499, eur=1499, gbp=1299, cost=450),
    ),
)

# -- turning records into drafts -------------------------------------------------------------

FORMAT = "Format"
HARDCOVER = "Hardcover"
EBOOK = "E-book"
AUDIOBOOK = "Audiobook"

COVER_WIDTH = 1200
COVER_HEIGHT = 1800
BANNER_WIDTH = 2400
BANNER_HEIGHT = 800


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What seeding created, for the CLI to print."""

    collections: int
    products: int
    variants: int


def demo_collection_drafts() -> tuple[CollectionDraft, ...]:
    """Every demo collection (series first, then categories), with explicit handles."""
    return tuple(
        CollectionDraft(
            title=shelf.title,
            handle=shelf.handle,
            description=shelf.description,
            image=Image(
                url=f"https://images.example.com/collections/{shelf.handle}.jpg",
                alt_text=f"{shelf.title} banner",
                width=BANNER_WIDTH,
                height=BANNER_HEIGHT,
            ),
        )
        for shelf in (*SERIES, *CATEGORIES)
    )


def demo_product_drafts(collection_ids: Mapping[str, str]) -> tuple[ProductDraft, ...]:
    """Every demo product, referring to collections by the ids in ``collection_ids``.

    ``collection_ids`` maps collection handles to ids: products can only name a
    collection once it exists, so the seed creates collections first and passes
    their ids here, while tests can pass made-up ids.
    """
    return tuple(_product_draft(book, collection_ids) for book in BOOKS)


def seed_demo_catalog(catalog: CatalogService) -> SeedReport:
    """Create the demo collections, then the demo products, in an empty catalog.

    Goes through the public use cases only, so a rejected record fails loudly with
    ``Rejected``; on a catalog that already holds demo handles or SKUs it fails
    the same way, which is why callers check that the catalog is empty first.
    """
    ids: dict[str, str] = {}
    for collection_draft in demo_collection_drafts():
        collection = catalog.create_collection(collection_draft)
        ids[collection.handle] = collection.id
    products = [catalog.create_product(draft) for draft in demo_product_drafts(ids)]
    return SeedReport(
        collections=len(ids),
        products=len(products),
        variants=sum(len(product.variants) for product in products),
    )


def _handle(title: str) -> str:
    """A handle without the stray "s" an apostrophe would leave ("clockmakers-alibi")."""
    return handle_from_title(title.replace("'", ""))


def _product_draft(book: Book, collection_ids: Mapping[str, str]) -> ProductDraft:
    handle = _handle(book.title)
    attributes = [Attribute("author", book.authors)]
    if book.series is not None:
        attributes.append(Attribute("series", (book.series.title,)))
    if book.volume is not None:
        attributes.append(Attribute("volume", (str(book.volume),)))
    attributes += [
        Attribute("language", (book.language,)),
        Attribute("pages", (str(book.pages),)),
    ]
    shelves = [*([book.series] if book.series else []), *book.shelves]
    tags = list(book.tags)
    if book.audiobook is not None:
        shelves.append(AUDIOBOOKS)
        tags.append("audiobook")
    return ProductDraft(
        title=book.title,
        handle=handle,
        description=book.blurb,
        variants=_variant_drafts(book),
        attributes=tuple(attributes),
        tags=tuple(tags),
        images=(
            Image(
                url=f"https://images.example.com/covers/{handle}.jpg",
                alt_text=f"Cover of {book.title} by {' and '.join(book.authors)}",
                width=COVER_WIDTH,
                height=COVER_HEIGHT,
            ),
        ),
        collection_ids=tuple(collection_ids[shelf.handle] for shelf in shelves),
        published=book.published,
    )


def _variant_drafts(book: Book) -> tuple[VariantDraft, ...]:
    hardcover = book.hardcover
    variants = [
        VariantDraft(
            sku=f"{book.sku}-HC",
            options=(OptionValue(FORMAT, HARDCOVER),),
            prices=_prices(hardcover.usd, hardcover.eur, hardcover.gbp),
            kind=VariantKind.PHYSICAL,
            cost=Money(hardcover.cost, Currency.USD),
            weight_grams=hardcover.grams,
            initial_stock=hardcover.stock,
        ),
        _download_draft(f"{book.sku}-EB", EBOOK, book.ebook, _asset_key(book, EBOOK)),
    ]
    if book.audiobook is not None:
        variants.append(
            _download_draft(
                f"{book.sku}-AB", AUDIOBOOK, book.audiobook, _asset_key(book, AUDIOBOOK)
            )
        )
    return tuple(variants)


def _download_draft(sku: str, format_name: str, download: Download, asset_key: str) -> VariantDraft:
    return VariantDraft(
        sku=sku,
        options=(OptionValue(FORMAT, format_name),),
        prices=_prices(download.usd, download.eur, download.gbp),
        kind=VariantKind.DIGITAL,
        cost=Money(download.cost, Currency.USD),
        asset_key=asset_key,
    )


def _asset_key(book: Book, format_name: str) -> str:
    folder = "ebooks" if format_name == EBOOK else "audiobooks"
    return f"{folder}/{_handle(book.title)}.txt"


def demo_asset_files() -> dict[str, str]:
    """A small stand-in file for every demo download, by asset key (written on seed)."""
    files: dict[str, str] = {}
    for book in BOOKS:
        formats = [EBOOK] + ([AUDIOBOOK] if book.audiobook is not None else [])
        for format_name in formats:
            files[_asset_key(book, format_name)] = (
                f"{book.title} by {' and '.join(book.authors)} ({format_name}).\n"
                "A demo file of the commerce sample bookstore.\n"
            )
    return files


def _prices(usd: int, eur: int, gbp: int | None) -> tuple[Money, ...]:
    prices = [Money(usd, Currency.USD), Money(eur, Currency.EUR)]
    if gbp is not None:
        prices.append(Money(gbp, Currency.GBP))
    return tuple(prices)
