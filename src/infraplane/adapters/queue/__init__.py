"""Task queues behind the `TaskQueue` port: the server's own threads, or procrastinate on PostgreSQL."""
