"""Stock sync: inventory changes -> the Redis stock mirror and Mongo ``quantity``, each taking
only a newer inventory row version than the one it holds.

Two agents read the inventory topic, so the cache never waits for the catalog: a Redis write
takes a millisecond, a catalog update several (FerretDB: 2 ms with the GIN twins of
``ops.stack.engines.ferretdb``, 100 ms without). The quantity agent therefore takes small
batches, keeps the newest change per product (older ones would lose to it anyway) and
writes those concurrently.

The Mongo write gives the product a new version, so the catalog change feed carries the new
quantity on to Elasticsearch (seed 6.7: inventory DB -> CDC -> product DB -> CDC -> search),
and search sync stays the one writer of the search index.
"""

import asyncio
from functools import partial

from adapters.catalog_store import CatalogQuantity
from adapters.stock_cache import StockKeys, StockMirror
from domain.inventory import StockChange, StockCopy, latest_per_product
from schemas.events import InventoryEvent, stock_change_of
from schemas.mongo_products import PRODUCTS
from schemas.topics import INVENTORY
from streams.app import app, topic
from streams.dead_letters import decoded
from streams.resources import resources
from streams.retry import until_done
from streams.topology import AgentSpec, mongo

QUANTITY_BATCH = 16
QUANTITY_WITHIN_SECONDS = 0.05


def parse(value: bytes | None) -> StockChange | None:
    """None for the tombstone after a row delete, the delete itself and a dead letter."""
    if value is None:
        return None
    return decoded(
        INVENTORY, lambda v: stock_change_of(InventoryEvent.model_validate_json(v)), value
    )


async def cache_sink() -> StockCopy:
    return StockMirror((await resources()).redis)


async def quantity_sink() -> StockCopy:
    return CatalogQuantity((await resources()).mongo)


AGENTS = (
    AgentSpec("stock_cache", INVENTORY, sinks=(f"redis:{StockKeys().available('{productId}')}",)),
    AgentSpec("product_quantity", INVENTORY, sinks=(mongo(PRODUCTS),)),
)


@app.agent(topic(INVENTORY))
async def stock_cache(records):
    async for value in records:
        change = parse(value)
        if change is not None:
            sink = await cache_sink()
            await until_done(partial(sink.apply, change), f"stock change {change!r}")


@app.agent(topic(INVENTORY))
async def product_quantity(records):
    async for values in records.take(QUANTITY_BATCH, within=QUANTITY_WITHIN_SECONDS):
        changes = latest_per_product(c for c in map(parse, values) if c is not None)
        sink = await quantity_sink()
        await asyncio.gather(
            *(until_done(partial(sink.apply, c), f"quantity change {c!r}") for c in changes)
        )
