"""Product cache: catalog changes -> ``product:{pid}`` in Redis, for product pages and checkout
prices, so they do not read the catalog (Mongo) per request. Each entry keeps the newest
catalog version written, so repeated and stale deliveries change nothing."""

from functools import partial

from services.catalog import cache_products
from streams.app import app, topic
from streams.dead_letters import typed
from streams.retry import retry_forever
from streams.topics import PRODUCTS
from streams.topology import AgentSpec
from streams.wiring import services

AGENTS = (AgentSpec("product_cache", PRODUCTS, sinks=("redis:product:{productId}",)),)


@app.agent(topic(PRODUCTS))
async def product_cache(records):
    async for key, value in records.items():
        if (change := typed(PRODUCTS, key, value)) is not None:
            cache = (await services()).products
            await retry_forever(partial(cache_products, cache, [change]), f"caching {change}")
