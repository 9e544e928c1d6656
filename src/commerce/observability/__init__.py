"""Structured logs with a correlation id, and CloudWatch metrics (EMF), for every entry point."""
