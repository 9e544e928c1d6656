"""Download links as clients see them on a paid order."""

from __future__ import annotations

from datetime import datetime

import strawberry
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


async def order_downloads(info: Info[Context, None], order_id: str) -> list[DownloadLink]:
    """The links of an order the caller may already read (empty until it is paid)."""
    services = info.context.services
    grants = await info.context.run(services.downloads.links, order_id)
    return [DownloadLink.from_domain(g, services.settings.public_url) for g in grants]
