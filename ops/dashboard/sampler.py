"""The dashboard's view of the pipeline, refreshed in the background.

Two loops: Kafka (consumer lag and CDC freshness, every ``dashboard_sample_seconds``, keeping a
ring buffer of lag samples per partition for the trend charts) and stock (a full audit every
``dashboard_audit_seconds``: it reads every store, and 10k catalog documents take seconds).
Pages and ``/metrics`` read the latest results and never wait for an engine; a failing engine
shows up as an error next to its data.
"""

import asyncio
import logging
from collections import deque
from dataclasses import dataclass, field

from adapters.connections import Clients
from config import Settings
from ops.audit import AuditReport, Scope, audit
from ops.clock import now_ms
from ops.freshness import TopicFreshness, measure_freshness
from ops.lag import LagProbe, PartitionLag

log = logging.getLogger(__name__)

PartitionKey = tuple[str, str, int]


@dataclass
class Sampler:
    settings: Settings
    clients: Clients
    lag: list[PartitionLag] = field(default_factory=list)
    lag_at_ms: int | None = None
    history: dict[PartitionKey, deque[tuple[int, int]]] = field(default_factory=dict)
    freshness: list[TopicFreshness] = field(default_factory=list)
    stock: AuditReport | None = None
    stock_at_ms: int | None = None
    errors: dict[str, str] = field(default_factory=dict)

    async def run(self) -> None:
        await asyncio.gather(self._kafka_loop(), self._stock_loop())

    async def _kafka_loop(self) -> None:
        probe: LagProbe | None = None
        try:
            while True:
                try:
                    probe = probe or await asyncio.to_thread(LagProbe, self.settings)
                    rows = await asyncio.to_thread(probe.measure)
                    self._record_lag(rows, now_ms())
                    self.freshness = await asyncio.to_thread(measure_freshness, self.settings)
                    self.errors.pop("kafka", None)
                except Exception as exc:  # keep sampling: Kafka may come back
                    log.exception("kafka sample failed")
                    self.errors["kafka"] = repr(exc)
                    probe = None
                await asyncio.sleep(self.settings.dashboard_sample_seconds)
        finally:
            if probe is not None:
                probe.close()

    async def _stock_loop(self) -> None:
        scope = Scope(self.settings.search_alias)
        while True:
            try:
                self.stock = await audit(self.clients, scope)
                self.stock_at_ms = now_ms()
                self.errors.pop("stock", None)
            except Exception as exc:
                log.exception("stock audit failed")
                self.errors["stock"] = repr(exc)
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
