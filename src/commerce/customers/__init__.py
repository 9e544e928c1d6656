"""Customers: accounts, sessions (access and refresh tokens), profile and addresses."""
