"""CDC freshness: how old the newest change record of each topic is, and how long capture took.

The newest record of a topic is the last one of its partitions. Its Debezium envelope says when
the connector captured the change (``ts_ms``) and when the database committed it
(``source.ts_ms``): ``now - ts_ms`` is the age of the newest data in the log, ``ts_ms -
source.ts_ms`` the capture latency. An idle table shows an old record; the connector's
heartbeat topic tells an idle table from a stalled connector.
"""

import json
import time
from dataclasses import asdict, dataclass

from kafka import KafkaConsumer, TopicPartition

from config import Settings
from ops.clock import seconds_since
from streams.topics import ALL_TOPICS, heartbeat_topic

POLL_MS = 300
READ_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class TopicFreshness:
    topic: str
    records: int  # end offsets summed over partitions
    captured_ms: int | None  # None: the topic is empty or missing
    committed_ms: int | None  # source database commit time, when the envelope has it

    def age_seconds(self, now_ms: int) -> float | None:
        return seconds_since(self.captured_ms, now_ms)

    @property
    def capture_latency_ms(self) -> int | None:
        if self.captured_ms is None or self.committed_ms is None:
            return None
        return self.captured_ms - self.committed_ms

    def as_json(self, now_ms: int) -> dict:
        return {
            **asdict(self),
            "age_seconds": self.age_seconds(now_ms),
            "capture_latency_ms": self.capture_latency_ms,
        }


def cdc_topics(settings: Settings) -> list[str]:
    return [*(spec.name(settings) for spec in ALL_TOPICS), heartbeat_topic(settings)]


def envelope_times(value: bytes | None, record_ms: int) -> tuple[int, int | None]:
    """(capture ms, source commit ms) of a record; a tombstone or foreign value has only the
    Kafka record timestamp."""
    try:
        envelope = json.loads(value) if value else {}
    except ValueError:
        envelope = {}
    if not isinstance(envelope, dict):
        envelope = {}
    source = envelope.get("source")
    committed = source.get("ts_ms") if isinstance(source, dict) else None
    return int(envelope.get("ts_ms") or record_ms), committed


def measure_freshness(settings: Settings) -> list[TopicFreshness]:
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False, group_id=None
    )
    try:
        return [_newest(consumer, topic) for topic in cdc_topics(settings)]
    finally:
        consumer.close()


def _newest(consumer: KafkaConsumer, topic: str) -> TopicFreshness:
    """Seek to the last offset of every partition and read to the end."""
    partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
    ends = consumer.end_offsets(partitions) if partitions else {}
    pending = [tp for tp, end in ends.items() if end > 0]
    consumer.assign(pending)
    for tp in pending:
        consumer.seek(tp, ends[tp] - 1)
    newest: tuple[int, int | None] | None = None
    deadline = time.monotonic() + READ_TIMEOUT_SECONDS
    while pending and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=POLL_MS).values():
            for record in records:
                times = envelope_times(record.value, record.timestamp)
                newest = max(newest or times, times, key=lambda t: t[0])
        pending = [tp for tp in pending if consumer.position(tp) < ends[tp]]
    captured, committed = newest or (None, None)
    return TopicFreshness(topic, sum(ends.values()), captured, committed)
