"""Ops fixtures: a stock world of this test's own on the real engines.

Inventory rows are named after the test run, the copies live under a Redis key prefix, a search
alias and a Mongo database of their own, so the audit sees only them and nothing shared is
touched. Nothing is skipped: a missing engine fails the test naming it.
"""

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from elasticsearch import Elasticsearch

from adapters import inventory_store
from adapters.catalog_collection import PRODUCTS
from adapters.connections import Clients, open_clients
from adapters.search_index import ensure_search_index
from adapters.stock_cache import StockKeys, StockMirror
from config import Settings
from domain.inventory import StockChange, reserve, sell
from ops.audit import Scope

ENGINES = ("postgres", "redis", "ferretdb", "elasticsearch")


@dataclass(frozen=True)
class StockWorld:
    settings: Settings  # points at the world's Mongo database
    scope: Scope
    clients: Clients
    stock: dict[str, int]  # product id -> available units, as Postgres holds them

    @property
    def keys(self) -> StockKeys:
        return StockKeys(self.scope.key_prefix)


@pytest.fixture
async def stock_world(
    settings: Settings, require_engine: Callable[[str], None]
) -> AsyncIterator[StockWorld]:
    """Twelve products, every store in agreement; removed afterwards."""
    for engine in ENGINES:
        require_engine(engine)
    tag = f"opsaudit-{uuid.uuid4().hex[:8]}"
    world_settings = settings.model_copy(update={"mongo_db": tag.replace("-", "_")})
    scope = Scope(search_alias=f"{tag}-products", key_prefix=f"{tag}:", product_prefix=f"{tag}-")
    stock = {f"{tag}-{i:03d}": i for i in range(1, 13)}
    with Elasticsearch(settings.elasticsearch_url) as es:
        ensure_search_index(es, scope.search_alias)
    async with open_clients(world_settings, pool_size=2) as clients:
        world = StockWorld(world_settings, scope, clients, stock)
        try:
            await _fill(world)
            yield world
        finally:
            await _remove(world)


async def _fill(world: StockWorld) -> None:
    c, ids = world.clients, list(world.stock)
    async with c.pg.connection() as conn:  # one unit reserved, two sold
        await inventory_store.add_levels(conn, {p: q + 3 for p, q in world.stock.items()})
        await inventory_store.move(conn, [m for p in ids for m in (reserve(p, 3), sell(p, 2))])
        versions = {
            level.product_id: level.version
            for level in await inventory_store.levels(conn, world.scope.product_prefix)
        }
    await c.mongo[PRODUCTS].insert_many(
        [
            {"productId": p, "quantity": q, "stockVersion": versions[p]}
            for p, q in world.stock.items()
        ]
    )
    mirror = StockMirror(c.redis, world.scope.key_prefix)
    for product_id, available in world.stock.items():
        await mirror.apply(StockChange(product_id, available, versions[product_id]))
    for product_id, available in world.stock.items():
        await c.es.index(
            index=world.scope.search_alias,
            id=product_id,
            document={"productId": product_id, "availableQty": available},
        )
    await c.es.indices.refresh(index=world.scope.search_alias)


async def _remove(world: StockWorld) -> None:
    c, alias = world.clients, world.scope.search_alias
    async with c.pg.connection() as conn:
        await inventory_store.remove_levels(conn, product_prefix=world.scope.product_prefix)
    await c.mongo.client.drop_database(world.settings.mongo_db)
    keys = [k async for k in c.redis.scan_iter(match=f"{world.scope.key_prefix}*")]
    if keys:
        await c.redis.delete(*keys)
    missing_ok = c.es.options(ignore_status=404)
    await missing_ok.indices.delete(index=f"{alias}-v*")
    await missing_ok.indices.delete_index_template(name=alias)
