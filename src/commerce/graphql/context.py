"""Per-request context: who is calling, the services, and request-scoped dataloaders."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from commerce.access.model import Principal
from commerce.composition import Services
from commerce.money import Currency

P = ParamSpec("P")
R = TypeVar("R")
K = TypeVar("K")
V = TypeVar("V")


@dataclass
class Context:
    """What every resolver of one request shares."""

    services: Services
    principal: Principal
    request_id: str
    # The caller's network address (as the rate limits see it), for log-in throttling.
    client_address: str | None = None
    _loaders: dict[Callable[..., Any], DataLoader[Any, Any]] = field(default_factory=dict)

    @property
    def default_currency(self) -> Currency:
        """The store's currency, used when a query names none."""
        return self.services.settings.default_currency

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
