"""The broker speaks to both Python clients the project uses: kafka-python and aiokafka (Faust)."""

import json
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from kafka import KafkaConsumer, KafkaProducer

from config import DURABLE_PRODUCER


def test_kafka_python_produce_consume(settings, require_engine):
    require_engine("kafka")
    topic = f"engine-test-{uuid.uuid4().hex[:8]}"
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        value_serializer=lambda v: json.dumps(v).encode(),
        **DURABLE_PRODUCER,
    )
    producer.send(topic, key=b"k1", value={"n": 1}).get(timeout=30)
    producer.close()
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
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
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, **DURABLE_PRODUCER)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"hello", key=b"k1")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
        group_id=f"g-{topic}",
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=15000)
    finally:
        await consumer.stop()
    assert [(r.key, r.value) for rs in batch.values() for r in rs] == [(b"k1", b"hello")]
