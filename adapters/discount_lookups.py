"""Each shopper's budget of failed discount code lookups, in Redis.

A lookup spends one unit before the code is read (atomically, so parallel guesses cannot all
slip under the budget) and gives it back when the code was found running, so only codes that
did not exist for the shopper (unknown, retired, not started, expired) stay counted. The
budget is ``SHOP_DISCOUNT_LOOKUP_FAILURES`` per ``SHOP_DISCOUNT_LOOKUP_WINDOW_SECONDS``,
counted from the shopper's first lookup of the window; past it every lookup is refused, a
right guess too, until the window ends.

Redis unreachable: lookups are not counted (logged), as the rate limiter fails open; checkout
answers 503 without Redis anyway.
"""

import logging
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.redis_scripts import script
from config import Settings

log = logging.getLogger(__name__)

# KEYS: the shopper's counter. ARGV: window s, budget. 0 when spent, else the seconds left in
# the window (the unit refused is not counted).
_SPEND = """
redis.call('SET', KEYS[1], 0, 'EX', ARGV[1], 'NX')
local spent = redis.call('INCR', KEYS[1])
if spent > tonumber(ARGV[2]) then
  redis.call('DECR', KEYS[1])
  return math.max(1, redis.call('TTL', KEYS[1]))
end
return 0
"""

_GIVE_BACK = """
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 0
"""


def _key(user_id: uuid.UUID) -> str:
    return f"discount-lookups:{user_id}"


@dataclass(frozen=True)
class LookupBudget:
    redis: Redis
    settings: Settings

    async def spend(self, user_id: uuid.UUID) -> int:
        """Spends one lookup of the shopper's: 0, or the seconds until one may be spent."""
        args = [
            self.settings.discount_lookup_window_seconds,
            self.settings.discount_lookup_failures,
        ]
        try:
            return int(await script(self.redis, _SPEND)(keys=[_key(user_id)], args=args))
        except RedisError:
            log.warning("discount lookup budget unavailable (Redis): not counting")
            return 0

    async def give_back(self, user_id: uuid.UUID) -> None:
        """The lookup found a running code: it costs nothing."""
        try:
            await script(self.redis, _GIVE_BACK)(keys=[_key(user_id)])
        except RedisError:
            log.warning("discount lookup budget unavailable (Redis): not given back")
