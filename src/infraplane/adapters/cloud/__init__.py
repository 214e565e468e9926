"""The cloud inventory: every resource of the types the catalog creates, listed with boto3 from one table."""
