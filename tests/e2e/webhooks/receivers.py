"""A real HTTP receiver on 127.0.0.1 that verifies every Standard Webhooks signature.

Named so (not ``conftest``): test folders are not packages, and helpers are imported by
module name.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    """One POST as the receiver saw it: headers, body and what verification said."""

    path: str
    headers: dict[str, str]
    body: str
    verified: bool
    payload: dict[str, Any] | None
    error: str | None = None


@dataclass
class Receiver:
    """Answers each path with its scripted statuses (200 once they run out) and checks
    every request with the path's secrets (any of them may verify it)."""

    base_url: str = ""
    secrets: dict[str, list[str]] = field(default_factory=dict)
    statuses: dict[str, list[int]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def at(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == path]

    def handle(self, path: str, headers: dict[str, str], body: str) -> int:
        with self.lock:
            secrets = list(self.secrets.get(path, []))
            script = self.statuses.get(path, [])
            status = script.pop(0) if script else 200
        verified, payload, error = False, None, "no secret for this path"
        for secret in secrets:
            try:
                payload = Webhook(secret).verify(body, headers)
            except WebhookVerificationError as exc:
                error = str(exc)
                continue
            verified, error = True, None
            break
        with self.lock:
            self.received.append(Received(path, headers, body, verified, payload, error))
        return status


@contextmanager
def receiver() -> Iterator[Receiver]:
    """A receiver serving on a free 127.0.0.1 port in a thread."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode()
            status = state.handle(self.path, {k: v for k, v in self.headers.items()}, body)
            answer = json.dumps({"ok": status < 300}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
