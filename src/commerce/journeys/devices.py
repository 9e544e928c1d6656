"""The app or browser of a request: a family name, never the raw user agent.

A raw user agent with its versions and build strings is close to a fingerprint; the
family ("Chrome", "Mobile Safari", "Firefox") is what reports need. Browsers are named
by ua-parser (the maintained port of the uap-core rules); apps name themselves in
``X-Commerce-App`` (e.g. ``Bookshop iOS``), which wins over the user agent.
"""

from __future__ import annotations

import functools
import re

from ua_parser import parse_user_agent

from commerce.journeys.model import MAX_USER_AGENT

MAX_APP = 40
_APP_NAME = re.compile(r"^[A-Za-z0-9 ._-]{1,40}$")


@functools.lru_cache(maxsize=2048)
def _family(user_agent: str) -> str | None:
    # The first parse compiles the rule set (about a second); later ones take ~0.3 ms,
    # and user agents repeat, so the cache answers most requests.
    parsed = parse_user_agent(user_agent)
    if parsed is None or parsed.family == "Other":
        return None
    return parsed.family[:MAX_APP]


def app_family(user_agent: str | None, app_header: str | None) -> str | None:
    """The app's own name when it sent a valid one, else the browser family, else None."""
    if app_header is not None and _APP_NAME.match(app_header.strip()):
        return app_header.strip()
    if not user_agent:
        return None
    return _family(user_agent[:MAX_USER_AGENT])
