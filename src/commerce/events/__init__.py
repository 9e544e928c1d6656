"""The events function: DynamoDB Streams records of the table, dispatched by item type."""
