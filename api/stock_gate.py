"""The flash-sale gate: sheds checkouts in Redis before they reach Postgres.

One Lua call per checkout over all its lines, so the check and the decrements are atomic. The
gate only ever says "no" early: a cached count below the wanted quantity sheds the checkout; a
missing count (cache miss) lets Postgres decide. Postgres stays the arbiter, so a stale or too
high count can cost a wasted transaction but never an oversell.

The gate key of an order records what it took, which makes admission idempotent per order and
lets a failed checkout give back exactly what it took, once. ``first_sold_out`` is a read-only
look taken before validation, so the losers of a sale cost one round trip; only validated
checkouts reach ``admit``, so junk requests cannot drain the counters.
"""

import uuid
from collections.abc import Mapping, Sequence

from redis.asyncio import Redis

from domain.checkout import OrderLine
from schemas.redis_keys import checkout_gate_key, stock_key

_ADMITTED_MARK = "admitted"

# KEYS[1]: the order's gate key; KEYS[2..]: stock keys; ARGV[1]: gate TTL; ARGV[2..]: quantities.
# Returns 0 when admitted (now or before), else the 1-based index of the line that was shed.
_ADMIT = f"""
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 2, #KEYS do
  local cached = redis.call('GET', KEYS[i])
  if cached and tonumber(cached) < tonumber(ARGV[i]) then return i - 1 end
end
redis.call('HSET', KEYS[1], '{_ADMITTED_MARK}', '1')
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('DECRBY', KEYS[i], ARGV[i])
    redis.call('HSET', KEYS[1], KEYS[i], ARGV[i])
  end
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 0
"""

# KEYS[1]: the order's gate key; KEYS[2..]: stock keys the order may have decremented.
_GIVE_BACK = """
for i = 2, #KEYS do
  local taken = redis.call('HGET', KEYS[1], KEYS[i])
  if taken and redis.call('EXISTS', KEYS[i]) == 1 then redis.call('INCRBY', KEYS[i], taken) end
end
return redis.call('DEL', KEYS[1])
"""


async def first_sold_out(redis: Redis, wanted: Mapping[str, int]) -> str | None:
    """A read-only look at the cache before any other work: the product whose cached count is
    below the wanted quantity, if any. Lets a flash sale's losers leave after one Redis round
    trip; admission itself (``admit``) still decides atomically later."""
    product_ids = sorted(wanted)
    counts = await redis.mget([stock_key(pid) for pid in product_ids])
    return next(
        (
            pid
            for pid, n in zip(product_ids, counts, strict=True)
            if n is not None and int(n) < wanted[pid]
        ),
        None,
    )


async def admit(
    redis: Redis, order_id: uuid.UUID, lines: Sequence[OrderLine], ttl_seconds: int
) -> str | None:
    """None when the order may go on to Postgres, else the product id it was shed on."""
    script = redis.register_script(_ADMIT)
    shed_at = await script(
        keys=[checkout_gate_key(str(order_id)), *(stock_key(ln.product_id) for ln in lines)],
        args=[ttl_seconds, *(line.quantity for line in lines)],
    )
    return lines[int(shed_at) - 1].product_id if int(shed_at) else None


async def give_back(redis: Redis, order_id: uuid.UUID, lines: Sequence[OrderLine]) -> None:
    """Undoes this order's admission; a second call (or a call without admission) is a no-op."""
    script = redis.register_script(_GIVE_BACK)
    await script(
        keys=[checkout_gate_key(str(order_id)), *(stock_key(ln.product_id) for ln in lines)]
    )
