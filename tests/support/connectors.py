"""A Debezium connector of the test's own: its table, slot, publication and topic prefix.

Its topics sit under the CDC topics' prefix (``shop.public.<name>.public.<table>``): the only
topics Connect's principal may write. Its password is the stack connectors' placeholder,
resolved by the Connect worker."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import psycopg

from config import Settings
from ops.connectors import POSTGRES, render, wait_running
from ops.polling import wait_until


@dataclass(frozen=True)
class ProbeConnector:
    connect: httpx.Client
    name: str
    prefix: str  # Debezium's topic.prefix
    table: str
    slot: str
    publication: str

    @property
    def topic(self) -> str:
        return f"{self.prefix}.public.{self.table}"


ENGINES = ("postgres", "kafka", "connect")


@contextmanager
def probe_connector(
    settings: Settings, extra: dict[str, str] | None = None, running: bool = True
) -> Iterator[ProbeConnector]:
    """On an empty table of its own, with connector settings ``extra`` on top, running (unless
    told not to wait for it); removed afterwards. Needs ``ENGINES``."""
    suffix = uuid.uuid4().hex[:8]
    table, name = f"cdc_probe_{suffix}", f"engine-test-{suffix}"
    prefix = f"{settings.topic_prefix}.public.{name}"
    slot, publication = f"slot_{suffix}", f"pub_{suffix}"
    with psycopg.connect(settings.postgres_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, note text)")
    config = {
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "plugin.name": "pgoutput",
        "database.hostname": settings.postgres_host,
        "database.port": str(settings.postgres_port),
        "database.user": settings.postgres_user,
        "database.password": render(POSTGRES, settings)[1]["database.password"],
        "database.dbname": settings.postgres_db,
        "topic.prefix": prefix,
        "slot.name": slot,
        "publication.name": publication,
        "publication.autocreate.mode": "filtered",
        "table.include.list": f"public.{table}",
        "snapshot.mode": "no_data",
        **(extra or {}),
    }
    connect = httpx.Client(base_url=settings.connect_url, timeout=30)
    try:
        connect.put(f"/connectors/{name}/config", json=config).raise_for_status()
        if running:
            wait_running(connect, name, timeout=60)
        yield ProbeConnector(connect, name, prefix, table, slot, publication)
    finally:
        connect.delete(f"/connectors/{name}")
        connect.close()
        _drop_slot_when_released(settings, slot, publication, table)


def _drop_slot_when_released(settings: Settings, slot: str, publication: str, table: str) -> None:
    """The connector lets go of its slot asynchronously after DELETE."""
    with psycopg.connect(settings.postgres_dsn, autocommit=True) as conn:

        def active() -> bool | None:
            row = conn.execute(
                "SELECT active FROM pg_replication_slots WHERE slot_name = %s", (slot,)
            ).fetchone()
            return None if row is None else row[0]

        released, _ = wait_until(
            active, timeout=30, what=f"slot {slot} released", accept=lambda a: not a
        )
        if released is False:  # still there, no longer used: ours to drop
            conn.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
        conn.execute(f"DROP PUBLICATION IF EXISTS {publication}")
        conn.execute(f"DROP TABLE IF EXISTS {table}")
