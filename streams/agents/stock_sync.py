"""Stock sync: inventory changes -> the Redis stock mirror and Mongo ``quantity``, each taking
only a newer inventory row version than the one it holds.

Two agents read the inventory topic, so the mirror never waits for the catalog: a Redis write
takes a millisecond, a catalog update several (docs/PERFORMANCE.md). The quantity agent
therefore takes batches (the handler keeps the newest change per product and writes them
concurrently): at a calm pace a batch is whatever arrived within 50 ms; under a burst of
checkouts it fills up, and each product costs one catalog write per batch, not one per sale.

The Mongo write gives the product a new version, so the catalog change feed carries the new
quantity on to Elasticsearch (inventory DB -> CDC -> product DB -> CDC -> search, as the
design asks), and search sync stays the one writer of the search index.
"""

from functools import partial

from adapters.catalog_collection import PRODUCTS
from adapters.stock_cache import StockKeys
from services.stock import mirror_stock
from streams.app import app, topic
from streams.dead_letters import typed
from streams.retry import retry_forever
from streams.topics import INVENTORY
from streams.topology import AgentSpec, mongo
from streams.wiring import services

QUANTITY_BATCH = 500
QUANTITY_WITHIN_SECONDS = 0.05

AGENTS = (
    AgentSpec("stock_cache", INVENTORY, sinks=(f"redis:{StockKeys().available('{productId}')}",)),
    AgentSpec("product_quantity", INVENTORY, sinks=(mongo(PRODUCTS),)),
)


@app.agent(topic(INVENTORY))
async def stock_cache(records):
    async for key, value in records.items():
        if (change := typed(INVENTORY, key, value)) is not None:
            mirror = (await services()).stock_mirror
            await retry_forever(partial(mirror_stock, mirror, [change]), f"mirroring {change}")


@app.agent(topic(INVENTORY))
async def product_quantity(records):
    async for values in records.take(QUANTITY_BATCH, within=QUANTITY_WITHIN_SECONDS):
        changes = [c for c in (typed(INVENTORY, None, v) for v in values) if c is not None]
        if changes:
            quantity = (await services()).catalog_quantity
            await retry_forever(
                partial(mirror_stock, quantity, changes), f"{len(changes)} quantity changes"
            )
