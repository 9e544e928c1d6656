"""commerce: a headless GraphQL commerce backend for AWS Lambda and DynamoDB."""
