"""Which URLs an endpoint may have, and which addresses a delivery may connect to.

A webhook makes the shop's servers send requests wherever an owner says: without rules,
a partner could point one at the cloud's metadata service or an internal host and read
the answers in the delivery log (server-side request forgery). In a deployed stage an
endpoint is https only and its host must resolve to public addresses alone; the check is
made again at every delivery, against the addresses then resolved, and the connection
goes to one of those very addresses, so a host whose DNS changes after registration
(DNS rebinding) is refused too. Locally (stage ``local``, tests) any http(s) URL is
accepted, so that a receiver on 127.0.0.1 can be used.

Pure: the resolver is passed in (``socket.getaddrinfo`` in production).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from commerce.problems import Problem
from commerce.webhooks.errors import WebhookErrorCode as Code

# (host, port) -> the IP addresses it resolves to; OSError when it resolves to none.
Resolver = Callable[[str, int], Sequence[str]]

MAX_URL_LENGTH = 2000
FIELD = ("url",)


class BlockedAddress(Exception):
    """The host resolves to an address no delivery may connect to (or to none)."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where one POST goes: the URL's parts and the address to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def is_public(address: str) -> bool:
    """Whether ``address`` is a global unicast address: not private, loopback,
    link-local (the metadata service's 169.254.169.254), shared, reserved or multicast."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def url_problems(url: str, *, deployed: bool, resolve: Resolver) -> list[Problem]:
    """What is wrong with ``url`` as an endpoint's address; empty when it may be used."""
    if len(url) > MAX_URL_LENGTH:
        return [Problem(Code.INVALID_URL, f"A URL has at most {MAX_URL_LENGTH} characters", FIELD)]
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return [Problem(Code.INVALID_URL, "Not a valid URL", FIELD)]
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return [Problem(Code.INVALID_URL, "An endpoint's URL is http(s)://host/path", FIELD)]
    if parts.username is not None or parts.password is not None:
        # The URL is shown in lists and logs: credentials do not belong in it.
        return [Problem(Code.INVALID_URL, "A URL must not hold a user name or password", FIELD)]
    if parts.fragment:
        return [Problem(Code.INVALID_URL, "A URL must not have a #fragment", FIELD)]
    if not deployed:
        return []
    if parts.scheme != "https":
        return [Problem(Code.INSECURE_URL, "Endpoints must use https", FIELD)]
    try:
        public_addresses(parts.hostname, port or 443, resolve)
    except BlockedAddress as blocked:
        code = Code.UNRESOLVABLE_HOST if "resolve" in str(blocked) else Code.FORBIDDEN_ADDRESS
        return [Problem(code, str(blocked), FIELD)]
    return []


def public_addresses(host: str, port: int, resolve: Resolver) -> list[str]:
    """The addresses of ``host``, all public; ``BlockedAddress`` if any is not.

    Every address must be public, not just one: a client may connect to any of them.
    """
    try:
        addresses = list(dict.fromkeys(resolve(host, port)))
    except OSError:
        raise BlockedAddress(f"The host {host[:100]} does not resolve") from None
    if not addresses:
        raise BlockedAddress(f"The host {host[:100]} does not resolve")
    if not all(is_public(a) for a in addresses):
        raise BlockedAddress(
            "Endpoints may not point at private, loopback, link-local or metadata addresses"
        )
    return addresses


def delivery_target(url: str, *, deployed: bool, resolve: Resolver) -> Target:
    """Where to connect for ``url`` now; ``BlockedAddress`` when a deployed stage may not.

    Locally the first resolved address is used, whatever it is.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if deployed:
        if parts.scheme != "https":
            raise BlockedAddress("Endpoints must use https")
        addresses = public_addresses(host, port, resolve)
    else:
        try:
            addresses = list(resolve(host, port))
        except OSError:
            raise BlockedAddress(f"The host {host[:100]} does not resolve") from None
        if not addresses:
            raise BlockedAddress(f"The host {host[:100]} does not resolve")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, addresses[0])
