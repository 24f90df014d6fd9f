"""Bounded reads of Kafka partitions by offset, without a consumer group.

The ops tools that look at records (CDC freshness, dead letters, the age of what a group has
not consumed) read a known range of offsets and stop at a deadline: nothing they read is
committed, and a slow or huge topic costs a bounded wait, never a hang.
"""

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from config import KafkaUser, Settings

POLL_MS = 300
Span = tuple[int, int]  # [start, stop) offsets of one partition


def open_reader(settings: Settings) -> KafkaConsumer:
    """A group-less consumer; an offset below the log start (deleted by retention) reads from
    the first record kept."""
    return KafkaConsumer(
        **settings.kafka_client(KafkaUser.OPS),
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )


def read_spans(
    consumer: KafkaConsumer,
    spans: Mapping[TopicPartition, Span],
    timeout: float,
    first_only: bool = False,
) -> list[ConsumerRecord]:
    """The records of each partition's span (with ``first_only``, its first record), as many as
    arrive before ``timeout`` seconds."""
    pending = {tp: span for tp, span in spans.items() if span[0] < span[1]}
    consumer.assign(list(pending))
    consumer.resume(*pending)  # assign() keeps a partition's pause from an earlier read
    for tp, (start, _) in pending.items():
        consumer.seek(tp, start)
    records: list[ConsumerRecord] = []
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        found = set()
        for tp, batch in consumer.poll(timeout_ms=POLL_MS).items():
            if tp not in pending:
                continue
            start, stop = pending[tp]
            taken = [r for r in batch if start <= r.offset < stop]
            if first_only and taken:
                taken = taken[:1]
                found.add(tp)
            records += taken
        done = found | {tp for tp, (_, stop) in pending.items() if consumer.position(tp) >= stop}
        if done:
            consumer.pause(*done)
            pending = {tp: span for tp, span in pending.items() if tp not in done}
    return records


def tail_span(position: int | None, begin: int, end: int, backlog: int) -> Span:
    """What to read of a partition next: from where the last read stopped, but never more than
    the last ``backlog`` records (the first read, a burst, a topic recreated below the
    position), and never below the log start."""
    floor = max(begin, end - backlog)
    start = floor if position is None or position > end else max(floor, position)
    return start, end


@dataclass
class TopicTail:
    """The records appended to some topics since the previous ``read()``; the first read
    returns the last ``backlog`` records of each partition."""

    consumer: KafkaConsumer
    backlog: int
    positions: dict[TopicPartition, int] = field(default_factory=dict)

    def read(self, topics: Iterable[str], timeout: float) -> "TailRead":
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(self.consumer.partitions_for_topic(topic) or ())
        ]
        if not partitions:
            return TailRead([], {}, {})
        begins = self.consumer.beginning_offsets(partitions)
        ends = self.consumer.end_offsets(partitions)
        spans = {
            tp: tail_span(self.positions.get(tp), begins[tp], ends[tp], self.backlog)
            for tp in partitions
        }
        records = read_spans(self.consumer, spans, timeout)
        self.positions = dict(ends)  # a partition gone from the topics is forgotten
        return TailRead(records, begins, ends)


@dataclass(frozen=True)
class TailRead:
    records: list[ConsumerRecord]
    begins: dict[TopicPartition, int]
    ends: dict[TopicPartition, int]

    def kept(self, topic: str) -> int:
        """Records the topic holds now (retention and compaction aside: offsets kept)."""
        return sum(end - self.begins[tp] for tp, end in self.ends.items() if tp.topic == topic)

    def appended(self, topic: str) -> int:
        """End offsets summed: records ever written to the topic."""
        return sum(end for tp, end in self.ends.items() if tp.topic == topic)
