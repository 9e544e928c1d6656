"""What a request asks to run: one operation, or a batch of them, read and checked.

A GET carries one operation in its query string; a POST carries a JSON object (one
operation) or a JSON array (a batch, as Apollo's ``BatchHttpLink`` sends). Anything
that cannot be read is a ``RequestProblem`` before any GraphQL runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from commerce.graphql.documents import sized_call
from commerce.operations.model import is_hash
from commerce.web.errors import RequestProblem
from commerce.web.negotiation import JSON

MAX_BODY_BYTES = 1_048_576
# Arrays and objects nested in one another. GraphQL variables rarely nest ten deep;
# Python's json module recurses once per level and fails near a thousand, so the
# nesting is bounded (and measured) before it parses.
MAX_JSON_NESTING = 64
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPENING = frozenset(b"[{")
# The parameters of one operation: repeating one in a GET would be a batch, which needs POST.
OPERATION_PARAMETERS = ("query", "variables", "operationName", "extensions")


@dataclass(frozen=True, slots=True)
class OperationParams:
    """One operation as the client sent it.

    ``query`` is None only for an automatic persisted query sent by its hash alone;
    admission fills it in from the registered document.
    """

    query: str | None
    variables: dict[str, Any] | None
    operation_name: str | None
    persisted_hash: str | None


async def read_params(
    request: Request, max_batch_operations: int
) -> OperationParams | list[OperationParams]:
    """The request's operation, or its operations when the body is a batch (a JSON array)."""
    if request.method == "GET":
        if any(len(request.query_params.getlist(n)) > 1 for n in OPERATION_PARAMETERS):
            raise RequestProblem(
                400,
                "A GET carries one operation; send a batch by POST, as a JSON array body",
            )
        raw: dict[str, Any] = dict(request.query_params)
        for name in ("variables", "extensions"):
            if raw.get(name):
                raw[name] = _json_object(raw[name], name)
        return _operation_params(raw)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != JSON:
        raise RequestProblem(415, f"POST bodies must be {JSON}")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        raise RequestProblem(413, f"Request bodies are limited to {MAX_BODY_BYTES} bytes")
    body = await _bounded_body(request)
    # Measuring and parsing a megabyte takes tens of milliseconds: not on the event loop.
    decoded = await sized_call(len(body), _json, body, "The body")
    if isinstance(decoded, list):
        return _batch_params(decoded, max_batch_operations)
    if not isinstance(decoded, dict):
        raise RequestProblem(400, "The body must be a JSON object")
    return _operation_params(decoded)


async def _bounded_body(request: Request) -> bytes:
    """The body, counted as it streams and cut at the limit.

    A chunked body carries no Content-Length to check first; reading it whole before
    measuring would let one request hold as much memory as it sends.
    """
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise RequestProblem(413, f"Request bodies are limited to {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _json(raw: str | bytes, what: str) -> Any:
    """Client JSON, refused (400) when it does not parse or nests too deep."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if data.count(b"[") + data.count(b"{") > MAX_JSON_NESTING:
        # Enough brackets to nest too deep: measure, outside strings, stopping as soon
        # as the bound is passed (a hostile body does so within its first 65 bytes).
        depth = 0
        for byte in _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKETS):
            depth += 1 if byte in _OPENING else -1
            if depth > MAX_JSON_NESTING:
                raise RequestProblem(
                    400,
                    f"{what} nests arrays and objects deeper than {MAX_JSON_NESTING} levels",
                    code="JSON_TOO_DEEP",
                    details={"maximumNesting": MAX_JSON_NESTING},
                )
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise RequestProblem(400, f"{what} is not valid JSON") from None


def _batch_params(raw: list[Any], maximum: int) -> list[OperationParams]:
    """A batch's operations, refused whole when it is empty, too long or has a bad one."""
    if not raw:
        raise RequestProblem(400, "A batch needs at least one operation")
    if len(raw) > maximum:
        raise RequestProblem(
            400,
            f"A batch may hold at most {maximum} operations; this one holds {len(raw)}",
            code="TOO_MANY_OPERATIONS",
            details={"operations": len(raw), "maximumOperations": maximum},
        )
    batch: list[OperationParams] = []
    for index, element in enumerate(raw):
        try:
            if not isinstance(element, dict):
                raise RequestProblem(400, "An operation must be a JSON object")
            batch.append(_operation_params(element))
        except RequestProblem as problem:
            raise RequestProblem(
                problem.status,
                f"Operation {index} of the batch: {problem.message}",
                details={"batchIndex": index},
            ) from None
    return batch


def _operation_params(raw: Mapping[str, Any]) -> OperationParams:
    """One operation's parameters, from a GET's query string or a JSON object."""
    extensions = raw.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise RequestProblem(400, "'extensions' must be an object")
    sha256 = _persisted_hash(extensions)
    query = raw.get("query")
    if sha256 is not None and query is None:
        pass  # Automatic persisted query: the hash stands for the document
    elif not isinstance(query, str) or not query.strip():
        raise RequestProblem(400, "The request needs a 'query' string")
    variables = raw.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise RequestProblem(400, "'variables' must be an object")
    operation_name = raw.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestProblem(400, "'operationName' must be a string")
    return OperationParams(query, variables, operation_name or None, sha256)


def _json_object(raw: str, name: str) -> dict[str, Any]:
    """A query-string parameter that carries a JSON object (``variables``, ``extensions``)."""
    value = _json(raw, f"'{name}'")
    if not isinstance(value, dict):
        raise RequestProblem(400, f"'{name}' must be a JSON object")
    return value


def _persisted_hash(extensions: Mapping[str, Any] | None) -> str | None:
    """The hash of an Apollo persisted query request, or None when it is not one."""
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise RequestProblem(400, "extensions.persistedQuery needs version 1 and a sha256Hash")
    sha256 = persisted.get("sha256Hash")
    if not is_hash(sha256):
        raise RequestProblem(400, "extensions.persistedQuery.sha256Hash must be a hex SHA-256")
    return str(sha256)
