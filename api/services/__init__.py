"""Use cases that coordinate several adapters (Postgres, Mongo, Redis, the payment gateway)."""
