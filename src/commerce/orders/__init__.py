"""Orders: what was bought at what price, and where the order is in its life."""
