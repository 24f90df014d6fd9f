"""Postgres access, one module per table group; callers own the connection and transaction."""
