"""Storage plumbing shared by every context: the single table and DynamoDB Local."""
