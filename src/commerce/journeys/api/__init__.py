"""The journey in GraphQL: visitors, consent, events, and staff's journey reads."""

from commerce.journeys.api.mutations import JourneysMutation
from commerce.journeys.api.queries import JourneysQuery
from commerce.journeys.api.reports import OrderAttributionQuery, ReportsMutation, ReportsQuery

__all__ = [
    "JourneysMutation",
    "JourneysQuery",
    "OrderAttributionQuery",
    "ReportsMutation",
    "ReportsQuery",
]
