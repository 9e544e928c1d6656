"""The sales channel in the schema: what API keys carry and promotions may be limited to.

Shared by the access context (keys) and the promotions context (conditions), so it sits
in the kernel beside the shared ``Channel`` it wraps.
"""

from __future__ import annotations

import strawberry

from commerce.principals import Channel

SalesChannel = strawberry.enum(
    Channel,
    name="SalesChannel",
    description=(
        "Where an order is placed: WEB (browsers), MOBILE (the iOS and Android apps), "
        "PARTNER_API (partners calling with their keys)."
    ),
)
