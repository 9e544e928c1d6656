"""Recovery in GraphQL: staff's settings and results, devices, preferences, opt-out."""

from commerce.recovery.api.mutations import RecoveryMutation
from commerce.recovery.api.queries import RecoveryQuery

__all__ = ["RecoveryMutation", "RecoveryQuery"]
