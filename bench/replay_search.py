"""Time to rebuild the search index from the log: ``replay --target search`` on the seeded catalog.

Publishes the change-feed events of the catalog ``shopctl seed`` loads (``--catalog``
products, random seed 42; the feed's own ``catalog_envelope``, snapshot records) to the
catalog topic of a scratch catalog database, then rebuilds a scratch search alias from that
topic with ``ops.replay``: first from nothing, then again beside the built index (next
version, alias swap, old index deleted), which is the operator's case. Removes its topic,
indices and template at the end.

    python bench/replay_search.py --catalog 10000
"""

import argparse
import asyncio
import json
import time
import uuid

from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic

from adapters.connections import open_clients
from config import DURABLE_PRODUCER, KafkaUser, Settings, get_settings
from ops.demo.catalog import generate_catalog
from ops.replay import Target, replay
from streams.events import catalog_envelope, product_key
from streams.topics import PRODUCTS


def publish(settings: Settings, count: int) -> str:
    """The feed's snapshot of the seeded catalog, on the scratch database's catalog topic."""
    topic = PRODUCTS.name(settings)
    admin = KafkaAdminClient(**settings.kafka_client(KafkaUser.ADMIN))
    admin.create_topics(
        [
            NewTopic(
                topic,
                num_partitions=PRODUCTS.partitions,
                replication_factor=settings.kafka_replication_factor,
            )
        ]
    )
    admin.close()
    producer = KafkaProducer(
        **settings.kafka_client(KafkaUser.ADMIN), linger_ms=20, **DURABLE_PRODUCER
    )
    now_ms = int(time.time() * 1000)
    for product in generate_catalog(count, random_seed=42):
        document = {**product.model_dump(), "version": 1, "deleted": False}
        event = catalog_envelope(
            document, name=settings.topic_prefix, db=settings.mongo_db, snapshot=True, now_ms=now_ms
        )
        producer.send(topic, key=product_key(product.product_id), value=json.dumps(event).encode())
    producer.flush()
    producer.close()
    return topic


async def rebuild_twice(settings: Settings) -> None:
    async with open_clients(settings, pool_size=4) as clients:
        for run in ("from nothing", "beside the serving index"):
            result = await replay(clients, Target.SEARCH)
            count = (await clients.es.count(index=settings.search_alias))["count"]
            print(
                f"{run}: {result.records} records -> {count} documents in {result.index},"
                f" {result.seconds:.1f}s ({result.records_per_second:.0f} records/s)"
            )


async def remove(settings: Settings, topic: str) -> None:
    async with open_clients(settings, pool_size=2) as clients:
        missing_ok = clients.es.options(ignore_status=404)
        await missing_ok.indices.delete(index=f"{settings.search_alias}-v*")
        await missing_ok.indices.delete_index_template(name=settings.search_alias)
    admin = KafkaAdminClient(**settings.kafka_client(KafkaUser.ADMIN))
    admin.delete_topics([topic])
    admin.close()


def main(args: argparse.Namespace) -> None:
    tag = f"replaybench{uuid.uuid4().hex[:6]}"
    settings = get_settings().model_copy(
        update={"mongo_db": f"{tag}_catalog", "search_alias": f"{tag}-products"}
    )
    started = time.monotonic()
    topic = publish(settings, args.catalog)
    print(
        f"published {args.catalog} catalog events to {topic} in {time.monotonic() - started:.1f}s"
    )
    try:
        asyncio.run(rebuild_twice(settings))
    finally:
        asyncio.run(remove(settings, topic))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=int, default=10_000, help="products in the catalog")
    main(parser.parse_args())
