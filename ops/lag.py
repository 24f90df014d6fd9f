"""Consumer lag per group, topic and partition: how far each stream consumer is behind the log.

Committed offsets come from the group coordinator (OffsetFetch), end offsets from the partition
leaders (ListOffsets), commit times from ``__consumer_offsets`` (see ``ops.commit_log``). Only
partitions a group has committed on are reported: a group that never committed has no position
the broker knows of. Used by ``shopctl lag`` (one snapshot, exit code for health checks) and by
the dashboard (periodic samples).
"""

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from kafka import KafkaAdminClient
from kafka.admin import OffsetSpec

from config import Settings
from ops.clock import seconds_since
from ops.commit_log import CommitClock, CommitKey


@dataclass(frozen=True)
class PartitionLag:
    group: str
    topic: str
    partition: int
    committed: int
    end: int
    last_commit_ms: int | None  # None: the commit record was not found (e.g. compacted away)

    @property
    def lag(self) -> int:
        return max(0, self.end - self.committed)

    def commit_age_seconds(self, now_ms: int) -> float | None:
        return seconds_since(self.last_commit_ms, now_ms)

    def as_json(self, now_ms: int) -> dict:
        return {
            **asdict(self),
            "lag": self.lag,
            "commit_age_seconds": self.commit_age_seconds(now_ms),
        }


class LagProbe:
    """Kafka admin client plus commit clock; ``measure()`` is one snapshot, repeatable."""

    def __init__(self, settings: Settings, groups: Sequence[str] | None = None) -> None:
        self._admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
        self._groups = list(groups) if groups else None
        self._clock = CommitClock(settings.kafka_bootstrap, self._groups)

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
