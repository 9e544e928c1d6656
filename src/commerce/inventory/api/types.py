"""Stock levels and their history as staff see them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput
from commerce.graphql.ids import variant_global_id
from commerce.graphql.relay import Connection
from commerce.graphql.user_errors import UserError
from commerce.inventory import model
from commerce.inventory.errors import InventoryErrorCode as DomainCode
from commerce.inventory.service import decode_cursor, encode_cursor
from commerce.variant_refs import VariantRef

InventoryErrorCode = strawberry.enum(
    DomainCode, name="InventoryErrorCode", description="Why a stock change was refused."
)
StockChangeKind = strawberry.enum(
    model.StockChangeKind, name="StockChangeKind", description="How a level was changed."
)
MAX_HISTORY_PAGE = 100


@strawberry.type(description="A problem with the input of a stock change.")
class InventoryUserError(UserError):
    code: InventoryErrorCode = strawberry.field(description="What is wrong, for programs.")


@strawberry.type(description="One staff change of a stock level.")
class InventoryChange:
    kind: StockChangeKind = strawberry.field(description="A count (SET) or an adjustment.")
    delta: int = strawberry.field(description="Units added (negative: removed).")
    available: int = strawberry.field(description="The level right after the change.")
    reason: str = strawberry.field(description="Why, in staff's words.")
    actor: str = strawberry.field(description='Who changed it, e.g. "API_KEY:<key id>".')
    created_at: datetime = strawberry.field(description="When.")

    @classmethod
    def from_domain(cls, change: model.StockChange) -> InventoryChange:
        return cls(
            kind=change.kind,
            delta=change.delta,
            available=change.available,
            reason=change.reason,
            actor=change.actor,
            created_at=change.at,
        )


@strawberry.type(description="Units of a physical variant available for sale.")
class InventoryLevel:
    variant_id: strawberry.ID = strawberry.field(description="The ProductVariant's id.")
    available: int = strawberry.field(description="Units that can be sold now.")
    product_id: strawberry.Private[str]
    local_variant_id: strawberry.Private[str]

    @classmethod
    def from_domain(cls, level: model.StockLevel) -> InventoryLevel:
        return cls(
            variant_id=strawberry.ID(
                variant_global_id(VariantRef(level.product_id, level.variant_id))
            ),
            available=level.available,
            product_id=level.product_id,
            local_variant_id=level.variant_id,
        )

    @strawberry.field(description="Staff changes of this level, newest first.")
    async def history(
        self,
        info: Info[Context, None],
        first: Annotated[
            int, strawberry.argument(description=f"Changes per page, 1 to {MAX_HISTORY_PAGE}.")
        ] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="Start after this cursor.")
        ] = None,
    ) -> Connection[InventoryChange]:
        if not 1 <= first <= MAX_HISTORY_PAGE:
            raise BadUserInput(f"first must be 1 to {MAX_HISTORY_PAGE}", argument="first")
        after_id = None if after is None else decode_cursor(after)
        if after is not None and after_id is None:
            raise BadUserInput("Not a valid cursor", argument="after")
        inventory = info.context.services.inventory
        page = await info.context.run(
            inventory.history, self.product_id, self.local_variant_id, first, after_id
        )
        return Connection[InventoryChange].of(
            page.changes,
            InventoryChange.from_domain,
            lambda c: encode_cursor(c.id),
            has_next_page=page.next_cursor is not None,
        )
