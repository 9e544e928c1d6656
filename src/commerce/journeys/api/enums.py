"""The journey's enums in the schema, named for clients."""

from __future__ import annotations

import strawberry

from commerce.journeys.errors import JourneyErrorCode
from commerce.journeys.model import EventKind, ViewPhase

JourneyErrorCodeType = strawberry.enum(
    JourneyErrorCode, name="JourneyErrorCode", description="Why a journey input was refused."
)
EventKindType = strawberry.enum(
    EventKind,
    name="StorefrontEventKind",
    description="What the shopper did: a page, a product, the cart, a search, a checkout.",
)
ViewPhaseType = strawberry.enum(
    ViewPhase,
    name="ProductViewPhase",
    description="START when the product shows, HEARTBEAT every 15 s while visible, END on leaving.",
)
