"""The derived copies of stock: Redis ``stock:{pid}`` and Mongo product ``quantity``.

Each copy is written conditionally on the LSN of the inventory change it holds, atomically
inside its own engine (a Lua script in Redis, a filtered update in Mongo), so concurrent,
repeated or reordered deliveries can never put an older figure back.
"""

from dataclasses import dataclass

from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import Redis

from adapters import catalog_store
from domain.stock_sync import StockChange
from schemas.redis_keys import stock_key, stock_lsn_key

# LSNs are compared as 20-digit zero-padded strings: exact for any 64-bit LSN (Lua numbers
# are doubles), and equal-width decimal strings order like the numbers.
_SET_IF_NEWER = """
local stored = redis.call('GET', KEYS[2])
if stored and stored >= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
return 1
"""


def lsn_text(lsn: int) -> str:
    return f"{lsn:020d}"


async def set_cached_stock(redis: Redis, change: StockChange, key_prefix: str = "") -> bool:
    """True when the cache took the change (its LSN is newer than the cached one's).

    ``key_prefix`` puts a whole cache beside the live one (tests of ``shopctl replay``).
    """
    script = redis.register_script(_SET_IF_NEWER)
    keys = [
        key_prefix + stock_key(change.product_id),
        key_prefix + stock_lsn_key(change.product_id),
    ]
    return bool(await script(keys=keys, args=[change.available, lsn_text(change.lsn)]))


@dataclass
class RedisStock:
    """The cache sink of stock sync (and of the cache replay)."""

    redis: Redis
    key_prefix: str = ""

    async def apply(self, change: StockChange) -> None:
        await set_cached_stock(self.redis, change, self.key_prefix)


@dataclass
class CatalogQuantity:
    """The product ``quantity`` sink of stock sync."""

    mongo: AsyncDatabase

    async def apply(self, change: StockChange) -> None:
        await catalog_store.set_quantity(
            self.mongo, change.product_id, change.available, change.lsn
        )
