"""``/recovery/opt-out?token=...``: the opt-out link of a recovery message, no log-in.

GET checks the link and shows a one-button page; POST (the button, or a mail client's
one-click unsubscribe, RFC 8058) stops the channel. GET alone changes nothing, because
mail scanners and link previews fetch every link of a message. A forged or garbled link
answers 400 and an expired one 410, with a page that says so; the token is never logged.
"""

from __future__ import annotations

from html import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from commerce.problems import Rejected
from commerce.recovery.errors import RecoveryErrorCode
from commerce.recovery.service import RecoveryService

_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
_CHANNEL_NAMES = {"EMAIL": "emails", "SMS": "text messages", "PUSH": "push notifications"}


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        '<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;'
        'padding:0 1rem">'
        f"<h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=_HEADERS)


class OptOutEndpoint:
    """The Starlette endpoint over one ``RecoveryService``."""

    def __init__(self, recovery: RecoveryService) -> None:
        self._recovery = recovery

    async def handle(self, request: Request) -> HTMLResponse:
        token = request.query_params.get("token", "")
        try:
            if request.method == "POST":
                done = await run_in_threadpool(self._recovery.opt_out, token)
                what = _CHANNEL_NAMES[done.channel.value]
                return _page(
                    "You are unsubscribed",
                    f"<p>We will send you no more {what} about carts you left.</p>",
                )
            asked = await run_in_threadpool(self._recovery.opt_out_request, token)
        except Rejected as refused:
            problem = refused.problems[0]
            expired = problem.code is RecoveryErrorCode.OPT_OUT_LINK_EXPIRED
            return _page(
                "This link has expired" if expired else "This link does not work",
                f"<p>{escape(problem.message)}. Nothing was changed.</p>",
                410 if expired else 400,
            )
        what = _CHANNEL_NAMES[asked.channel.value]
        return _page(
            "Unsubscribe",
            f"<p>Stop {what} about carts you left?</p>"
            f'<form method=post action="?token={escape(token, quote=True)}">'
            "<button type=submit>Unsubscribe</button></form>",
        )
