"""Recommended products as the API shows them: ``Product.recommendations`` and the item
types the shopper's ``recommendations`` query shares.

They live beside ``Product`` because a product's field must: recommendations/ builds
the lists and imports the catalog, so the catalog reaches its service only through the
request's services (typed for the checker alone) and converts its answers here, by
value (see ``docs/decisions/0014-recommendations.md``).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.dataloader import DataLoader

from commerce.catalog.api.loaders import CATALOG, catalog_view_loader
from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput
from commerce.graphql.relay import Connection, Edge, PageInfo
from commerce.money import Currency

# The longest list one product or shopper may ask for (the service's own limit too).
MAX_RECOMMENDATIONS = 20

if TYPE_CHECKING:
    from commerce.catalog.api.types import ProductType
    from commerce.recommendations.ranking import Recommendation


@strawberry.enum(description="Which list of recommendations a product page asks for.")
class ProductRecommendationKind(enum.Enum):
    COMPLEMENTARY = strawberry.enum_value(
        "COMPLEMENTARY", description="Frequently bought together, learned from paid orders."
    )
    RELATED = strawberry.enum_value(
        "RELATED",
        description=(
            "Shares the product's series, author, collections or tags; then what its "
            "viewers also viewed."
        ),
    )


@strawberry.enum(
    description="Why a product is recommended, for programs (the message is for people)."
)
class RecommendationReasonCode(enum.Enum):
    BOUGHT_TOGETHER = strawberry.enum_value(
        "BOUGHT_TOGETHER", description="Often bought with this product."
    )
    SAME_SERIES = strawberry.enum_value("SAME_SERIES", description="In the same series.")
    SAME_AUTHOR = strawberry.enum_value("SAME_AUTHOR", description="By the same author.")
    SAME_COLLECTION = strawberry.enum_value(
        "SAME_COLLECTION", description="In the same collection."
    )
    SHARED_TAG = strawberry.enum_value("SHARED_TAG", description="Carries the same tag.")
    NEXT_IN_SERIES = strawberry.enum_value(
        "NEXT_IN_SERIES", description="The next volume of a series the shopper bought."
    )
    VIEWED_TOGETHER = strawberry.enum_value(
        "VIEWED_TOGETHER",
        description="Viewed by shoppers who viewed this product (RELATED, after shared links).",
    )
    BECAUSE_YOU_BOUGHT = strawberry.enum_value(
        "BECAUSE_YOU_BOUGHT", description="Bought together with something the shopper bought."
    )
    AUTHOR_YOU_READ = strawberry.enum_value(
        "AUTHOR_YOU_READ", description="By an author the shopper bought before."
    )
    BUY_AGAIN = strawberry.enum_value("BUY_AGAIN", description="The shopper bought it before.")
    GOES_WITH_CART = strawberry.enum_value(
        "GOES_WITH_CART", description="Bought together with something in the cart."
    )
    BECAUSE_YOU_VIEWED = strawberry.enum_value(
        "BECAUSE_YOU_VIEWED", description="Viewed by the shopper, or bought with what they viewed."
    )
    POPULAR_IN_COUNTRY = strawberry.enum_value(
        "POPULAR_IN_COUNTRY", description="A best seller where the shopper's orders ship."
    )
    POPULAR = strawberry.enum_value("POPULAR", description="A best seller of the store.")


@strawberry.type(description="Why a product is recommended.")
class RecommendationReason:
    code: RecommendationReasonCode = strawberry.field(description="The reason, for programs.")
    message: str = strawberry.field(
        description='A sentence for shoppers, e.g. "Because you bought *A Wizard of Earthsea*" '
        "(titles between asterisks)."
    )


@strawberry.type(description="A recommended product and the reason for it.")
class ProductRecommendation:
    product: Annotated[ProductType, strawberry.lazy("commerce.catalog.api.types")] = (
        strawberry.field(description="The product, priced in the list's currency.")
    )
    reason: RecommendationReason = strawberry.field(description="Why it is recommended.")


@strawberry.type(
    description=(
        "Recommended products, best first (one page: `first` at most 20; "
        "`pageInfo.hasNextPage` is always false)."
    )
)
class ProductRecommendationConnection(Connection[ProductRecommendation]):
    pass


async def recommendation_connection(
    info: strawberry.Info[Context, None],
    found: Sequence[Recommendation],
    currency: Currency,
) -> ProductRecommendationConnection:
    """The connection of ``found``, with each product from the request's catalog view."""
    from commerce.catalog.api.types import ProductType

    view = await info.context.loader(catalog_view_loader).load(CATALOG)
    items: list[ProductRecommendation] = []
    for rec in found:
        product = view.products_by_id.get(rec.product_id)
        if product is None:
            continue
        items.append(
            ProductRecommendation(
                product=ProductType.from_domain(product, view.snapshot.stock, currency),
                reason=RecommendationReason(
                    code=RecommendationReasonCode(rec.reason.code.value), message=rec.reason.message
                ),
            )
        )
    # A cursor is the item's place in the one page there is.
    cursors = [str(place) for place in range(len(items))]
    return ProductRecommendationConnection(
        edges=[Edge(node=item, cursor=c) for item, c in zip(items, cursors, strict=True)],
        nodes=items,
        page_info=PageInfo.of(cursors, has_next_page=False),
    )


RecommendationKey = tuple[str, str, int, Currency]


def recommendations_by_product_loader(
    ctx: Context,
) -> DataLoader[RecommendationKey, list[Recommendation]]:
    """Lists by (product id, kind, first, currency): a listing's products share one call
    per kind (one BatchGetItem: of co-purchase rows for COMPLEMENTARY, co-view rows for
    RELATED)."""

    async def load(keys: Sequence[RecommendationKey]) -> list[list[Recommendation]]:
        groups: dict[tuple[str, int, Currency], list[str]] = defaultdict(list)
        for product_id, kind, first, currency in keys:
            groups[(kind, first, currency)].append(product_id)
        answers: dict[RecommendationKey, list[Recommendation]] = {}
        service = ctx.services.recommendations
        for (kind, first, currency), product_ids in groups.items():
            found = await ctx.run(service.for_products, product_ids, kind, first, currency)
            for product_id in product_ids:
                answers[(product_id, kind, first, currency)] = found.get(product_id, [])
        return [answers[key] for key in keys]

    return DataLoader(load_fn=load)


def check_first(first: int, most: int) -> None:
    """BAD_USER_INPUT outside 1..``most``: a page of recommendations, not a catalog."""
    if first < 1 or first > most:
        raise BadUserInput(f"first must be between 1 and {most}", argument="first")
