"""Checkout in the GraphQL API: ``checkoutComplete``."""

from commerce.checkout.api.mutations import CheckoutMutation

__all__ = ["CheckoutMutation"]
