"""How ``node(id)`` fetches partners. API keys have no global id (staff name them by
their prefix), so ``node(id)`` has none to fetch."""

from __future__ import annotations

from strawberry.types import Info

from commerce.access.api.types import Partner
from commerce.graphql.context import Context
from commerce.graphql.relay import Node, NodeType


async def partner_node(info: Info[Context, None], partner_id: str) -> Node | None:
    """A partner for staff (admin scope) and for the partner itself (one of its keys);
    None for any other caller, and for an id that names no partner.

    Mirrors ``partners`` (staff see every partner) and ``partner`` (a partner sees its
    own account); null rather than an error, as an id another partner sends reveals
    nothing.
    """
    principal = info.context.principal
    if principal.partner_id != partner_id and not principal.is_admin:
        return None
    found = await info.context.run(info.context.services.access.partner, partner_id)
    return None if found is None else Partner.from_domain(found)


NODES: list[NodeType] = [NodeType("Partner", partner_node)]
