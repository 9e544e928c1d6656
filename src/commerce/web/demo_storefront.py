"""The starter storefront at ``/demo``: static pages over the public GraphQL API.

Frontend teams read and copy these pages (``web/storefront/``: plain HTML, CSS and
JavaScript modules, no build step, nothing from a CDN). They are served on the local
stage only: a deployed API serves no pages, and ``/demo/pay`` exists only to stand in
for what localstripe's Stripe.js cannot do (``payments.local.LocalCardPayments``).

Besides the files, two routes: ``/demo/config.json`` tells the pages where Stripe.js
is and which publishable key to give it (so they work with localstripe, offline, or
with Stripe's test mode), and ``POST /demo/pay`` confirms a payment with a card token
on localstripe.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

from commerce.payments.local import (
    LOCAL_PUBLISHABLE_KEY,
    CardPaymentRefused,
    LocalCardPayments,
)
from commerce.settings import Settings

ASSETS = Path(__file__).resolve().parent / "storefront"
STRIPE_JS = "https://js.stripe.com/v3/"
# A token and a client secret are well under this; anything longer is not a payment.
_MAX_PAY_BODY = 4096
# The pages only talk to this server and to Stripe.js's origin; nothing inline runs.
_CSP = (
    "default-src 'self'; script-src 'self' {stripe}; connect-src 'self' {stripe}; "
    "frame-src {stripe}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@dataclass(frozen=True, slots=True)
class StorefrontConfig:
    """What the pages need from the server: the Stripe.js to load and how to pay."""

    stripe_js_url: str
    publishable_key: str
    # True on localstripe: the card token goes to POST /demo/pay (see LocalCardPayments).
    confirm_on_server: bool
    default_currency: str

    @classmethod
    def from_settings(cls, settings: Settings) -> StorefrontConfig:
        """localstripe's own Stripe.js when payments go to it, else Stripe's."""
        local = settings.stripe_api_base is not None
        return cls(
            stripe_js_url=(
                f"{settings.stripe_api_base.rstrip('/')}/js.stripe.com/v3/"
                if settings.stripe_api_base is not None
                else STRIPE_JS
            ),
            publishable_key=settings.stripe_publishable_key
            or (LOCAL_PUBLISHABLE_KEY if local else ""),
            confirm_on_server=local,
            default_currency=settings.default_currency.value,
        )

    def as_json(self) -> dict[str, object]:
        """The body of /demo/config.json."""
        return {
            "graphqlUrl": "/graphql",
            "stripeJsUrl": self.stripe_js_url,
            "stripePublishableKey": self.publishable_key,
            "confirmOnServer": self.confirm_on_server,
            "defaultCurrency": self.default_currency,
        }

    @property
    def stripe_origin(self) -> str:
        """Scheme, host and port of Stripe.js, for the pages' Content-Security-Policy."""
        scheme, _, rest = self.stripe_js_url.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}"


class _StorefrontFiles(StaticFiles):
    """The page files, each answered with the pages' security headers and no caching.

    No caching: the pages are example code that people edit and reload.
    """

    def __init__(self, csp: str) -> None:
        super().__init__(directory=ASSETS, html=True)
        self._csp = csp

    def file_response(
        self,
        full_path: PathLike,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["Content-Security-Policy"] = self._csp
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response


class DemoStorefront:
    """The routes of the starter storefront, for one app's settings."""

    def __init__(self, settings: Settings) -> None:
        self.config = StorefrontConfig.from_settings(settings)
        self._payments = (
            LocalCardPayments(settings.stripe_api_base, settings.stripe_secret_key.value)
            if settings.stripe_api_base is not None
            else None
        )

    def routes(self) -> list[BaseRoute]:
        """``/demo`` (redirected to ``/demo/``), its config, the local payment, the files."""
        csp = _CSP.format(stripe=self.config.stripe_origin)
        return [
            Route("/demo", self.home, methods=["GET"]),
            Route("/demo/config.json", self.config_json, methods=["GET"]),
            Route("/demo/pay", self.pay, methods=["POST"]),
            Mount("/demo", app=_StorefrontFiles(csp), name="storefront"),
        ]

    async def home(self, request: Request) -> Response:
        """The catalog page lives at /demo/ so that its relative links resolve under it."""
        return RedirectResponse("/demo/", status_code=308)

    async def config_json(self, request: Request) -> Response:
        """Where Stripe.js is and its publishable key: the pages name no server of their own."""
        return JSONResponse(self.config.as_json(), headers={"Cache-Control": "no-cache"})

    async def pay(self, request: Request) -> Response:
        """Confirm a payment with a card token on localstripe (see ``LocalCardPayments``).

        Answers ``{"status": ..., "failure": ...}``, or 400 with ``{"error": message}``
        for a body that is not a client secret and a token, or a card localstripe refused.
        """
        if self._payments is None:
            return JSONResponse(
                {"error": "Payments go to Stripe: confirm them with Stripe.js."}, status_code=404
            )
        raw = await request.body()
        try:
            body = json.loads(raw) if len(raw) <= _MAX_PAY_BODY else None
        except ValueError:
            body = None
        if not (
            isinstance(body, dict)
            and isinstance(body.get("clientSecret"), str)
            and isinstance(body.get("token"), str)
        ):
            return JSONResponse(
                {"error": 'Send {"clientSecret": "...", "token": "tok_..."} as JSON.'},
                status_code=400,
            )
        payments = self._payments
        try:
            outcome = await run_in_threadpool(payments.confirm, body["clientSecret"], body["token"])
        except CardPaymentRefused as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"status": outcome.status, "failure": outcome.failure})
