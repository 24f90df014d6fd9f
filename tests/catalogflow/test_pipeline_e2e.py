"""The catalog flow end to end on the real engines, with a stream worker of its own.

Postgres inventory -> Debezium -> stock sync -> Redis and Mongo ``quantity`` -> change feed
-> search sync -> Elasticsearch; and catalog edits -> change feed -> Elasticsearch.
"""

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable

import pytest
from elasticsearch import ApiError

from adapters import catalog_store, inventory_store
from adapters.connections import Clients
from adapters.stock_cache import StockKeys
from domain.inventory import reserve, sell
from harness.kafka_log import end_offsets, produce_again, records_since, wait_consumed
from ops.polling import until
from streams.topics import INVENTORY, PRODUCTS
from tests.catalogflow.conftest import Pipeline

pytestmark = pytest.mark.engines

FRESH_SECONDS = 3.0  # target 2 s (docs/PERFORMANCE.md); margin for a loaded 2-core CI machine
SETTLE_SECONDS = 30.0  # first appearance of a new product, or a worker restart

Probe = Callable[[], Awaitable[bool]]


async def seconds_until(probes: dict[str, Probe], timeout: float) -> dict[str, float]:
    """How long each probe took to hold, all polled at once; fails naming one that never did."""
    took = await asyncio.gather(
        *(until(probe, timeout=timeout, what=name) for name, probe in probes.items())
    )
    return {name: seconds for name, (_, seconds) in zip(probes, took, strict=True)}


async def search_hit(clients: Clients, alias: str, query: dict) -> dict | None:
    try:
        found = await clients.es.search(index=alias, query=query, version=True)
    except ApiError as exc:
        if exc.meta.status in (404, 503):  # the index is not there or not allocated yet
            return None
        raise
    hits = found["hits"]["hits"]
    return hits[0] if hits else None


def by_id(product_id: str) -> dict:
    return {"term": {"productId": product_id}}


async def available_in_search(clients: Clients, alias: str, product_id: str) -> int | None:
    hit = await search_hit(clients, alias, by_id(product_id))
    return None if hit is None else hit["_source"]["availableQty"]


async def test_inventory_change_reaches_redis_mongo_and_search_within_2s(
    pipeline: Pipeline, clients: Clients, new_product
) -> None:
    alias = pipeline.settings.search_alias
    product_id = await new_product(available=10)

    async def listed() -> bool:
        return await available_in_search(clients, alias, product_id) == 10

    await seconds_until({"listed": listed}, SETTLE_SECONDS)

    async with clients.pg.connection() as conn:
        await inventory_store.move(conn, [reserve(product_id, 3), sell(product_id, 3)])
    # committed: the pool's connection context commits on exit

    async def redis_copy() -> bool:
        return await clients.redis.get(StockKeys().available(product_id)) == "7"

    async def mongo_copy() -> bool:
        product = await catalog_store.find_product(clients.mongo, product_id)
        return product is not None and product["quantity"] == 7

    async def search_copy() -> bool:
        return await available_in_search(clients, alias, product_id) == 7

    took = await seconds_until(
        {"redis": redis_copy, "mongo": mongo_copy, "search": search_copy}, FRESH_SECONDS
    )
    async with clients.pg.connection() as conn:
        row = await (
            await conn.execute(
                "SELECT available_qty FROM inventory WHERE product_id = %s", (product_id,)
            )
        ).fetchone()
    assert row["available_qty"] == 7
    print(f"inventory commit -> copies (s): {took}")


async def test_catalog_edit_is_searchable_within_2s(
    pipeline: Pipeline, clients: Clients, new_product
) -> None:
    alias = pipeline.settings.search_alias
    product_id = await new_product()
    word = f"zephyr{uuid.uuid4().hex[:6]}"
    await catalog_store.update_product(clients.mongo, product_id, {"title": f"{word} jacket"})

    async def searchable() -> bool:
        hit = await search_hit(clients, alias, {"match": {"title": word}})
        return hit is not None and hit["_id"] == product_id

    await seconds_until({"edit": searchable}, FRESH_SECONDS)


def in_search(clients: Clients, alias: str, product_id: str) -> Probe:
    async def present() -> bool:
        return await search_hit(clients, alias, by_id(product_id)) is not None

    return present


async def test_deleted_product_leaves_search_within_2s(
    pipeline: Pipeline, clients: Clients, new_product
) -> None:
    alias = pipeline.settings.search_alias
    product_id = await new_product()
    present = in_search(clients, alias, product_id)
    await seconds_until({"listed": present}, SETTLE_SECONDS)
    assert await catalog_store.delete_product(clients.mongo, product_id)

    async def gone() -> bool:
        return not await present()

    await seconds_until({"deleted": gone}, FRESH_SECONDS)
    assert await catalog_store.find_product(clients.mongo, product_id) is None


async def test_feed_resumes_after_restart_without_loss(
    pipeline: Pipeline, clients: Clients, new_product
) -> None:
    alias = pipeline.settings.search_alias
    product_id = await new_product()
    await seconds_until({"listed": in_search(clients, alias, product_id)}, SETTLE_SECONDS)
    await asyncio.to_thread(pipeline.worker.stop)
    edited = await catalog_store.update_product(
        clients.mongo, product_id, {"title": "Edited while the feed was down"}
    )
    await asyncio.to_thread(pipeline.worker.start)

    async def caught_up() -> bool:
        hit = await search_hit(clients, alias, by_id(product_id))
        return hit is not None and hit["_version"] == edited["version"]

    await seconds_until({"resumed": caught_up}, SETTLE_SECONDS)
    hit = await search_hit(clients, alias, by_id(product_id))
    assert hit["_source"]["title"] == "Edited while the feed was down"


async def copies(clients: Clients, alias: str, product_ids: list[str]) -> dict:
    """Every derived copy of the products: Redis, Mongo documents, search documents."""
    keys = [k for p in product_ids for k in (StockKeys().available(p), StockKeys().version(p))]
    documents = (
        await clients.mongo[catalog_store.PRODUCTS]
        .find({"productId": {"$in": product_ids}})
        .to_list()
    )
    found = await clients.es.mget(index=alias, ids=product_ids)
    return {
        "redis": await clients.redis.mget(keys),
        "mongo": sorted((d["productId"], d["version"], d["quantity"]) for d in documents),
        "search": [(d["_id"], d.get("_version"), d.get("_source")) for d in found["docs"]],
    }


async def test_redelivered_records_change_nothing(
    pipeline: Pipeline, clients: Clients, new_product
) -> None:
    settings, alias = pipeline.settings, pipeline.settings.search_alias
    kept, dropped = await new_product(available=5), await new_product(available=6)
    async with clients.pg.connection() as conn:
        for _ in range(3):
            await inventory_store.move(conn, [reserve(kept, 1)])
    await catalog_store.update_product(clients.mongo, kept, {"price": 44.5})
    await catalog_store.delete_product(clients.mongo, dropped)

    async def settled() -> bool:
        hit = await search_hit(clients, alias, by_id(kept))
        if hit is None or (hit["_source"]["availableQty"], hit["_source"]["price"]) != (2, 44.5):
            return False
        return await search_hit(clients, alias, by_id(dropped)) is None

    await seconds_until({"settled": settled}, SETTLE_SECONDS)
    group = settings.streams_app_id
    catalog_start = {tp: 0 for tp in end_offsets(settings, [PRODUCTS.name(settings)])}
    ends = end_offsets(settings, [INVENTORY.name(settings), PRODUCTS.name(settings)])
    await asyncio.to_thread(wait_consumed, settings, group, ends)
    before = await copies(clients, alias, [kept, dropped])

    inventory_start = {tp: o for tp, o in pipeline.cdc_start.items() if tp in ends}
    inventory = records_since(settings, inventory_start)
    catalog = records_since(settings, catalog_start)
    ours = [r for r in inventory if json.loads(r.key)["product_id"] in (kept, dropped)]
    assert ours and catalog
    written = produce_again(settings, ours + catalog)
    await asyncio.to_thread(wait_consumed, settings, group, written)

    assert await copies(clients, alias, [kept, dropped]) == before
