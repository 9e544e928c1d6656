"""Parsed GraphQL documents, shared by every step that reads one request's query.

Admission (breadth and cost), the response cache (is it a catalog read?) and the
public-caching check each need the parsed document; one bounded LRU
(``commerce.graphql.documents``) keeps a popular query from being parsed three times
per request, and none from being parsed past the token limit.
"""

from __future__ import annotations

from commerce.graphql.documents import parsed

__all__ = ["parsed"]
