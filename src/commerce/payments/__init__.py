"""Payments: Stripe PaymentIntents, refunds and signed webhooks."""
