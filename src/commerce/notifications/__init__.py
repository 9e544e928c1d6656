"""Notifications: an outbox of emails and text messages, delivered by the events function."""
