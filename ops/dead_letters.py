"""The dead-letter topics as an operator sees them: how many records each holds, and the latest
ones with their origin, key, reason and an excerpt of the payload.

The stream agents park a record no model accepts on the dead-letter topic
(``streams.dead_letters``: a JSON value with the origin topic, key, value and error). A
record of another shape (a Kafka Connect dead-letter queue's, say, whose reason is in
headers) is shown as it is.
"""

import json
from collections import deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from kafka import KafkaConsumer
from kafka.consumer.fetcher import ConsumerRecord

from config import Settings
from ops.kafka_read import TopicTail
from streams.topics import DEAD_LETTERS

KEPT = 100
"""Latest dead letters kept for the viewer (and read at most per sample)."""
PAYLOAD_EXCERPT = 300
READ_TIMEOUT_SECONDS = 5
REASON_HEADER = "__connect.errors.exception.message"  # Kafka Connect's dead-letter queues


def dead_letter_topics(settings: Settings) -> list[str]:
    return [DEAD_LETTERS.name(settings)]


@dataclass(frozen=True)
class DeadLetter:
    topic: str  # the dead-letter topic
    partition: int
    offset: int
    timestamp_ms: int
    origin: str | None  # the topic the record came from, when the letter says
    key: str | None
    reason: str | None
    headers: dict[str, str]
    payload: str  # an excerpt of the parked value

    def as_json(self) -> dict:
        return asdict(self)


def excerpt(text: str, limit: int = PAYLOAD_EXCERPT) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _text(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("utf-8", "replace")


def read_letter(
    topic: str,
    partition: int,
    offset: int,
    timestamp_ms: int,
    key: bytes | None,
    value: bytes | None,
    headers: Sequence[tuple[str, bytes | None]] = (),
) -> DeadLetter:
    """A parked record as the viewer shows it, whatever its shape (the agents' shape is
    ``streams.dead_letters.dead_letter``'s)."""
    shown = {name: _text(raw) or "" for name, raw in headers}
    raw_value = _text(value) or ""
    try:
        letter = json.loads(raw_value)
    except ValueError:
        letter = None
    if not isinstance(letter, dict):
        letter = {"value": raw_value}
    parked_key = letter.get("key", _text(key))
    return DeadLetter(
        topic=topic,
        partition=partition,
        offset=offset,
        timestamp_ms=timestamp_ms,
        origin=letter.get("topic"),
        key=None if parked_key is None else str(parked_key),
        reason=letter.get("error") or shown.get(REASON_HEADER),
        headers=shown,
        payload=excerpt(str(letter.get("value", raw_value))),
    )


def _letter(record: ConsumerRecord) -> DeadLetter:
    return read_letter(
        record.topic,
        record.partition,
        record.offset,
        record.timestamp,
        record.key,
        record.value,
        record.headers or (),
    )


@dataclass(frozen=True)
class DeadLetterView:
    counts: dict[str, int]  # records kept per dead-letter topic
    latest: list[DeadLetter]  # newest first, at most ``KEPT``


class DeadLetterProbe:
    """Each ``measure()`` reads the letters parked since the previous one (the first, the last
    ``KEPT`` of each partition) and keeps the latest ``KEPT``."""

    def __init__(self, settings: Settings, consumer: KafkaConsumer) -> None:
        self.topics = dead_letter_topics(settings)
        self._tail = TopicTail(consumer, KEPT)
        self._latest: deque[DeadLetter] = deque(maxlen=KEPT)

    def measure(self) -> DeadLetterView:
        read = self._tail.read(self.topics, READ_TIMEOUT_SECONDS)
        letters = sorted(map(_letter, read.records), key=lambda d: (d.timestamp_ms, d.offset))
        self._latest.extend(letters)
        return DeadLetterView({t: read.kept(t) for t in self.topics}, list(reversed(self._latest)))
