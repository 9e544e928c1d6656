"""The Relay kit: one ``Node`` interface, one ``PageInfo``, generic connections, and the
table of node resolvers behind ``node(id)`` / ``nodes(ids)``.

Every object a client can refetch by id implements ``Node``. Each context's API names
its node types and how to fetch one (``NodeType``); the schema's assembly gathers them,
so ``node(id)`` resolves every type with a global id without this kernel importing any
context. A resolver applies its own type's permission rule: it answers None for an
object the caller may not see (as the type's own root field does) or raises the
top-level error that field raises.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput
from commerce.graphql.ids import parse_global_id

# One request may refetch a screenful of objects, not a catalog.
MAX_NODES = 100

N = TypeVar("N")
T = TypeVar("T")


@strawberry.interface(description="An object with a globally unique, opaque id (Relay).")
class Node:
    id: strawberry.ID = strawberry.field(description="The object's global id.")


@strawberry.type(description="Where the next and previous pages of a connection start.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item.")

    @classmethod
    def of(
        cls, cursors: Sequence[str], *, has_next_page: bool, has_previous_page: bool = False
    ) -> PageInfo:
        """The page info of a page whose items have ``cursors``, in order."""
        return cls(
            has_next_page=has_next_page,
            has_previous_page=has_previous_page,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        )


@strawberry.type(description="One item of a connection, with the cursor that points at it.")
class Edge(Generic[N]):
    node: N = strawberry.field(description="The item.")
    cursor: str = strawberry.field(description="Pass as `after` or `before` to page from here.")


@strawberry.type(description="A page of items: `nodes` for the items alone, `edges` with cursors.")
class Connection(Generic[N]):
    edges: list[Edge[N]] = strawberry.field(description="The items with their cursors.")
    nodes: list[N] = strawberry.field(description="The items, without cursors.")
    page_info: PageInfo = strawberry.field(description="Where the page starts and ends.")

    @classmethod
    def of(
        cls,
        items: Sequence[T],
        convert: Callable[[T], N],
        cursor: Callable[[T], str],
        *,
        has_next_page: bool,
        has_previous_page: bool = False,
    ) -> Connection[N]:
        """A connection over one page of domain ``items``, each converted for the API."""
        cursors = [cursor(item) for item in items]
        nodes = [convert(item) for item in items]
        return cls(
            edges=[Edge(node=n, cursor=c) for n, c in zip(nodes, cursors, strict=True)],
            nodes=nodes,
            page_info=PageInfo.of(
                cursors, has_next_page=has_next_page, has_previous_page=has_previous_page
            ),
        )


NodeResolver = Callable[[Info[Context, None], str], Awaitable[Node | None]]


@dataclass(frozen=True, slots=True)
class NodeType:
    """A type ``node(id)`` can fetch: its global id's type name and how to fetch one by its
    local id, under the type's own permission rule."""

    type_name: str
    resolve: NodeResolver


async def resolve_nodes(
    info: Info[Context, None], ids: Sequence[str], types: Mapping[str, NodeType]
) -> list[Node | None]:
    """The objects ``ids`` name, in order; None where there is none or the caller may not
    see it. BAD_USER_INPUT for more than ``MAX_NODES`` ids or an id of no known type.

    Resolvers run together, so those that use a request's dataloader share its batches.
    """
    if len(ids) > MAX_NODES:
        raise BadUserInput(f"At most {MAX_NODES} ids at a time", argument="ids")
    wanted: list[tuple[NodeType, str]] = []
    for global_id in ids:
        parsed = parse_global_id(global_id)
        node_type = None if parsed is None else types.get(parsed[0])
        if parsed is None or node_type is None:
            raise BadUserInput(f"{global_id!r} is not a valid ID", argument="id")
        wanted.append((node_type, parsed[1]))
    return list(await asyncio.gather(*(t.resolve(info, local) for t, local in wanted)))
