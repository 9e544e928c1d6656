"""POSTing one delivery: to the address the URL rules allowed, with a short timeout.

``http.client`` from the standard library rather than an HTTP client package: it lets the
connection go to the very address that was checked (``urls.delivery_target``) while TLS
still verifies the certificate for the URL's host name, and it never follows redirects
(a redirect to an internal address would undo the check; a 3xx counts as a failure).
It also keeps the events function's cold start free of another import.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from commerce.webhooks.urls import BlockedAddress, Resolver, delivery_target

# Only the status code is recorded; the body is read (to free the connection) up to this.
MAX_RESPONSE_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Answer:
    """What the receiver answered, or why there was no answer."""

    status_code: int | None
    duration_ms: int
    error: str | None = None


class Sender(Protocol):
    """Sends one POST and reports the answer; never raises for network trouble."""

    def post(self, url: str, headers: Mapping[str, str], body: bytes) -> Answer: ...


def resolve_host(host: str, port: int) -> Sequence[str]:
    """Every address of ``host`` (IPv4 and IPv6), as the operating system resolves it."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to ``address`` but speaks to ``host`` (Host header)."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to ``address``; TLS verifies the certificate for ``host`` (SNI too)."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


class HttpSender:
    """POSTs over http.client to an address checked against the URL rules just before."""

    def __init__(self, timeout_seconds: float, deployed: bool, resolve: Resolver) -> None:
        self._timeout = timeout_seconds
        self._deployed = deployed
        self._resolve = resolve

    def post(self, url: str, headers: Mapping[str, str], body: bytes) -> Answer:
        started = time.monotonic()
        try:
            target = delivery_target(url, deployed=self._deployed, resolve=self._resolve)
        except BlockedAddress as blocked:
            return Answer(None, 0, str(blocked))
        connection: http.client.HTTPConnection
        if target.scheme == "https":
            connection = _PinnedHTTPSConnection(
                target.host, target.port, target.address, self._timeout
            )
        else:
            connection = _PinnedHTTPConnection(
                target.host, target.port, target.address, self._timeout
            )
        try:
            connection.request("POST", target.path, body=body, headers=dict(headers))
            response = connection.getresponse()
            response.read(MAX_RESPONSE_BYTES)
            return Answer(response.status, _elapsed_ms(started))
        except TimeoutError:
            return Answer(None, _elapsed_ms(started), "timed out")
        except ssl.SSLError as exc:
            return Answer(None, _elapsed_ms(started), f"TLS failed: {exc.reason or 'error'}")
        except (OSError, http.client.HTTPException) as exc:
            return Answer(None, _elapsed_ms(started), f"connection failed: {type(exc).__name__}")
        finally:
            connection.close()


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
