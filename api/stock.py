"""Live availability for the product page: the Redis stock cache, else Postgres.

The streams own the cache (write-through from CDC); the API only reads it, and never
fills it on a miss, so a cached value is always one the pipeline derived from Postgres.
A Redis outage degrades to Postgres reads instead of failing product pages.
"""

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.connections import Clients
from api.inventory_repo import available_qty
from schemas.redis_keys import stock_key

log = logging.getLogger(__name__)


async def live_available_qty(clients: Clients, product_id: str) -> int:
    cached = await cached_available_qty(clients.redis, product_id)
    if cached is not None:
        return cached
    return await available_qty(clients.pg, product_id)


async def cached_available_qty(redis: Redis, product_id: str) -> int | None:
    """The cached count, or None on a miss, a malformed value or an unreachable Redis."""
    try:
        value = await redis.get(stock_key(product_id))
    except RedisError:
        log.warning("stock cache unavailable; reading %s from Postgres", product_id)
        return None
    try:
        return None if value is None else max(0, int(value))
    except ValueError:
        log.warning("malformed stock cache value %r for %s", value, product_id)
        return None
