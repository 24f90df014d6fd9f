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
from adapters.redis_scripts import COUNT_HIT, script

log = logging.getLogger(__name__)

_PUT_IF_NEWER = """
local stored = tonumber(redis.call('HGET', KEYS[1], 'v'))
if stored and stored >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'doc', ARGV[2])
return 1
"""


# A product page's two cached parts, after counting a request in a rate-limit window (KEYS:
# the product, its stock mirror, the counter; ARGV[1]: the window's seconds):
# {hits, document (false: not cached), mirrored count (false: none)}.
_COUNT_AND_READ_PAGE = (
    COUNT_HIT
    + """
local hits = count_hit(KEYS[3], ARGV[1])
return {hits, redis.call('HGET', KEYS[1], 'doc'), redis.call('GET', KEYS[2])}
"""
)


class Deleted:
    """A cached tombstone: the catalog deleted this product."""


DELETED = Deleted()
Cached = Product | Deleted


class ProductCache:
    def __init__(self, redis: Redis, key_prefix: str = "") -> None:
        self.redis = redis
        self.prefix = key_prefix
        self._put = script(redis, _PUT_IF_NEWER)
        self._count_and_read_page = script(redis, _COUNT_AND_READ_PAGE)

    def key(self, product_id: str) -> str:
        return f"{self.prefix}product:{product_id}"

    async def put(self, product_id: str, version: int, product: Product | None) -> bool:
        """Store ``product`` (None: deleted) at ``version`` unless a newer one is stored."""
        document = "" if product is None else product.model_dump_json()
        return bool(await self._put(keys=[self.key(product_id)], args=[version, document]))

    async def count_and_read_page(
        self, product_id: str, stock_key: str, counter: str, window_seconds: int
    ) -> tuple[int, Cached | None, bytes | None]:
        """One round trip: a request counted on ``counter`` (a rate-limit window's key), and
        what the cache holds for the product (None: nothing usable) and the raw stock mirror
        value at ``stock_key``. Raises ``RedisError``."""
        hits, raw, stock = await self._count_and_read_page(
            keys=[self.key(product_id), stock_key, counter], args=[window_seconds]
        )
        return int(hits), self._decode(product_id, raw), stock

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
        decoded = {
            pid: self._decode(pid, raw) for pid, raw in zip(product_ids, stored, strict=True)
        }
        return {pid: cached for pid, cached in decoded.items() if cached is not None}

    @staticmethod
    def _decode(product_id: str, raw: bytes | str | None) -> Cached | None:
        if raw is None:
            return None
        if raw in (b"", ""):
            return DELETED
        try:
            return Product.model_validate_json(raw)
        except ValidationError:
            log.warning("malformed product cache entry for %s", product_id)
            return None
