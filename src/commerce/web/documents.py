"""Parsed GraphQL documents, shared by every step that reads one request's query.

Admission (breadth and cost), the response cache (is it a catalog read?) and the
public-caching check each need the parsed document; one LRU keeps a popular query
from being parsed three times per request.
"""

from __future__ import annotations

from functools import lru_cache

from graphql import DocumentNode, GraphQLError, parse


@lru_cache(maxsize=512)
def parsed(query: str) -> DocumentNode | None:
    """The parsed document (shared, do not mutate), or None when it does not parse."""
    try:
        return parse(query)
    except GraphQLError:
        return None
