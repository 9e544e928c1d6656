"""Tax's GraphQL face: rates for staff."""

from commerce.tax.api.mutations import TaxMutation
from commerce.tax.api.queries import TaxQuery

__all__ = ["TaxMutation", "TaxQuery"]
