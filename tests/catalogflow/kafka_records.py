"""Reading back and re-producing a topic's records, to prove that redelivery changes nothing."""

import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from config import Settings

Record = tuple[bytes | None, bytes | None]


def read_records(
    settings: Settings, topic: str, start: dict[TopicPartition, int] | None = None
) -> list[tuple[int, bytes | None, bytes | None]]:
    """(partition, key, value) of every record from ``start`` (or the beginning) to the end."""
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        ends = consumer.end_offsets(partitions)
        for tp in partitions:
            consumer.seek(tp, (start or {}).get(tp, 0))
        records = []
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for batch in consumer.poll(timeout_ms=1000).values():
                records += [(r.partition, r.key, r.value) for r in batch]
        return records
    finally:
        consumer.close()


def produce(settings: Settings, topic: str, records: list[tuple[int, bytes | None, bytes | None]]):
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    try:
        for partition, key, value in records:
            producer.send(topic, key=key, value=value, partition=partition)
        producer.flush()
    finally:
        producer.close()


def wait_consumed(settings: Settings, group: str, topics: list[str], timeout: float = 30) -> None:
    """Until the group's committed offsets reach the end of every partition of ``topics``."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap, group_id=group, enable_auto_commit=False
    )
    try:
        partitions = [
            TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t)
        ]
        ends = consumer.end_offsets(partitions)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            behind = {tp for tp in partitions if (consumer.committed(tp) or 0) < ends[tp]}
            if not behind:
                return
            time.sleep(0.5)
        raise AssertionError(f"group {group} still behind on {sorted(behind)}")
    finally:
        consumer.close()
