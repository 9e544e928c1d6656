"""Stock levels and their history as staff see them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput
from commerce.graphql.ids import to_global_id
from commerce.inventory import model
from commerce.inventory.errors import InventoryErrorCode as DomainCode
from commerce.inventory.service import decode_cursor, encode_cursor
from commerce.problems import Problem

InventoryErrorCode = strawberry.enum(
    DomainCode, name="InventoryErrorCode", description="Why a stock change was refused."
)
StockChangeKind = strawberry.enum(
    model.StockChangeKind, name="StockChangeKind", description="How a level was changed."
)
MAX_HISTORY_PAGE = 100


def variant_global_id(product_id: str, variant_id: str) -> str:
    """The ProductVariant id the catalog gives this variant."""
    return to_global_id("ProductVariant", f"{product_id}.{variant_id}")


@strawberry.type(description="A problem with the input of a stock change.")
class InventoryUserError:
    field: list[str] | None = strawberry.field(description="Path to the input field at fault.")
    message: str = strawberry.field(description="What is wrong, for people.")
    code: InventoryErrorCode = strawberry.field(description="What is wrong, for programs.")

    @classmethod
    def from_problem(cls, problem: Problem) -> InventoryUserError:
        return cls(field=list(problem.field) or None, message=problem.message, code=problem.code)


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


@strawberry.type(description="A stock change with its cursor.")
class InventoryChangeEdge:
    node: InventoryChange = strawberry.field(description="The change.")
    cursor: str = strawberry.field(description="Opaque position for after.")


@strawberry.type(description="Where the next page of changes starts.")
class InventoryHistoryPageInfo:
    has_next_page: bool = strawberry.field(description="Whether older changes follow.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last change shown.")


@strawberry.type(description="Stock changes, newest first (Relay cursor connection).")
class InventoryChangeConnection:
    edges: list[InventoryChangeEdge] = strawberry.field(description="Changes with cursors.")
    nodes: list[InventoryChange] = strawberry.field(description="The changes.")
    page_info: InventoryHistoryPageInfo = strawberry.field(description="The next page.")


@strawberry.type(description="Units of a physical variant available for sale.")
class InventoryLevel:
    variant_id: strawberry.ID = strawberry.field(description="The ProductVariant's id.")
    available: int = strawberry.field(description="Units that can be sold now.")
    product_id: strawberry.Private[str]
    local_variant_id: strawberry.Private[str]

    @classmethod
    def from_domain(cls, level: model.StockLevel) -> InventoryLevel:
        return cls(
            variant_id=strawberry.ID(variant_global_id(level.product_id, level.variant_id)),
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
    ) -> InventoryChangeConnection:
        if not 1 <= first <= MAX_HISTORY_PAGE:
            raise BadUserInput(f"first must be 1 to {MAX_HISTORY_PAGE}", argument="first")
        after_id = None if after is None else decode_cursor(after)
        if after is not None and after_id is None:
            raise BadUserInput("Not a valid cursor", argument="after")
        inventory = info.context.services.inventory
        page = await info.context.run(
            inventory.history, self.product_id, self.local_variant_id, first, after_id
        )
        edges = [
            InventoryChangeEdge(node=InventoryChange.from_domain(c), cursor=encode_cursor(c.id))
            for c in page.changes
        ]
        return InventoryChangeConnection(
            edges=edges,
            nodes=[e.node for e in edges],
            page_info=InventoryHistoryPageInfo(
                has_next_page=page.next_cursor is not None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )
