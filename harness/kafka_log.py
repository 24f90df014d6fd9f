"""The Kafka log as tests and benches see it: where topics end, reading records back,
delivering them again (redelivery must change nothing) and waiting for a group to catch up."""

from collections.abc import Iterable
from pathlib import Path

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.structs import OffsetAndMetadata

from config import DURABLE_PRODUCER, KafkaUser, Settings
from ops.polling import wait_until
from ops.stack.engines.jvm import java_argv, write_properties
from ops.stack.engines.kafka import brokers
from ops.stack.engines.sasl import client_properties
from ops.stack.process import run

Offsets = dict[TopicPartition, int]
ADMIN = KafkaUser.ADMIN
"""Tests and benches write where they like and read every group: the operator's principal."""


def end_offsets(settings: Settings, topics: Iterable[str]) -> Offsets:
    """The next offset of every partition of ``topics``."""
    consumer = KafkaConsumer(**settings.kafka_client(ADMIN))
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        return consumer.end_offsets(partitions)
    finally:
        consumer.close()


def start_at_log_end(settings: Settings, group: str, topics: Iterable[str]) -> Offsets:
    """Commit the group's offsets at the current end of ``topics``; returns them."""
    ends = end_offsets(settings, topics)
    consumer = KafkaConsumer(
        **settings.kafka_client(ADMIN), group_id=group, enable_auto_commit=False
    )
    try:
        consumer.commit({tp: OffsetAndMetadata(end, "", -1) for tp, end in ends.items()})
        return ends
    finally:
        consumer.close()


def records_since(settings: Settings, start: Offsets) -> list[ConsumerRecord]:
    """Every record of ``start``'s partitions from its offset up to the current end."""
    consumer = KafkaConsumer(**settings.kafka_client(ADMIN), enable_auto_commit=False)
    try:
        consumer.assign(list(start))
        for tp, offset in start.items():
            consumer.seek(tp, offset)
        ends = consumer.end_offsets(list(start))
        records: list[ConsumerRecord] = []
        while any(consumer.position(tp) < ends[tp] for tp in start):
            for batch in consumer.poll(timeout_ms=1000).values():
                records += batch
        return records
    finally:
        consumer.close()


def produce_again(settings: Settings, records: Iterable[ConsumerRecord]) -> Offsets:
    """The same key and value to the same partition; per partition, the offset after the last
    one written (what a group has committed once it consumed them)."""
    producer = KafkaProducer(**settings.kafka_client(ADMIN), **DURABLE_PRODUCER)
    try:
        written: Offsets = {}
        for record in records:
            tp = TopicPartition(record.topic, record.partition)
            sent = producer.send(tp.topic, record.value, record.key, partition=tp.partition)
            written[tp] = max(written.get(tp, 0), sent.get(timeout=10).offset + 1)
        return written
    finally:
        producer.close()


def wait_consumed(settings: Settings, group: str, upto: Offsets, timeout: float = 30) -> None:
    """Until ``group`` has committed at least ``upto`` on every partition."""
    admin = KafkaAdminClient(**settings.kafka_client(ADMIN))

    def behind() -> list[TopicPartition]:
        committed = admin.list_group_offsets(group)[group]
        return [tp for tp, end in upto.items() if _offset(committed.get(tp)) < end]

    try:
        wait_until(behind, timeout=timeout, what=f"group {group} caught up", accept=lambda b: not b)
    finally:
        admin.close()


def _offset(committed: OffsetAndMetadata | None) -> int:
    """A partition the group never committed on (an empty one, say) stands at 0."""
    return max(committed.offset, 0) if committed is not None else 0


def worker_members(settings: Settings, group: str) -> int:
    """Members of a stable group (0 while it rebalances or is empty)."""
    admin = KafkaAdminClient(**settings.kafka_client(ADMIN))
    try:
        described = admin.describe_groups([group])[group]
        return len(described["members"]) if described["group_state"] == "Stable" else 0
    finally:
        admin.close()


def tool_login(settings: Settings, scratch: Path) -> Path:
    """A properties file (owner-only) logging Kafka's command-line tools in as the operator."""
    return write_properties(scratch / "client.properties", client_properties(settings, ADMIN))


def producer_ids(settings: Settings, topic: str, partition: int, scratch: Path) -> list[int]:
    """Ids of the producers the leader of a partition keeps state for: only idempotent (or
    transactional) producers have one, so a record sent without idempotence leaves none.
    Kafka's own ``TransactionsCommand describe-producers``, since no Python client sends the
    DescribeProducers request; ``scratch`` holds its logging configuration."""
    table = run(
        java_argv(
            brokers(settings)[0].lib_dir,
            "org.apache.kafka.tools.TransactionsCommand",
            "128m",
            scratch,
            f"--bootstrap-server={settings.kafka_bootstrap}",
            f"--command-config={tool_login(settings, scratch)}",
            "describe-producers",
            f"--topic={topic}",
            f"--partition={partition}",
        ),
        f"describe the producers of {topic}-{partition}",
        timeout=60,
    )
    lines = table.splitlines()
    header = next(n for n, line in enumerate(lines) if line.startswith("ProducerId"))  # after logs
    return [int(line.split()[0]) for line in lines[header + 1 :] if line.strip()]
