"""When did a consumer group last commit? Decoded from Kafka's own ``__consumer_offsets`` log.

OffsetFetch (what ``list_group_offsets`` calls) answers the committed offsets but not their
time. The group coordinator stores every commit as a record of the internal, compacted topic
``__consumer_offsets``: key (version 0/1) = group, topic, partition; value = offset, metadata
and the commit timestamp. Reading the partitions that hold the groups of interest therefore
gives the time of each partition's last commit, from the broker itself, even for groups whose
consumers are gone. ``CommitClock`` reads incrementally, so a long-lived caller (the dashboard)
only reads new commits on each sample. The topic is compacted: its size is bounded by the
number of (group, topic, partition) keys plus the not-yet-compacted head.
"""

import struct
import time
from collections.abc import Iterable
from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition

OFFSETS_TOPIC = "__consumer_offsets"
POLL_MS = 500
READ_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class CommitKey:
    group: str
    topic: str
    partition: int


def offsets_partition(group: str, partitions: int) -> int:
    """The ``__consumer_offsets`` partition of a group: Kafka's ``abs(group.hashCode()) % n``."""
    code = 0
    units = group.encode("utf-16-be")
    for (unit,) in struct.iter_unpack(">H", units):
        code = (31 * code + unit) & 0xFFFFFFFF
    signed = code - (1 << 32) if code & 0x80000000 else code
    return (0 if signed == -(1 << 31) else abs(signed)) % partitions


class _Reader:
    """Big-endian fields of the coordinator's record schemas."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def _take(self, fmt: str) -> int:
        (value,) = struct.unpack_from(fmt, self.data, self.at)
        self.at += struct.calcsize(fmt)
        return value

    def int16(self) -> int:
        return self._take(">h")

    def int32(self) -> int:
        return self._take(">i")

    def int64(self) -> int:
        return self._take(">q")

    def string(self) -> str:
        size = self.int16()
        text = self.data[self.at : self.at + max(size, 0)].decode()
        self.at += max(size, 0)
        return text


def decode_key(key: bytes) -> CommitKey | None:
    """The (group, topic, partition) of an offset-commit record; None for group metadata."""
    reader = _Reader(key)
    if reader.int16() not in (0, 1):
        return None
    return CommitKey(reader.string(), reader.string(), reader.int32())


def decode_commit_time(value: bytes, record_timestamp: int) -> int:
    """Commit timestamp (ms) of an OffsetCommitValue, versions 0-3.

    Newer (flexible) versions fall back to the record's timestamp, which the coordinator sets
    to the same commit time when it appends the record.
    """
    reader = _Reader(value)
    version = reader.int16()
    if version > 3:
        return record_timestamp
    reader.int64()  # offset
    if version == 3:
        reader.int32()  # leader epoch
    reader.string()  # metadata
    return reader.int64()


class CommitClock:
    """Last commit time per (group, topic, partition), kept current by ``update()``."""

    def __init__(self, client: dict[str, object], groups: Iterable[str] | None = None) -> None:
        """``client``: ``Settings.kafka_client`` of a principal that may read the offsets topic."""
        self._consumer = KafkaConsumer(**client, enable_auto_commit=False, group_id=None)
        count = len(self._consumer.partitions_for_topic(OFFSETS_TOPIC) or ())
        numbers = range(count) if groups is None else {offsets_partition(g, count) for g in groups}
        self._partitions = [TopicPartition(OFFSETS_TOPIC, n) for n in sorted(numbers)]
        self._consumer.assign(self._partitions)
        self._consumer.seek_to_beginning(*self._partitions)
        self.commits: dict[CommitKey, int] = {}

    def update(self) -> dict[CommitKey, int]:
        """Read every commit appended since the last call; returns all known commit times."""
        ends = self._consumer.end_offsets(self._partitions)
        behind = {tp for tp in self._partitions if self._consumer.position(tp) < ends[tp]}
        deadline = time.monotonic() + READ_TIMEOUT_SECONDS
        while behind:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{OFFSETS_TOPIC} not read to its end: {sorted(behind)}")
            for records in self._consumer.poll(timeout_ms=POLL_MS).values():
                for record in records:
                    self._apply(record.key, record.value, record.timestamp)
            behind = {tp for tp in behind if self._consumer.position(tp) < ends[tp]}
        return self.commits

    def _apply(self, key: bytes | None, value: bytes | None, timestamp: int) -> None:
        commit = decode_key(key) if key else None
        if commit is None:
            return
        if value is None:  # tombstone: the group's offsets were deleted or expired
            self.commits.pop(commit, None)
        else:
            self.commits[commit] = decode_commit_time(value, timestamp)

    def close(self) -> None:
        self._consumer.close()
