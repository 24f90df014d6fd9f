"""The dashboard's view of the pipeline, refreshed in the background.

Four loops: Kafka (consumer lag in records and seconds, CDC freshness and delays, dead
letters, every ``dashboard_sample_seconds``, keeping a ring buffer of lag samples per partition
for the trend charts), capture (Kafka Connect's connector states and the WAL the replication
slots retain, at the same pace), Prometheus (its alerts, rule groups and targets, at the same
pace, where one runs) and stock (a full audit every ``dashboard_audit_seconds``: it reads every
store, and 10k catalog documents take seconds). Pages and ``/metrics`` read the
latest results and never wait for an engine; a failing engine shows up as an error next to
its data.
"""

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from adapters.connections import Clients
from adapters.replication_slots import ReplicationSlot, replication_slots
from config import Settings
from ops.audit import AuditReport, Scope, audit
from ops.clock import now_ms
from ops.connector_status import UnitState, read_connector_states, unreachable
from ops.connectors import expected_connectors
from ops.dead_letters import DeadLetterProbe, DeadLetterView
from ops.freshness import FreshnessProbe, TopicFreshness
from ops.kafka_read import open_reader
from ops.lag import LagProbe, PartitionLag, UnconsumedClock
from ops.money_audit import MoneyReport, audit_money
from ops.prometheus_view import PrometheusView, read_view

log = logging.getLogger(__name__)

PartitionKey = tuple[str, str, int]


class KafkaProbes:
    """Everything the dashboard reads from Kafka, over an admin client and one group-less
    reader; made anew after a failure."""

    def __init__(self, settings: Settings) -> None:
        self.lag = LagProbe(settings)
        try:
            reader = open_reader(settings)
        except Exception:
            self.lag.close()
            raise
        self.reader = reader
        self.unconsumed = UnconsumedClock(reader)
        self.freshness = FreshnessProbe(settings, reader)
        self.dead_letters = DeadLetterProbe(settings, reader)

    def measure(self) -> tuple[list[PartitionLag], list[TopicFreshness], DeadLetterView]:
        lag = self.unconsumed.stamp(self.lag.measure())
        return lag, self.freshness.measure(), self.dead_letters.measure()

    def close(self) -> None:
        self.reader.close()
        self.lag.close()


@dataclass
class Sampler:
    settings: Settings
    clients: Clients
    lag: list[PartitionLag] = field(default_factory=list)
    lag_at_ms: int | None = None
    history: dict[PartitionKey, deque[tuple[int, int]]] = field(default_factory=dict)
    freshness: list[TopicFreshness] = field(default_factory=list)
    dead_letters: DeadLetterView | None = None
    connectors: list[UnitState] = field(default_factory=list)
    slots: list[ReplicationSlot] = field(default_factory=list)
    capture_at_ms: int | None = None
    stock: AuditReport | None = None
    stock_at_ms: int | None = None
    money: MoneyReport | None = None
    prometheus: PrometheusView | None = None
    prometheus_at_ms: int | None = None
    errors: dict[str, str] = field(default_factory=dict)

    async def run(self) -> None:
        await asyncio.gather(
            self._kafka_loop(), self._capture_loop(), self._prometheus_loop(), self._stock_loop()
        )

    async def _guarded(self, source: str, step: Callable[[], Awaitable[None]]) -> bool:
        """Run one sample of ``source``; a failure is logged and shown, and sampling goes on
        (the engine may come back)."""
        try:
            await step()
        except Exception as exc:
            log.exception("%s sample failed", source)
            self.errors[source] = repr(exc)
            return False
        self.errors.pop(source, None)
        return True

    async def _kafka_loop(self) -> None:
        probes: KafkaProbes | None = None

        async def sample() -> None:
            nonlocal probes
            probes = probes or await asyncio.to_thread(KafkaProbes, self.settings)
            lag, self.freshness, self.dead_letters = await asyncio.to_thread(probes.measure)
            self._record_lag(lag, now_ms())

        try:
            while True:
                if not await self._guarded("kafka", sample) and probes is not None:
                    probes.close()
                    probes = None
                await asyncio.sleep(self.settings.dashboard_sample_seconds)
        finally:
            if probes is not None:
                probes.close()

    async def _capture_loop(self) -> None:
        """Connect's states and the slots' WAL. Unreadable, they are not kept: a connector
        is not shown running, nor a slot's old figure, while nobody can see them."""
        expected = expected_connectors(self.settings)

        async def connectors() -> None:
            self.connectors = await asyncio.to_thread(
                read_connector_states, self.settings.connect_url, expected
            )

        async def slots() -> None:
            self.slots = await replication_slots(self.clients.pg)

        while True:
            if not await self._guarded("connect", connectors):
                self.connectors = unreachable(expected, self.errors["connect"])
            if not await self._guarded("postgres", slots):
                self.slots = []
            self.capture_at_ms = now_ms()
            await asyncio.sleep(self.settings.dashboard_sample_seconds)

    async def _prometheus_loop(self) -> None:
        """What Prometheus says; nothing is read without one (``prometheus_url`` empty), and
        an unreadable one's last answer is not kept: its alerts may have changed."""
        url = self.settings.prometheus_url
        if not url:
            return

        async def sample() -> None:
            self.prometheus = await asyncio.to_thread(read_view, url)
            self.prometheus_at_ms = now_ms()

        while True:
            if not await self._guarded("prometheus", sample):
                self.prometheus = None
            await asyncio.sleep(self.settings.dashboard_sample_seconds)

    async def _stock_loop(self) -> None:
        scope = Scope(self.settings.search_alias)

        async def sample() -> None:
            self.stock = await audit(self.clients, scope)
            self.money = await audit_money(self.clients)
            self.stock_at_ms = now_ms()

        while True:
            await self._guarded("stock", sample)
            await asyncio.sleep(self.settings.dashboard_audit_seconds)

    def _record_lag(self, rows: list[PartitionLag], at_ms: int) -> None:
        keep = self.settings.dashboard_history_samples
        seen = set()
        for row in rows:
            key = (row.group, row.topic, row.partition)
            seen.add(key)
            self.history.setdefault(key, deque(maxlen=keep)).append((at_ms, row.lag))
        for gone in set(self.history) - seen:
            del self.history[gone]
        self.lag, self.lag_at_ms = rows, at_ms
