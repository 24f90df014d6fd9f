"""Rebuild a derived store from the Kafka log, from offset 0, while live traffic continues.

``cache`` (the Redis stock mirror) and ``product-qty`` (Mongo ``quantity``) come from the
inventory topic, ``search`` from the catalog topic. A replay reads with a fresh consumer group
(its own position, visible in ``shopctl lag`` while it runs, deleted at the end) up to the end
offsets captured when it starts and keeps the newest change per product.

A stock copy is rewritten with those changes whatever version it holds, so a copy holding a
wrong figure under a current (or corrupted) version is repaired too; the replay then applies
what Postgres holds now through the live agents' guarded write (``ops.stock_repair``), so a
newer change the live agent wrote meanwhile is never lost. Search writes keep Elasticsearch's
version guard: a replay never puts back an older document than the live agent wrote.

``search`` fills a new versioned index through a build alias while the serving alias still
points at the old one, then swaps the alias atomically and deletes the old index. Records that
arrived meanwhile (the live agent wrote them to the old index) are caught up before and after
the swap, up to the end offsets seen after it; from then on the live agent writes the new index.
"""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from elasticsearch import AsyncElasticsearch
from kafka import KafkaAdminClient

from adapters.catalog_store import CatalogQuantity
from adapters.connections import Clients
from adapters.search_index import (
    FIRST_VERSION,
    REFRESH_INTERVAL,
    index_pattern,
    index_template,
    versioned_index,
)
from adapters.search_writer import SearchWriter
from adapters.stock_cache import StockMirror
from config import KafkaUser, Settings
from domain.catalog import latest_changes
from domain.inventory import StockChange, StockCopy, latest_per_product
from ops.bounded import bounded
from ops.stock_repair import CONCURRENCY, overwrite_then_catch_up
from streams.events import UnreadableRecord, decode
from streams.topics import INVENTORY, PRODUCTS, TopicSpec

FETCH_RECORDS = 5_000
SEARCH_BATCH = 1_000
GROUP_PREFIX = "shopctl-replay-"
"""Each replay reads under a fresh group of this prefix (the ops principal's ACLs name it)."""

Progress = Callable[[str, int, int], None]  # phase ("read" | "write"), done, total
R = TypeVar("R")


class ReplayRefused(RuntimeError):
    """The rebuilt index would serve fewer documents than the one it replaces."""


class Target(StrEnum):
    SEARCH = "search"
    CACHE = "cache"
    PRODUCT_QTY = "product-qty"


@dataclass(frozen=True)
class ReplayResult:
    target: str
    topic: str
    records: int  # read from the log
    products: int  # written: the newest change of each product
    seconds: float
    index: str | None = None  # the search index now behind the alias
    unreadable: int = 0  # records no model accepts, skipped

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0

    def as_json(self) -> dict:
        return {**asdict(self), "records_per_second": round(self.records_per_second, 1)}


async def replay(
    clients: Clients,
    target: Target,
    *,
    alias: str | None = None,
    key_prefix: str = "",
    product_prefix: str = "",
    allow_shrink: bool = False,
    progress: Progress = lambda *_: None,
) -> ReplayResult:
    """Rebuild ``target``; ``alias``/``key_prefix`` direct it at a store beside the live one,
    ``product_prefix`` limits a cache or quantity replay to products whose id starts with it.

    A search replay refuses to swap in an index with fewer documents than the serving one
    unless ``allow_shrink``: documents indexed without passing through the log (e.g. written
    straight to Elasticsearch) would otherwise vanish from search.
    """
    settings = clients.settings
    started = time.monotonic()
    if target is Target.SEARCH:
        if product_prefix:
            raise ValueError("a search replay rebuilds the whole index: no product filter")
        alias = alias or settings.search_alias
        index, products, log = await _rebuild_search(
            clients.es, settings, alias, allow_shrink, progress
        )
        return ReplayResult(
            target,
            PRODUCTS.name(settings),
            log.records,
            products,
            time.monotonic() - started,
            index,
            log.unreadable,
        )
    copy: StockCopy
    if target is Target.CACHE:
        copy, store = StockMirror(clients.redis, key_prefix), "redis"
    else:
        copy, store = CatalogQuantity(clients.mongo), "mongo"
    async with LogReader(settings, INVENTORY, target) as log:
        changes = _in_scope(
            latest_per_product(await _collect(log, await log.end_offsets(), progress)),
            product_prefix,
        )
        await overwrite_then_catch_up(
            clients.pg,
            copy,
            changes,
            CONCURRENCY[store],
            lambda done: progress("write", done, len(changes)),
        )
    return ReplayResult(
        target,
        INVENTORY.name(settings),
        log.records,
        len(changes),
        time.monotonic() - started,
        unreadable=log.unreadable,
    )


class LogReader:
    """One topic from offset 0 under a fresh consumer group, read to given end offsets."""

    def __init__(self, settings: Settings, spec: TopicSpec, target: Target) -> None:
        self.settings = settings
        self.spec = spec
        self.topic = spec.name(settings)
        self.unreadable = 0  # records no model accepts, skipped
        self.group = f"{GROUP_PREFIX}{target}-{uuid.uuid4().hex[:8]}"
        self.records = 0
        self._consumer = AIOKafkaConsumer(
            **settings.kafka_client(KafkaUser.OPS),
            group_id=self.group,
            enable_auto_commit=False,
            max_poll_records=FETCH_RECORDS,
        )
        self._partitions: list[TopicPartition] = []

    async def __aenter__(self) -> "LogReader":
        numbers = await asyncio.to_thread(self._admin, self._partition_numbers)
        self._partitions = [TopicPartition(self.topic, p) for p in numbers]
        await self._consumer.start()
        try:
            self._consumer.assign(self._partitions)
            await self._consumer.seek_to_beginning(*self._partitions)
        except BaseException:
            await self._consumer.stop()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._consumer.stop()
        await asyncio.to_thread(self._admin, lambda admin: admin.delete_groups([self.group]))

    def _admin(self, work: Callable[[KafkaAdminClient], R]) -> R:
        admin = KafkaAdminClient(**self.settings.kafka_client(KafkaUser.OPS))
        try:
            return work(admin)
        finally:
            admin.close()

    def _partition_numbers(self, admin: KafkaAdminClient) -> list[int]:
        (topic,) = admin.describe_topics([self.topic])
        if topic["error_code"]:
            raise RuntimeError(f"topic {self.topic} unavailable (error {topic['error_code']})")
        return sorted(p["partition_index"] for p in topic["partitions"])

    async def end_offsets(self) -> dict[TopicPartition, int]:
        return await self._consumer.end_offsets(self._partitions)

    async def remaining(self, ends: dict[TopicPartition, int]) -> int:
        return sum(max(0, end - position) for end, position in await self._positions(ends))

    async def _positions(self, ends: dict[TopicPartition, int]) -> list[tuple[int, int]]:
        return [(end, await self._consumer.position(tp)) for tp, end in ends.items()]

    async def read_to(self, ends: dict[TopicPartition, int]) -> AsyncIterator[list[ConsumerRecord]]:
        """Batches of records until every partition reached its end offset; the group's
        committed position follows, so ``shopctl lag`` shows the replay's progress."""
        while await self.remaining(ends):
            behind = [tp for tp in ends if await self._consumer.position(tp) < ends[tp]]
            fetched = await self._consumer.getmany(*behind, timeout_ms=1_000)
            batch = [
                record
                for tp, records in fetched.items()
                for record in records
                if record.offset < ends[tp]
            ]
            if batch:
                self.records += len(batch)
                await self._consumer.commit()
                yield batch


async def _collect(log: LogReader, ends: dict[TopicPartition, int], progress: Progress) -> list:
    """Every event up to ``ends``, decoded as the agents decode them (``streams.events``);
    tombstones and deletes carry none, and records no model accepts are counted and skipped
    (the live agents parked them on the dead-letter topic when they first read them)."""
    total, done, events = await log.remaining(ends), 0, []
    async for batch in log.read_to(ends):
        for record in batch:
            try:
                event = decode(log.spec, record.key, record.value)
            except UnreadableRecord:
                log.unreadable += 1
                continue
            if event is not None:
                events.append(event)
        done += len(batch)
        progress("read", done, total)
    return events


def _in_scope(changes: Sequence[StockChange], product_prefix: str) -> list[StockChange]:
    return [change for change in changes if change.product_id.startswith(product_prefix)]


async def _rebuild_search(
    es: AsyncElasticsearch, settings: Settings, alias: str, allow_shrink: bool, progress: Progress
) -> tuple[str, int, "LogReader"]:
    """Build, swap, catch up, clean up; returns (new index, products written, the log read).

    A failure before the swap drops the half-built index (the old one still serves); after
    it, the new index serves and the old one is kept for inspection.
    """
    index, build_alias, serving = await _new_index(es, alias)
    writer = SearchWriter(es, build_alias)
    written: set[str] = set()
    swapped = False
    try:
        async with LogReader(settings, PRODUCTS, Target.SEARCH) as log:

            async def write_to(ends: dict[TopicPartition, int]) -> None:
                changes = latest_changes(await _collect(log, ends, progress))
                batches = [
                    changes[i : i + SEARCH_BATCH] for i in range(0, len(changes), SEARCH_BATCH)
                ]
                total = len(batches)
                await bounded(
                    [writer.apply_many(b) for b in batches],
                    4,
                    lambda done: progress("write", done, total),
                )
                written.update(change.product_id for change in changes)

            await write_to(await log.end_offsets())
            await write_to(await log.end_offsets())  # what arrived meanwhile
            await es.indices.put_settings(
                index=index, settings={"refresh_interval": REFRESH_INTERVAL}
            )
            await es.indices.refresh(index=index)
            if serving and not allow_shrink:
                await _refuse_shrinking(es, index, serving)
            await _swap(es, alias, index, serving)
            swapped = True
            await write_to(await log.end_offsets())  # the old index's last writes
    except BaseException:
        if not swapped:
            await es.options(ignore_status=404).indices.delete(index=index)
        raise
    await es.indices.delete_alias(index=index, name=build_alias)
    if serving:
        await es.indices.delete(index=",".join(serving))
    return index, len(written), log


async def _new_index(es: AsyncElasticsearch, alias: str) -> tuple[str, str, list[str]]:
    """The next versioned index (refresh off while filling), its build alias, and the indices
    the serving alias points at now."""
    await es.indices.put_index_template(**index_template(alias))
    existing = await es.indices.get(
        index=index_pattern(alias), ignore_unavailable=True, allow_no_indices=True
    )
    versions = [
        int(name.rsplit("-v", 1)[1]) for name in existing if name.rsplit("-v", 1)[1].isdigit()
    ]
    version = max(versions, default=FIRST_VERSION - 1) + 1
    index = versioned_index(alias, version)
    build_alias = f"{alias}-replay-{version}"  # outside the template's "{alias}-v*" pattern
    await es.indices.create(
        index=index, aliases={build_alias: {}}, settings={"refresh_interval": "-1"}
    )
    current = await es.options(ignore_status=404).indices.get_alias(name=alias)
    serving = [name for name in current if current.meta.status == 200]
    return index, build_alias, serving


async def _refuse_shrinking(es: AsyncElasticsearch, index: str, serving: list[str]) -> None:
    built = (await es.count(index=index))["count"]
    current = (await es.count(index=",".join(serving)))["count"]
    if built < current:
        raise ReplayRefused(
            f"{index} holds {built} documents, {','.join(serving)} serves {current}: products"
            " indexed without a catalog event would vanish (allow_shrink to swap anyway)"
        )


async def _swap(es: AsyncElasticsearch, alias: str, index: str, serving: list[str]) -> None:
    """One alias update: readers see the old index or the new one, never neither."""
    actions = [{"remove": {"index": old, "alias": alias}} for old in serving]
    await es.indices.update_aliases(actions=[*actions, {"add": {"index": index, "alias": alias}}])
