"""Checkout: a priced cart becomes an order with reserved stock and a PaymentIntent."""
