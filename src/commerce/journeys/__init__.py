"""The shopper's journey: events, visitors, touches and the attribution of paid orders."""
