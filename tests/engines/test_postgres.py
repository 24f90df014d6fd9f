"""PostgreSQL is real, reachable through psycopg 3, and ready for Debezium (logical slots)."""

import uuid

import psycopg
import pytest


@pytest.fixture
def conn(settings, require_engine):
    require_engine("postgres")
    with psycopg.connect(settings.postgres_dsn, autocommit=True) as conn:
        yield conn


def test_round_trip(conn):
    table = f"t_{uuid.uuid4().hex[:8]}"
    conn.execute(f"CREATE TEMP TABLE {table} (id int PRIMARY KEY, name text)")
    conn.execute(f"INSERT INTO {table} VALUES (%s, %s)", (1, "widget"))
    assert conn.execute(f"SELECT name FROM {table} WHERE id = 1").fetchone() == ("widget",)


def test_logical_replication_slot_decodes_changes(conn):
    slot = f"test_slot_{uuid.uuid4().hex[:8]}"
    table = f"t_{uuid.uuid4().hex[:8]}"
    conn.execute("SELECT pg_create_logical_replication_slot(%s, 'test_decoding')", (slot,))
    try:
        conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY)")
        conn.execute(f"INSERT INTO {table} VALUES (42)")
        changes = conn.execute(
            "SELECT data FROM pg_logical_slot_get_changes(%s, NULL, NULL)", (slot,)
        ).fetchall()
        assert any(f"table public.{table}: INSERT: id[integer]:42" in c[0] for c in changes)
    finally:
        conn.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
        conn.execute(f"DROP TABLE IF EXISTS {table}")
