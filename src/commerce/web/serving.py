"""How uvicorn serves the app (``commerce serve``, the abuse benchmark).

Which address a request comes from decides its rate-limit bucket and its log-in
lockout, so only the app decides it (``web.credentials.client_address``, by
``COMMERCE_TRUSTED_PROXY_HOPS``). Uvicorn's own proxy handling trusts
``X-Forwarded-For`` from loopback by default and rewrites the peer address before the
app sees it: a forged header from a local client would get a fresh budget. It is
switched on only when the settings say proxies stand in front.
"""

from __future__ import annotations

from typing import Any

from commerce.settings import Settings


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run``/``uvicorn.Config`` beyond the app and address."""
    behind_proxies = settings.trusted_proxy_hops > 0
    return {
        # With proxies, their X-Forwarded-Proto says the scheme; the app still picks the
        # client address from X-Forwarded-For itself, by the number of hops.
        "proxy_headers": behind_proxies,
        "forwarded_allow_ips": "*" if behind_proxies else "",
        # Headers and bodies a hostile client trickles in do not hold a connection forever.
        "timeout_keep_alive": 5,
        "h11_max_incomplete_event_size": 64 * 1024,
    }
