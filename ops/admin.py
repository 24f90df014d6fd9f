"""Operator accounts. Signup only ever creates customers; admins are made here, from the CLI."""

import uuid

import psycopg

from adapters.passwords import hash_password
from config import Settings


def create_admin(
    settings: Settings, email: str, password: str, name: str = "Administrator"
) -> uuid.UUID:
    """Creates the admin, or promotes an existing account and resets its password (idempotent:
    running it twice leaves one admin with the last password given)."""
    with psycopg.connect(settings.postgres_dsn) as conn:
        row = conn.execute(
            "INSERT INTO users (user_id, name, email, password_hash, role)"
            " VALUES (%s, %s, %s, %s, 'admin') ON CONFLICT (email) DO UPDATE"
            " SET role = 'admin', password_hash = EXCLUDED.password_hash RETURNING user_id",
            (uuid.uuid4(), name, email.strip().lower(), hash_password(password)),
        ).fetchone()
    return row[0]
