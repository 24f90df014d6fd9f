"""A Debezium connector registered through the Connect REST API turns an INSERT into a record."""

import json
import uuid

import httpx
import psycopg
from kafka import KafkaConsumer

from ops.connectors import wait_running
from ops.polling import wait_until


def test_insert_becomes_kafka_record(settings, require_engine):
    for engine in ("postgres", "kafka", "connect"):
        require_engine(engine)
    suffix = uuid.uuid4().hex[:8]
    table, name = f"cdc_probe_{suffix}", f"engine-test-{suffix}"
    with psycopg.connect(settings.postgres_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, note text)")
    config = {
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "plugin.name": "pgoutput",
        "database.hostname": settings.postgres_host,
        "database.port": str(settings.postgres_port),
        "database.user": settings.postgres_user,
        "database.password": settings.postgres_password,
        "database.dbname": settings.postgres_db,
        "topic.prefix": name,
        "slot.name": f"slot_{suffix}",
        "publication.name": f"pub_{suffix}",
        "publication.autocreate.mode": "filtered",
        "table.include.list": f"public.{table}",
        "snapshot.mode": "no_data",
    }
    connect = httpx.Client(base_url=settings.connect_url, timeout=30)
    try:
        connect.put(f"/connectors/{name}/config", json=config).raise_for_status()
        wait_running(connect, name, timeout=60)
        with psycopg.connect(settings.postgres_dsn, autocommit=True) as conn:
            conn.execute(f"INSERT INTO {table} VALUES (7, 'hello')")
        consumer = KafkaConsumer(
            f"{name}.public.{table}",
            bootstrap_servers=settings.kafka_bootstrap,
            auto_offset_reset="earliest",
            consumer_timeout_ms=30000,
            group_id=f"g-{name}",
        )
        record = next(iter(consumer))
        consumer.close()
        envelope = json.loads(record.value)
        assert envelope["op"] == "c"
        assert envelope["after"] == {"id": 7, "note": "hello"}
        assert json.loads(record.key) == {"id": 7}
    finally:
        connect.delete(f"/connectors/{name}")
        connect.close()
        _drop_slot_when_released(settings, f"slot_{suffix}", f"pub_{suffix}", table)


def _drop_slot_when_released(settings, slot: str, publication: str, table: str) -> None:
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
