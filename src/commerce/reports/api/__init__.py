"""Store reports in GraphQL: staff queries and their CSV twins."""

from commerce.reports.api.queries import StoreReportsQuery

NODES: tuple[object, ...] = ()

__all__ = ["NODES", "StoreReportsQuery"]
