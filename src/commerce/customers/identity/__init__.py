"""Identity: how a customer proves who they are.

Sign-up credentials, log-in and its throttling, sessions with rotating refresh tokens,
password changes and resets, and the access tokens requests carry. The profile the
credentials open (names, addresses, consents, remembered cart) is the customers
context's; identity reaches it only through ``CustomersService``.
"""
