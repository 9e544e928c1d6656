"""GraphQL face of downloads: the ``downloads`` field of an order."""
