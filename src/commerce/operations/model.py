"""Registered GraphQL documents: their hash, and a client build's manifest of them."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

_HASH = re.compile(r"^[0-9a-f]{64}$")
MAX_DOCUMENT_BYTES = 100_000


class InvalidManifest(ValueError):
    """A manifest that cannot be registered as a whole."""


def sha256_of(document: str) -> str:
    """The hash clients send for a document (Apollo's APQ: SHA-256 of the UTF-8 text, hex)."""
    return hashlib.sha256(document.encode()).hexdigest()


def is_hash(value: object) -> bool:
    """Whether ``value`` looks like a lower-case hex SHA-256."""
    return isinstance(value, str) and _HASH.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class Operation:
    """A registered document; ``allowed`` ones may run in allow-list mode."""

    sha256: str
    document: str
    allowed: bool
    registered_at: datetime


def parse_manifest(raw: object) -> dict[str, str]:
    """``{hash: document}`` from a manifest, every hash checked; refuses it whole otherwise.

    Accepts the plain ``{hash: document}`` object and Apollo's persisted query
    manifest (``{"format": "apollo-persisted-query-manifest", "operations": [...]}``).
    """
    if isinstance(raw, Mapping) and raw.get("format") == "apollo-persisted-query-manifest":
        operations = raw.get("operations")
        if not isinstance(operations, list):
            raise InvalidManifest("'operations' must be a list")
        pairs = [(o.get("id"), o.get("body")) for o in operations if isinstance(o, Mapping)]
    elif isinstance(raw, Mapping):
        pairs = list(raw.items())
    else:
        raise InvalidManifest("a manifest is a JSON object of {sha256: document}")
    found: dict[str, str] = {}
    for digest, document in pairs:
        if not is_hash(digest) or not isinstance(document, str) or not document.strip():
            raise InvalidManifest(f"entry {str(digest)[:80]!r} is not a sha256 with a document")
        if len(document.encode()) > MAX_DOCUMENT_BYTES:
            raise InvalidManifest(f"document {digest} is larger than {MAX_DOCUMENT_BYTES} bytes")
        if sha256_of(document) != digest:
            raise InvalidManifest(f"document {digest} does not hash to its key")
        found[str(digest)] = document
    if not found:
        raise InvalidManifest("the manifest holds no operations")
    return found
