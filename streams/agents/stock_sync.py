"""Stock sync: inventory changes -> Redis ``stock:{pid}`` and Mongo ``quantity``, LSN-guarded.

The Mongo write gives the product a new version, so the catalog change feed carries the new
quantity on to Elasticsearch (seed 6.7: inventory DB -> CDC -> product DB -> CDC -> search),
and search sync stays the one writer of the search index.
"""

from adapters.stock_copies import StockCopies
from domain.stock_sync import StockSink, stock_change
from schemas.events import InventoryEvent
from schemas.topics import INVENTORY
from streams.app import app, topic
from streams.resources import resources
from streams.retry import until_done


async def stock_sink() -> StockSink:
    clients = await resources()
    return StockCopies(clients.redis, clients.mongo)


@app.agent(topic(INVENTORY))
async def stock_sync(records):
    async for value in records:
        if value is None:
            continue  # the tombstone after a row delete
        change = stock_change(InventoryEvent.model_validate_json(value))
        if change is not None:
            sink = await stock_sink()
            await until_done(sink.apply, change)
