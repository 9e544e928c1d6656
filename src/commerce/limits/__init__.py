"""Limits: each caller's query-cost budget, shared by every Lambda instance."""
