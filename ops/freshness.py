"""CDC freshness: how old the newest change record of each topic is, how long capture took, and
the distribution of commit -> topic delays.

A change record's Debezium envelope says when the connector captured the change (``ts_ms``)
and when the database committed it (``source.ts_ms``); the Kafka record's timestamp says when
it reached the topic. ``now - ts_ms`` of the newest record is the age of the newest data in
the log, ``ts_ms - source.ts_ms`` its capture latency, and ``record timestamp - source.ts_ms``
of every record read goes into a histogram: one since start (exported, as a Prometheus
histogram counts) and one of the records that reached their topic within a recent window (the
dashboard's panel: a seed's records of an hour ago must not weigh on today's figure). An idle
table shows an old record; the connector's heartbeat topic tells an idle table from a stalled
connector.
"""

import json
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from kafka import KafkaConsumer

from config import Settings
from ops.clock import now_ms, seconds_since
from ops.kafka_read import TopicTail
from streams.topics import ALL_TOPICS, heartbeat_topic

READ_TIMEOUT_SECONDS = 10
BACKLOG = 200
"""Records per partition read at most per sample: the first sample's look back, and the cap
in a burst (a 10k-row seed), so a sample stays cheap."""
DELAY_BOUNDS_SECONDS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
"""Upper bounds of the delay buckets (a last one takes the rest): sub-second is the normal
case, tens of seconds an outage."""
WINDOW_KEPT = 50_000
"""Delays a topic's window holds at most (the newest): a bound on memory in a flood."""


@dataclass(frozen=True)
class RecordTimes:
    captured_ms: int  # the envelope's ts_ms, or the Kafka record timestamp without one
    committed_ms: int | None  # the source database's commit time, when the envelope has it
    written_ms: int  # the Kafka record timestamp: when the record reached the topic
    snapshot: bool  # op "r": the row as read by a snapshot, not a committed change

    @property
    def commit_to_topic_ms(self) -> int | None:
        """None for a snapshot record (its source time is when it was read, or the document's
        last write) and for records without a source time (heartbeats, tombstones)."""
        if self.snapshot or self.committed_ms is None:
            return None
        return max(0, self.written_ms - self.committed_ms)


def record_times(value: bytes | None, record_ms: int) -> RecordTimes:
    """The times of a record; a tombstone or foreign value has only the Kafka timestamp."""
    try:
        envelope = json.loads(value) if value else {}
    except ValueError:
        envelope = {}
    if not isinstance(envelope, dict):
        envelope = {}
    source = envelope.get("source")
    committed = source.get("ts_ms") if isinstance(source, dict) else None
    return RecordTimes(
        captured_ms=int(envelope.get("ts_ms") or record_ms),
        committed_ms=committed,
        written_ms=record_ms,
        snapshot=envelope.get("op") == "r",
    )


@dataclass(frozen=True)
class DelayHistogram:
    """Delays counted per bucket (``counts[i]``: at most ``bounds[i]`` and above the previous
    bound; the last count: above every bound), and their sum."""

    counts: tuple[int, ...] = (0,) * (len(DELAY_BOUNDS_SECONDS) + 1)
    sum_seconds: float = 0.0
    bounds: tuple[float, ...] = DELAY_BOUNDS_SECONDS

    def added(self, delays: Iterable[float]) -> "DelayHistogram":
        counts, total = list(self.counts), self.sum_seconds
        for seconds in delays:
            counts[bisect_left(self.bounds, seconds)] += 1
            total += seconds
        return DelayHistogram(tuple(counts), total, self.bounds)

    @property
    def count(self) -> int:
        return sum(self.counts)

    def cumulative(self) -> list[tuple[str, int]]:
        """Prometheus buckets: (``le``, delays at most that), ending with ``+Inf``."""
        running, buckets = 0, []
        for bound, count in zip([*map(str, self.bounds), "+Inf"], self.counts, strict=True):
            running += count
            buckets.append((bound, running))
        return buckets

    def as_json(self) -> dict:
        return {
            "buckets": [
                {"label": label, "count": count}
                for label, count in zip(bucket_labels(self.bounds), self.counts, strict=True)
            ],
            "count": self.count,
            "sum_seconds": self.sum_seconds,
        }


@dataclass
class DelayWindow:
    """The delays of the records that reached their topic (Kafka timestamp) within the last
    ``window_ms``: older ones are left out, however recently they were read."""

    window_ms: int
    kept: deque[tuple[int, float]] = field(default_factory=lambda: deque(maxlen=WINDOW_KEPT))

    def add(self, written_ms: int, seconds: float) -> None:
        self.kept.append((written_ms, seconds))

    def histogram(self, now_ms: int) -> DelayHistogram:
        """The window's delays as of ``now_ms``; what fell out of it is forgotten."""
        since = now_ms - self.window_ms
        recent = [(written, seconds) for written, seconds in self.kept if written >= since]
        self.kept = deque(recent, maxlen=WINDOW_KEPT)
        return DelayHistogram().added(seconds for _, seconds in recent)


def bucket_labels(bounds: Iterable[float]) -> list[str]:
    """``≤100 ms`` ... ``≤60 s``, then ``>60 s``."""
    shown = [f"{b * 1000:g} ms" if b < 1 else f"{b:g} s" for b in bounds]
    return [*(f"≤{s}" for s in shown), f">{shown[-1]}"]


@dataclass(frozen=True)
class TopicFreshness:
    topic: str
    records: int  # end offsets summed over partitions
    captured_ms: int | None  # None: no record read yet (the topic is empty or missing)
    committed_ms: int | None  # source database commit time, when the envelope has it
    delays: DelayHistogram = DelayHistogram()  # since the probe started (exported)
    recent_delays: DelayHistogram = DelayHistogram()  # of the records within the window

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
            "delays": self.delays.as_json(),
            "recent_delays": self.recent_delays.as_json(),
        }


def cdc_topics(settings: Settings) -> list[str]:
    return [*(spec.name(settings) for spec in ALL_TOPICS), heartbeat_topic(settings)]


class FreshnessProbe:
    """Each ``measure()`` reads what the CDC topics received since the previous one (the
    first, the last ``BACKLOG`` records of each partition): the delays add up since start, as
    a Prometheus histogram's do, and within ``settings.dashboard_delay_window_minutes``; the
    newest record is kept while a topic is idle."""

    def __init__(self, settings: Settings, consumer: KafkaConsumer) -> None:
        self.topics = cdc_topics(settings)
        self._tail = TopicTail(consumer, BACKLOG)
        self._newest: dict[str, RecordTimes] = {}
        self._delays = {topic: DelayHistogram() for topic in self.topics}
        window_ms = int(settings.dashboard_delay_window_minutes * 60_000)
        self._windows = {topic: DelayWindow(window_ms) for topic in self.topics}

    def measure(self) -> list[TopicFreshness]:
        read = self._tail.read(self.topics, READ_TIMEOUT_SECONDS)
        delays: dict[str, list[float]] = {topic: [] for topic in self.topics}
        for record in read.records:
            times = record_times(record.value, record.timestamp)
            newest = self._newest.get(record.topic)
            if newest is None or times.captured_ms >= newest.captured_ms:
                self._newest[record.topic] = times
            if times.commit_to_topic_ms is not None:
                seconds = times.commit_to_topic_ms / 1000
                delays[record.topic].append(seconds)
                self._windows[record.topic].add(times.written_ms, seconds)
        self._delays = {t: self._delays[t].added(delays[t]) for t in self.topics}
        now = now_ms()
        return [self._freshness(topic, read.appended(topic), now) for topic in self.topics]

    def _freshness(self, topic: str, records: int, now: int) -> TopicFreshness:
        newest = self._newest.get(topic)
        return TopicFreshness(
            topic,
            records,
            None if newest is None else newest.captured_ms,
            None if newest is None else newest.committed_ms,
            self._delays[topic],
            self._windows[topic].histogram(now),
        )
