"""Which media type ``/graphql`` answers in, and whether a browser wants GraphiQL.

The media type decides more than the Content-Type: under
``application/graphql-response+json`` request errors answer 400 (and throttling 429),
under the legacy ``application/json`` they answer 200, as older clients expect. A client
that names no type (no Accept, or ``*/*``) gets ``application/json``; one that asks for
``application/graphql-response+json`` (or ``application/*``) gets it.
"""

from __future__ import annotations

from starlette.requests import Request

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header, or None when nothing fits (406)."""
    if not accept or not accept.strip():
        return JSON  # the spec's legacy default for clients that send no Accept
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if quality <= 0:
            continue
        if media == GRAPHQL_RESPONSE:
            candidate = GRAPHQL_RESPONSE
        elif media in {JSON, "*/*"}:
            # ``*/*`` is what Node's fetch and many HTTP libraries send when the caller
            # names nothing: the spec's SHOULD treats it like no Accept at all.
            candidate = JSON
        elif media == "application/*":
            candidate = GRAPHQL_RESPONSE
        else:
            continue
        # Higher quality wins; on a tie the media type listed first wins.
        key = (quality, -position, candidate)
        if best is None or key[:2] > best[:2]:
            best = key
    return None if best is None else best[2]


def wants_ide(request: Request) -> bool:
    """Whether a GET comes from a browser opening ``/graphql`` rather than a client's query.

    A browser navigating to the URL accepts HTML and sends no query; a client that
    accepts HTML too but sends a query still gets its answer.
    """
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "query" not in request.query_params
