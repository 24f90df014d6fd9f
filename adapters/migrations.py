"""Apply ``adapters/sql/NNN_*.sql`` once each, in order, recording them in ``schema_migrations``."""

from pathlib import Path

import psycopg

from config import Settings

SQL_DIR = Path(__file__).resolve().parent / "sql"


def pending(applied: set[str]) -> list[Path]:
    return [p for p in sorted(SQL_DIR.glob("[0-9][0-9][0-9]_*.sql")) if p.name not in applied]


def apply_migrations(settings: Settings) -> list[str]:
    """Idempotent: returns the names applied by this call (empty when up to date)."""
    with psycopg.connect(settings.postgres_dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        # One migrator at a time, even when two `up`s race.
        conn.execute("SELECT pg_advisory_lock(hashtext('schema_migrations'))")
        try:
            applied = {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}
            done = []
            for path in pending(applied):
                with conn.transaction():
                    conn.execute(path.read_text())
                    conn.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (path.name,))
                done.append(path.name)
            return done
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('schema_migrations'))")
