"""Outbound webhooks: endpoints of staff and partners, signed deliveries from the outbox."""
