"""Parsing and validating documents within bounds, off the event loop when they are large.

Every step that reads a request's query (admission's cost check, the response cache,
execution) parses it through ``parse_document``: one LRU, and one token bound, so no
step parses more than ``MAX_QUERY_TOKENS`` tokens. Validating a document of 5,000
tokens takes a few hundred milliseconds of pure Python; done on the event loop it would
stall every other request (``/health`` included), so large documents are parsed and
validated in a worker thread, where the interpreter switches back to the loop every
few milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from functools import lru_cache
from typing import Any, TypeVar

from anyio import to_thread
from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, validate
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from commerce.graphql.literals import MAX_INT_LITERAL_DIGITS, IntLiteralSizeRule

MAX_QUERY_TOKENS = 5_000
# Distinct operation texts a client base sends are few; bounded so that a stream of
# unique queries cannot grow memory.
CACHED_DOCUMENTS = 512
# Below this size a document parses and validates in about a millisecond: a thread
# hop would cost more than it saves.
LARGE_DOCUMENT_CHARS = 4_096

T = TypeVar("T")
_LONG_DIGITS = re.compile(rf"\d{{{MAX_INT_LITERAL_DIGITS + 1},}}")


@lru_cache(maxsize=CACHED_DOCUMENTS)
def _parse_outcome(query: str) -> DocumentNode | GraphQLError:
    # Failures are kept too: every step of a request asks, and a document refused at
    # 5,000 tokens must not be tokenised again by each.
    try:
        return parse(query, max_tokens=MAX_QUERY_TOKENS)
    except GraphQLError as error:
        return error


def parse_document(query: str) -> DocumentNode:
    """The parsed document (shared, do not mutate); ``GraphQLError`` when it does not parse."""
    outcome = _parse_outcome(query)
    if isinstance(outcome, GraphQLError):
        raise outcome
    return outcome


def syntax_error(query: str) -> GraphQLError | None:
    """Why the document does not parse (or has too many tokens); None when it parses."""
    outcome = _parse_outcome(query)
    return outcome if isinstance(outcome, GraphQLError) else None


def parsed(query: str) -> DocumentNode | None:
    """The parsed document, or None when it does not parse (or has too many tokens)."""
    outcome = _parse_outcome(query)
    return None if isinstance(outcome, GraphQLError) else outcome


@lru_cache(maxsize=CACHED_DOCUMENTS)
def _validated(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[Any, ...]
) -> list[GraphQLError]:
    text = document.loc.source.body if document.loc is not None else ""
    if _LONG_DIGITS.search(text):
        # graphql-core converts Int literals with int(), which fails past 4,300 digits
        # (and is slow well before): such a literal is refused first, on its own.
        errors = validate(schema, document, [IntLiteralSizeRule])
        if errors:
            return errors
    return validate_document(schema, document, rules)


async def sized_call(size: int, call: Callable[..., T], *args: Any) -> T:
    """``call(*args)`` on the loop for a small document, in a worker thread for a large one."""
    if size < LARGE_DOCUMENT_CHARS:
        return call(*args)
    return await to_thread.run_sync(call, *args)


class DocumentsOffTheLoop(SchemaExtension):
    """Parses (bounded, cached) and validates (cached) large documents in a worker thread.

    Takes the place of Strawberry's ``ParserCache`` and ``ValidationCache``; a document
    that does not parse is left to Strawberry, which parses it again (bounded by
    ``MaxTokensLimiter``) to report the syntax error.
    """

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        query = context.query
        if context.graphql_document is None and query:
            with suppress(GraphQLError):
                context.graphql_document = await sized_call(len(query), parse_document, query)
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            size = len(context.query or "")
            rules = tuple(context.validation_rules)
            context.pre_execution_errors = await sized_call(
                size, _validated, context.schema._schema, document, rules
            )
        yield
