"""Catalog change feed: Mongo ``products`` -> Debezium-shaped change events on PRODUCTS.

FerretDB (local) has no change streams, so the leader worker polls: it re-reads the change
buckets of every write since its checkpoint minus an overlap, emits each document version
not emitted yet, and saves its position in Postgres only after Kafka acknowledged the
records. Design and guarantees: docs/ARCHITECTURE.md, "Catalog change feed". Production
runs the Debezium MongoDB connector (connectors/mongodb.json) instead, same topic, same
envelope.
"""

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase

from adapters import catalog_store, feed_positions
from adapters.connections import Clients
from domain.catalog_feed import Document, buckets_between, to_emit
from streams.app import app, settings, topic
from streams.events import catalog_envelope, product_key
from streams.topics import PRODUCTS
from streams.topology import AgentSpec, Timer, mongo, postgres, topic_label
from streams.wiring import services

log = logging.getLogger(__name__)

BATCH = 500
products_topic = topic(PRODUCTS)
_prepared: set[str] = set()


def source_name(db: AsyncDatabase) -> str:
    return f"{db.name}.{catalog_store.PRODUCTS}"


AGENTS = (
    AgentSpec(
        "catalog_feed",
        Timer("catalog_feed_interval_seconds"),
        reads=(mongo(catalog_store.PRODUCTS),),
        sinks=(
            topic_label(PRODUCTS),
            postgres("catalog_feed_checkpoint"),
            postgres("catalog_feed_versions"),
        ),
    ),
)


@app.timer(settings.catalog_feed_interval_seconds, on_leader=True)
async def catalog_feed() -> None:
    if not settings.catalog_feed_enabled:
        return
    try:
        await poll((await services()).engines)
    except Exception:  # the next poll retries from the saved position
        log.exception("catalog change feed poll failed")


async def poll(clients: Clients) -> int:
    """Emit every change since the saved position, then save it; returns how many."""
    source = source_name(clients.mongo)
    if source not in _prepared:  # once per worker
        await catalog_store.ensure_feed_index(clients.mongo)
        _prepared.add(source)
    started = datetime.now(UTC)
    checkpoint = await feed_positions.checkpoint(clients.pg, source)
    emitted = 0
    async for documents in _changed(clients.mongo, checkpoint, started):
        emitted += await _emit(clients, source, documents, snapshot=checkpoint is None)
    await feed_positions.save_checkpoint(clients.pg, source, started)
    return emitted


async def _changed(
    db: AsyncDatabase, checkpoint: datetime | None, until: datetime
) -> AsyncIterator[list[Document]]:
    """The whole collection first (the snapshot), then the buckets of recent writes."""
    products = db[catalog_store.PRODUCTS]
    if checkpoint is None:
        cursor = products.find({}, batch_size=BATCH)
        while batch := await cursor.to_list(BATCH):
            yield batch
        return
    since = checkpoint - timedelta(seconds=settings.catalog_feed_overlap_seconds)
    for bucket in buckets_between(since, until):
        yield await products.find({"changeBucket": bucket}).to_list()


async def _emit(
    clients: Clients, source: str, documents: Sequence[Document], snapshot: bool
) -> int:
    """Publish the new versions among ``documents``, wait for Kafka's acks, record them."""
    emitted = await feed_positions.emitted_versions(
        clients.pg, source, [d["productId"] for d in documents]
    )
    fresh = to_emit(documents, emitted)
    if not fresh:
        return 0
    now_ms = int(time.time() * 1000)
    acks = []
    for document in fresh:
        event = catalog_envelope(
            document,
            name=settings.topic_prefix,
            db=clients.mongo.name,
            snapshot=snapshot,
            now_ms=now_ms,
        )
        acks.append(
            await products_topic.send(
                key=product_key(document["productId"]), value=json.dumps(event).encode()
            )
        )
    await asyncio.gather(*acks)
    await feed_positions.save_versions(
        clients.pg, source, {d["productId"]: d["version"] for d in fresh}
    )
    return len(fresh)
