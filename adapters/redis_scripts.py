"""Lua scripts registered once per Redis client, not once per call.

``Redis.register_script`` hashes the script (SHA-1) each time it is called; on the hot paths
(the rate limiter and the checkout gate, several times per request) that was measurable CPU.
"""

from functools import lru_cache

from redis.asyncio import Redis
from redis.commands.core import AsyncScript


@lru_cache(maxsize=256)
def script(redis: Redis, source: str) -> AsyncScript:
    """The script on ``redis``, callable as ``await script(redis, source)(keys=..., args=...)``."""
    return redis.register_script(source)


COUNT_HIT = """
local function count_hit(counter, window_seconds)
  local hits = redis.call('INCR', counter)
  if hits == 1 then redis.call('EXPIRE', counter, window_seconds) end
  return hits
end
"""
"""A Lua function counting one request in a fixed rate-limit window (the key expires with its
window): the rate limiter's whole script, and the first step of the scripts that answer a
request from Redis alone (``api.lanes``)."""
