"""A Debezium connector registered through the Connect REST API turns an INSERT into a record."""

import json

import psycopg
from kafka import KafkaConsumer

from config import KafkaUser
from tests.support.connectors import ENGINES, probe_connector


def test_insert_becomes_kafka_record(settings, require_engine):
    for engine in ENGINES:
        require_engine(engine)
    with probe_connector(settings) as probe:
        with psycopg.connect(settings.postgres_dsn, autocommit=True) as conn:
            conn.execute(f"INSERT INTO {probe.table} VALUES (7, 'hello')")
        consumer = KafkaConsumer(
            probe.topic,
            **settings.kafka_client(KafkaUser.ADMIN),
            auto_offset_reset="earliest",
            consumer_timeout_ms=30000,
            group_id=f"g-{probe.name}",
        )
        record = next(iter(consumer))
        consumer.close()
    envelope = json.loads(record.value)
    assert envelope["op"] == "c"
    assert envelope["after"] == {"id": 7, "note": "hello"}
    assert json.loads(record.key) == {"id": 7}
