"""Who is calling: credentials and the network address, made into a request's ``Context``.

Bad credentials are refused as a whole (401, ``UNAUTHENTICATED``) rather than treated
as anonymous: a client with an expired token must learn to refresh it, not see a
storefront that silently forgot who they are.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from commerce.access.model import ANONYMOUS
from commerce.access.service import InvalidApiKey
from commerce.composition import Services
from commerce.customers.identity.tokens import InvalidAccessToken
from commerce.graphql.context import Context
from commerce.web.errors import RequestProblem


async def build_context(request: Request, services: Services, request_id: str) -> Context:
    """The request's context: an API key (staff or partner), a bearer token, or nobody."""
    api_key = request.headers.get("x-api-key")
    bearer = bearer_token(request.headers.get("authorization"))
    if api_key is not None and bearer is not None:
        raise RequestProblem(
            400, "Send either an X-API-Key or an Authorization bearer token, not both"
        )
    try:
        if bearer is not None:
            # A signature check, no database call: cheap enough for the event loop.
            principal = services.identity.authenticate(bearer)
        elif api_key is not None:
            principal = await run_in_threadpool(services.access.authenticate, api_key)
        else:
            principal = ANONYMOUS
    except InvalidApiKey as exc:
        raise RequestProblem(401, f"Invalid API key: {exc}") from None
    except InvalidAccessToken as exc:
        raise RequestProblem(
            401,
            str(exc),
            # RFC 6750 section 3: how a bearer-token client learns what went wrong.
            {"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{exc}"'},
        ) from None
    try:
        channel_hint = Context.channel_from_headers(request.headers)
    except ValueError as exc:
        raise RequestProblem(400, str(exc), code="INVALID_CHANNEL") from None
    return Context(
        services=services,
        principal=principal,
        request_id=request_id,
        client_address=client_address(request, services.settings.trusted_proxy_hops),
        channel_hint=channel_hint,
        user_agent=request.headers.get("user-agent"),
        app_name=request.headers.get("x-commerce-app"),
    )


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None without the header.

    Another scheme, or a bearer header without a token, is refused: sending credentials
    the server cannot read is a client bug that must not pass as anonymous.
    """
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise RequestProblem(
            401,
            "The Authorization header must read 'Bearer <access token>'",
            {"WWW-Authenticate": 'Bearer error="invalid_request"'},
        )
    return token.strip()


def client_address(request: Request, trusted_proxy_hops: int) -> str | None:
    """The caller's address: API Gateway's source IP, or the socket peer.

    ``X-Forwarded-For`` is anyone's to forge; it counts only behind as many
    trusted proxies as ``COMMERCE_TRUSTED_PROXY_HOPS`` says, each of which
    appends the address it saw.
    """
    if trusted_proxy_hops > 0:
        forwarded = [
            part.strip()
            for part in request.headers.get("x-forwarded-for", "").split(",")
            if part.strip()
        ]
        if forwarded:
            return forwarded[-min(trusted_proxy_hops, len(forwarded))]
    event = request.scope.get("aws.event")
    if isinstance(event, dict):
        source = event.get("requestContext", {}).get("http", {}).get("sourceIp")
        if isinstance(source, str) and source:
            return source
    return request.client.host if request.client else None
