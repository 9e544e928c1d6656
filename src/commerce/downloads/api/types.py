"""Download links as clients see them on a paid order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from commerce.downloads.model import DownloadGrant
from commerce.graphql.context import Context


@strawberry.type(description="A link to one digital line's file: it expires and is counted.")
class DownloadLink:
    title: str = strawberry.field(description='What it downloads, e.g. "Dune (E-book)".')
    url: str = strawberry.field(
        description=(
            "GET it to download (the file, or a redirect to it). Personal: anyone holding "
            "it can use it, so show it only to the buyer."
        )
    )
    expires_at: datetime = strawberry.field(description="After this the link answers 410.")
    remaining: int = strawberry.field(description="Downloads left; at 0 the link answers 410.")

    @classmethod
    def from_domain(cls, grant: DownloadGrant, public_url: str) -> DownloadLink:
        return cls(
            title=grant.title,
            url=f"{public_url}/downloads/{grant.token}",
            expires_at=grant.expires_at,
            remaining=grant.downloads_left,
        )


# An order's digital lines: (order id, its digital line ids in line order).
OrderLines = tuple[str, tuple[str, ...]]


def downloads_loader(ctx: Context) -> DataLoader[OrderLines, list[DownloadLink]]:
    """Every order of a page reads its links in one BatchGetItem, not one Query each."""

    async def load(keys: Sequence[OrderLines]) -> list[list[DownloadLink]]:
        pairs = [(order_id, line_id) for order_id, lines in keys for line_id in lines]
        grants = await ctx.run(ctx.services.downloads.links_of_lines, pairs)
        url = ctx.services.settings.public_url
        by_line = {(g.order_id, g.line_id): DownloadLink.from_domain(g, url) for g in grants}
        return [
            [by_line[(order_id, line)] for line in lines if (order_id, line) in by_line]
            for order_id, lines in keys
        ]

    return DataLoader(load_fn=load)


async def order_downloads(
    info: Info[Context, None], order_id: str, digital_line_ids: Sequence[str]
) -> list[DownloadLink]:
    """The links of an order the caller may already read; the caller passes no lines
    for an order that was never paid or sold nothing digital, which then costs no call."""
    if not digital_line_ids:
        return []
    return await info.context.loader(downloads_loader).load((order_id, tuple(digital_line_ids)))
