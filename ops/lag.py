"""Consumer lag per group, topic and partition: how far each stream consumer is behind the log.

Committed offsets come from the group coordinator (OffsetFetch), end offsets from the partition
leaders (ListOffsets), commit times from ``__consumer_offsets`` (see ``ops.commit_log``). Only
partitions a group has committed on are reported: a group that never committed has no position
the broker knows of. Used by ``shopctl lag`` (one snapshot, exit code for health checks) and by
the dashboard (periodic samples, with the age of the oldest record each group has not consumed:
records behind say how much work is queued, seconds behind how late its effects are).
"""

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import OffsetSpec

from config import KafkaUser, Settings
from ops.clock import seconds_since
from ops.commit_log import CommitClock, CommitKey
from ops.kafka_read import read_spans

READ_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class PartitionLag:
    group: str
    topic: str
    partition: int
    committed: int
    end: int
    last_commit_ms: int | None  # None: the commit record was not found (e.g. compacted away)
    oldest_unconsumed_ms: int | None = None  # timestamp of the record at ``committed``, if read

    @property
    def lag(self) -> int:
        return max(0, self.end - self.committed)

    def commit_age_seconds(self, now_ms: int) -> float | None:
        return seconds_since(self.last_commit_ms, now_ms)

    def lag_seconds(self, now_ms: int) -> float | None:
        """How long the oldest record not consumed yet has waited: 0 when caught up, None when
        that record was not read."""
        return 0.0 if self.lag == 0 else seconds_since(self.oldest_unconsumed_ms, now_ms)

    def as_json(self, now_ms: int) -> dict:
        return {
            **asdict(self),
            "lag": self.lag,
            "commit_age_seconds": self.commit_age_seconds(now_ms),
            "lag_seconds": self.lag_seconds(now_ms),
        }


class LagProbe:
    """Kafka admin client plus commit clock; ``measure()`` is one snapshot, repeatable."""

    def __init__(self, settings: Settings, groups: Sequence[str] | None = None) -> None:
        client = settings.kafka_client(KafkaUser.OPS)
        self._admin = KafkaAdminClient(**client)
        self._groups = list(groups) if groups else None
        self._clock = CommitClock(client, self._groups)

    def consumer_groups(self) -> list[str]:
        """The requested groups, or every group the cluster knows (members or not: a group
        that only committed offsets has an empty protocol type; Connect's own group simply
        has no offsets)."""
        if self._groups is not None:
            return self._groups
        return sorted(g["group_id"] for g in self._admin.list_groups())

    def measure(self) -> list[PartitionLag]:
        groups = self.consumer_groups()
        if not groups:
            return []
        committed = self._admin.list_group_offsets({g: None for g in groups})
        topics = set(self._admin.list_topics())
        positions = {
            (group, tp): meta.offset
            for group, offsets in committed.items()
            for tp, meta in offsets.items()
            if tp.topic in topics and meta.offset >= 0
        }
        partitions = {tp for _, tp in positions}
        ends = self._admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in partitions})
        commits = self._clock.update()
        return sorted(
            (
                PartitionLag(
                    group,
                    tp.topic,
                    tp.partition,
                    offset,
                    ends[tp].offset,
                    commits.get(CommitKey(group, tp.topic, tp.partition)),
                )
                for (group, tp), offset in positions.items()
            ),
            key=lambda row: (row.group, row.topic, row.partition),
        )

    def close(self) -> None:
        self._clock.close()
        self._admin.close()


def over_threshold(rows: Sequence[PartitionLag], max_lag: int) -> list[PartitionLag]:
    return [row for row in rows if row.lag > max_lag]


def group_lag_seconds(rows: Sequence[PartitionLag], now_ms: int) -> dict[str, float]:
    """Per group, its partitions' worst ``lag_seconds`` (partitions not read left out)."""
    worst: dict[str, float] = {}
    for row in rows:
        seconds = row.lag_seconds(now_ms)
        if seconds is not None:
            worst[row.group] = max(seconds, worst.get(row.group, 0.0))
    return worst


Position = tuple[str, int, int]  # topic, partition, offset


class UnconsumedClock:
    """Timestamps of the records at the groups' committed offsets, i.e. the oldest record each
    has not consumed. A position is read once and remembered while some group stands on it,
    so a sample reads only the partitions whose committed offset moved."""

    def __init__(self, consumer: KafkaConsumer) -> None:
        self._consumer = consumer
        self._known: dict[Position, int] = {}

    def stamp(self, rows: Sequence[PartitionLag]) -> list[PartitionLag]:
        """``rows`` with ``oldest_unconsumed_ms`` filled where the partition lags."""
        wanted = {(r.topic, r.partition, r.committed): r.end for r in rows if r.lag > 0}
        self._known = {p: ts for p, ts in self._known.items() if p in wanted}
        self._read({p: end for p, end in wanted.items() if p not in self._known})
        return [
            replace(r, oldest_unconsumed_ms=self._known.get((r.topic, r.partition, r.committed)))
            for r in rows
        ]

    def _read(self, missing: dict[Position, int]) -> None:
        """The first record at or after each position, one round per offset of a partition
        (groups at different offsets of one partition), all within one deadline; a position
        not read now is tried again next sample."""
        rounds: dict[TopicPartition, list[tuple[int, int]]] = defaultdict(list)
        for (topic, partition, offset), end in sorted(missing.items()):
            rounds[TopicPartition(topic, partition)].append((offset, end))
        deadline = time.monotonic() + READ_TIMEOUT_SECONDS
        while rounds and (left := deadline - time.monotonic()) > 0:
            spans = {tp: offsets.pop(0) for tp, offsets in rounds.items()}
            for record in read_spans(self._consumer, spans, left, first_only=True):
                tp = TopicPartition(record.topic, record.partition)
                self._known[(record.topic, record.partition, spans[tp][0])] = record.timestamp
            rounds = {tp: offsets for tp, offsets in rounds.items() if offsets}
