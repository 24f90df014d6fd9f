"""The broker speaks to both Python clients the project uses: kafka-python and aiokafka (Faust)."""

import json
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from kafka import KafkaConsumer, KafkaProducer

from config import DURABLE_PRODUCER, KafkaUser, Profile, Settings
from harness.kafka_log import producer_ids
from ops.stack.engines.kafka import brokers, read_properties
from streams.app import app


def test_kafka_python_produce_consume(settings, require_engine):
    require_engine("kafka")
    topic = f"engine-test-{uuid.uuid4().hex[:8]}"
    producer = KafkaProducer(
        **settings.kafka_client(KafkaUser.ADMIN),
        value_serializer=lambda v: json.dumps(v).encode(),
        **DURABLE_PRODUCER,
    )
    producer.send(topic, key=b"k1", value={"n": 1}).get(timeout=30)
    producer.close()
    consumer = KafkaConsumer(
        topic,
        **settings.kafka_client(KafkaUser.ADMIN),
        auto_offset_reset="earliest",
        consumer_timeout_ms=15000,
        group_id=f"g-{topic}",
    )
    records = [(r.key, json.loads(r.value)) for r in consumer]
    consumer.close()
    assert records == [(b"k1", {"n": 1})]


async def test_aiokafka_produce_consume(settings, require_engine):
    require_engine("kafka")
    topic = f"engine-test-{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(**settings.kafka_client(KafkaUser.ADMIN), **DURABLE_PRODUCER)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"hello", key=b"k1")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        **settings.kafka_client(KafkaUser.ADMIN),
        auto_offset_reset="earliest",
        group_id=f"g-{topic}",
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=15000)
    finally:
        await consumer.stop()
    assert [(r.key, r.value) for rs in batch.values() for r in rs] == [(b"k1", b"hello")]


async def test_the_stream_workers_producer_is_idempotent(settings, require_engine, tmp_path):
    """Faust's own producer is idempotent only inside exactly-once transactions, and the broker
    then keeps no producer state; the workers' producer (``streams.kafka_transport``) always is,
    so a send retried across a leader change is not written twice."""
    require_engine("kafka")
    topic = f"engine-test-{uuid.uuid4().hex[:8]}"
    await app.producer.start()
    try:
        await app.producer.send_and_wait(
            topic, b"k1", b"hello", partition=0, timestamp=None, headers=None
        )
    finally:
        await app.producer.stop()
    assert len(producer_ids(settings, topic, 0, tmp_path)) == 1


def test_storage_formats_a_cluster_id_that_starts_with_a_dash(settings, tmp_path):
    """One random cluster id in 64 starts with "-": the storage tool must not take it for an
    option (a clean-clone CI failed on one). The first broker takes the id of a broker
    formatted before, so writing that broker's ``meta.properties`` chooses the id."""
    private = Settings.model_validate(
        settings.model_copy(update={"stack_dir": tmp_path, "profile": Profile.CLUSTER}).model_dump()
    )
    first, second, _ = brokers(private)
    cluster_id = "-" + uuid.uuid4().hex[:21]
    second.data_dir.mkdir(parents=True)
    (second.data_dir / "meta.properties").write_text(f"cluster.id={cluster_id}\n")
    first.provision()
    assert read_properties(first.data_dir / "meta.properties")["cluster.id"] == cluster_id
