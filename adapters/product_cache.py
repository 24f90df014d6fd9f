"""Product documents in Redis for product pages and checkout prices, kept by the catalog
stream, each with the catalog version it belongs to.

``product:{pid}`` is a hash: ``v``, the product's catalog version, and ``doc``, its JSON (empty
once the product is deleted). Every write is guarded by the version in one Lua call, so the
catalog stream and a page's fill after a miss never put an older document back, and a deleted
product stays deleted. Reads fail open: a miss, a malformed entry or an unreachable Redis send
the caller to the catalog (Mongo).
"""

import logging
from collections.abc import Sequence

from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.catalog_documents import Product
from adapters.redis_scripts import script

log = logging.getLogger(__name__)

_PUT_IF_NEWER = """
local stored = tonumber(redis.call('HGET', KEYS[1], 'v'))
if stored and stored >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'doc', ARGV[2])
return 1
"""


class Deleted:
    """A cached tombstone: the catalog deleted this product."""


DELETED = Deleted()
Cached = Product | Deleted


class ProductCache:
    def __init__(self, redis: Redis, key_prefix: str = "") -> None:
        self.redis = redis
        self.prefix = key_prefix
        self._put = script(redis, _PUT_IF_NEWER)

    def key(self, product_id: str) -> str:
        return f"{self.prefix}product:{product_id}"

    async def put(self, product_id: str, version: int, product: Product | None) -> bool:
        """Store ``product`` (None: deleted) at ``version`` unless a newer one is stored."""
        document = "" if product is None else product.model_dump_json()
        return bool(await self._put(keys=[self.key(product_id)], args=[version, document]))

    async def get_many(self, product_ids: Sequence[str]) -> dict[str, Cached]:
        """What the cache holds for each id; ids it does not know (or cannot tell) are absent."""
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for product_id in product_ids:
                    pipe.hget(self.key(product_id), "doc")
                stored = await pipe.execute()
        except RedisError:
            log.warning("product cache unavailable; products read from the catalog")
            return {}
        found: dict[str, Cached] = {}
        for product_id, raw in zip(product_ids, stored, strict=True):
            if raw is None:
                continue
            if raw in (b"", ""):
                found[product_id] = DELETED
                continue
            try:
                found[product_id] = Product.model_validate_json(raw)
            except ValidationError:
                log.warning("malformed product cache entry for %s", product_id)
        return found
