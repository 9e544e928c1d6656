"""The affiliate program: commission rules, customer bindings, the ledger and payouts."""
