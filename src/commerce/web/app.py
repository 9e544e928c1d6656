"""The ASGI application: one Starlette app for uvicorn and for Lambda (through Mangum)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from commerce.catalog.api import VIEW_BACKED_ROOT_FIELDS
from commerce.composition import Services, build_services
from commerce.downloads.http import DownloadEndpoint
from commerce.payments.webhook import StripeWebhookEndpoint
from commerce.schema import build_schema
from commerce.settings import Settings
from commerce.web.beacon import BeaconEndpoint
from commerce.web.deadline import DeadlineMiddleware
from commerce.web.demo_storefront import DemoStorefront
from commerce.web.endpoint import GraphQLEndpoint
from commerce.web.graphiql import ASSET_ROUTE
from commerce.web.opt_out import OptOutEndpoint
from commerce.web.request_id import RequestIdMiddleware
from commerce.web.response_cache import ResponseCache


async def health(request: Request) -> Response:
    """Liveness: the process answers. It does not touch DynamoDB."""
    return JSONResponse({"status": "ok"})


def create_app(services: Services) -> Starlette:
    """The application over already-built services (tests pass their own)."""
    cache = (
        ResponseCache(VIEW_BACKED_ROOT_FIELDS, services.catalog.current_view)
        if services.settings.response_cache
        else None
    )
    settings = services.settings
    graphql = GraphQLEndpoint(
        build_schema(introspection=settings.introspection),
        services,
        cache,
        public_root_fields=VIEW_BACKED_ROOT_FIELDS,
    )
    app = Starlette(
        routes=[
            Route("/graphql", graphql.handle, methods=["GET", "POST"]),
            *(
                [Route(ASSET_ROUTE, graphql.graphiql.asset, methods=["GET"])]
                if graphql.graphiql is not None
                else []
            ),
            Route("/health", health, methods=["GET"]),
            Route("/events", BeaconEndpoint(services).handle, methods=["POST"]),
            Route(
                "/webhooks/stripe",
                StripeWebhookEndpoint(services.payment_events).handle,
                methods=["POST"],
            ),
            Route(
                "/downloads/{token}", DownloadEndpoint(services.downloads).handle, methods=["GET"]
            ),
            Route(
                "/recovery/opt-out",
                OptOutEndpoint(services.recovery).handle,
                methods=["GET", "POST"],
            ),
            # The starter storefront's pages: a laptop's, never a deployed stage's.
            *(DemoStorefront(settings).routes() if settings.stage == "local" else []),
        ],
    )
    # Browsers on the listed frontend origins only (exact matches; none by default).
    # Preflights from any other origin are refused with 400 and no CORS headers.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=[
            "Accept",
            "Authorization",
            "Content-Type",
            "X-API-Key",
            "X-Commerce-App",
            "X-Commerce-Channel",
            "X-Request-Id",
        ],
        expose_headers=["X-Request-Id", "Retry-After", "X-Cache", "X-Visitor-Token"],
        max_age=600,
    )
    app.add_middleware(DeadlineMiddleware, seconds=settings.request_timeout_seconds)
    app.add_middleware(RequestIdMiddleware)
    return app


def create_app_from_env() -> Starlette:
    """The application configured from the process environment (uvicorn, Lambda)."""
    return create_app(build_services(Settings.from_env()))
