"""Per-request context: who is calling, the services, and request-scoped dataloaders.

The GraphQL kernel imports no context at run time: the services are typed here only
for the type checker, and the composition root hands them in when a request starts.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from commerce.money import Currency
from commerce.principals import Channel, Principal, PrincipalKind, Shopper

if TYPE_CHECKING:
    from commerce.composition import Services

P = ParamSpec("P")
R = TypeVar("R")
K = TypeVar("K")
V = TypeVar("V")

CHANNEL_HEADER = "x-commerce-channel"
# What a caller without a key may say it is; PARTNER_API comes only with a partner's key.
HEADER_CHANNELS = {c.value: c for c in (Channel.WEB, Channel.MOBILE)}


@dataclass
class Context:
    """What every resolver of one request shares."""

    services: Services
    principal: Principal
    request_id: str
    # The caller's network address (as the rate limits see it), for log-in throttling.
    client_address: str | None = None
    # The X-Commerce-Channel header's channel, if the client sent one (see ``channel``).
    channel_hint: Channel | None = None
    # The User-Agent and X-Commerce-App headers, for the journey's app or browser family
    # (journeys/devices.py keeps the family only, never the raw string).
    user_agent: str | None = None
    app_name: str | None = None
    _loaders: dict[Callable[..., Any], DataLoader[Any, Any]] = field(default_factory=dict)

    @property
    def default_currency(self) -> Currency:
        """The store's currency, used when a query names none."""
        return self.services.settings.default_currency

    @staticmethod
    def channel_from_headers(headers: Mapping[str, str]) -> Channel | None:
        """The channel an ``X-Commerce-Channel`` header names (any case); None without one.

        ``ValueError`` for any other value, PARTNER_API included: a header is a pricing
        hint from the client, and the partner channel is the partners' keys' alone.
        """
        value = headers.get(CHANNEL_HEADER)
        if value is None:
            return None
        found = HEADER_CHANNELS.get(value.strip().upper())
        if found is None:
            names = " or ".join(HEADER_CHANNELS)
            raise ValueError(f"X-Commerce-Channel must be {names}, not {value.strip()[:40]!r}")
        return found

    @property
    def channel(self) -> Channel:
        """The sales channel promotions are priced for in this request.

        An API key's channel wins (a partner's keys are always PARTNER_API); callers
        without a key (anonymous shoppers, customers) get their header's, else WEB.
        """
        if self.principal.channel is not None:
            return self.principal.channel
        if self.principal.kind is PrincipalKind.PARTNER:
            return Channel.PARTNER_API
        return self.channel_hint or Channel.WEB

    @property
    def shopper(self) -> Shopper:
        """The shopper as carts, checkout and offers price for: a customer, and the channel."""
        return Shopper(customer_id=self.principal.customer_id, channel=self.channel)

    async def run(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run blocking storage work off the event loop, so other requests keep flowing."""
        return await run_in_threadpool(functools.partial(fn, *args, **kwargs))

    def loader(self, factory: Callable[[Context], DataLoader[K, V]]) -> DataLoader[K, V]:
        """The request's loader made by ``factory``: one per request, so caches never leak."""
        existing = self._loaders.get(factory)
        if existing is None:
            existing = factory(self)
            self._loaders[factory] = existing
        return existing
