"""Reading CDC records back from Kafka and delivering them again, to prove redelivery is
harmless, and watching the stream worker's consumer group."""

import json
import time
from collections.abc import Callable

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from config import Settings, StreamsRole
from streams.topics import TopicSpec

Offsets = dict[TopicPartition, int]


def end_offsets(settings: Settings, specs: tuple[TopicSpec, ...]) -> Offsets:
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap)
    try:
        partitions = [
            TopicPartition(spec.name(settings), p)
            for spec in specs
            for p in consumer.partitions_for_topic(spec.name(settings)) or ()
        ]
        return consumer.end_offsets(partitions)
    finally:
        consumer.close()


def records_since(
    settings: Settings, start: Offsets, wanted: Callable[[dict], bool]
) -> list[ConsumerRecord]:
    """Records written after ``start`` whose row image satisfies ``wanted``."""
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False)
    try:
        consumer.assign(list(start))
        for tp, offset in start.items():
            consumer.seek(tp, offset)
        end = consumer.end_offsets(list(start))
        found: list[ConsumerRecord] = []
        while any(consumer.position(tp) < end[tp] for tp in start):
            for batch in consumer.poll(timeout_ms=1000).values():
                found += [r for r in batch if r.value and wanted(_row(r.value))]
        return found
    finally:
        consumer.close()


def _row(value: bytes) -> dict:
    envelope = json.loads(value)
    return envelope.get("after") or envelope.get("before") or {}


def produce_again(settings: Settings, records: list[ConsumerRecord]) -> Offsets:
    """The same key and value to the same partition; the last offset written per partition."""
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    try:
        written: Offsets = {}
        for record in records:
            tp = TopicPartition(record.topic, record.partition)
            sent = producer.send(tp.topic, record.value, record.key, partition=tp.partition)
            written[tp] = max(written.get(tp, -1), sent.get(timeout=10).offset)
        return written
    finally:
        producer.close()


def worker_members(settings: Settings, group: str) -> int:
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    try:
        described = admin.describe_groups([group])[group]
        return len(described["members"]) if described["group_state"] == "Stable" else 0
    finally:
        admin.close()


def wait_consumed(settings: Settings, written: Offsets, timeout: float) -> None:
    """Until the orders worker's group has committed past every written offset."""
    group = settings.streams_group(StreamsRole.ORDERS)
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            committed = admin.list_group_offsets(group)[group]
            if all(tp in committed and committed[tp].offset > o for tp, o in written.items()):
                return
            time.sleep(0.2)
    finally:
        admin.close()
    raise AssertionError(f"group {group} did not consume {written}")
