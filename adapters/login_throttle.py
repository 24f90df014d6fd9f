"""Failed logins slow their source down: per (account, client address) and per address, never
per account alone, so failures from elsewhere never lock the owner out.

After ``SHOP_LOGIN_FREE_FAILURES`` failures within ``SHOP_LOGIN_FAILURE_WINDOW_SECONDS`` (for
one account from one address; ten times as many from one address over every account, which
many people may share), every further failure locks that pair or address for twice as long
as the last, from 1 s up to ``SHOP_LOGIN_MAX_LOCKOUT_SECONDS``. A locked login is answered 429
with ``Retry-After`` before any password is hashed, so guessing costs the attacker time and
the server nothing. An unknown email is counted like a known one: the answer never tells who
has an account. A success clears the pair's failures (not the address's).

Redis holds the counters; when it is unreachable logins are not throttled (logged), and the
bounded hashing of ``adapters.passwords`` still protects the cores.
"""

import hashlib
import logging
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.redis_scripts import script
from config import Settings

log = logging.getLogger(__name__)

# KEYS: lock keys. Returns the longest remaining lock in ms (0: none).
_LOCKED_FOR = """
local longest = 0
for _, key in ipairs(KEYS) do
  local left = redis.call('PTTL', key)
  if left > longest then longest = left end
end
return longest
"""

# KEYS: (failures, lock) per subject. ARGV: window s, max lockout s, then free failures per
# subject. Counts the failure; locks a subject past its free failures, doubling each time.
_FAILED = """
local window, longest = tonumber(ARGV[1]), tonumber(ARGV[2])
for i = 1, #KEYS / 2 do
  local failures = redis.call('INCR', KEYS[2 * i - 1])
  if failures == 1 then redis.call('EXPIRE', KEYS[2 * i - 1], window) end
  local over = failures - tonumber(ARGV[2 + i])
  if over > 0 then
    redis.call('SET', KEYS[2 * i], failures, 'EX', math.min(longest, 2 ^ (over - 1)))
  end
end
return 0
"""


@dataclass(frozen=True)
class LoginThrottle:
    redis: Redis
    settings: Settings

    def _subjects(self, email: str, address: str) -> list[tuple[str, int]]:
        """(key stem, free failures) per subject; emails are hashed (no addresses in keys)."""
        account = hashlib.sha256(email.encode()).hexdigest()[:32]
        free = self.settings.login_free_failures
        return [(f"login:pair:{account}:{address}", free), (f"login:ip:{address}", free * 10)]

    async def locked_for(self, email: str, address: str) -> float:
        """Seconds until a login for this account from this address may be tried (0: now)."""
        keys = [f"{stem}:lock" for stem, _ in self._subjects(email, address)]
        try:
            locked = script(self.redis, _LOCKED_FOR)
            return int(await locked(keys=keys)) / 1000
        except RedisError:
            log.warning("login throttle unavailable: not throttling")
            return 0.0

    async def failed(self, email: str, address: str) -> None:
        subjects = self._subjects(email, address)
        keys = [key for stem, _ in subjects for key in (f"{stem}:failures", f"{stem}:lock")]
        args = [
            self.settings.login_failure_window_seconds,
            self.settings.login_max_lockout_seconds,
            *(free for _, free in subjects),
        ]
        try:
            await script(self.redis, _FAILED)(keys=keys, args=args)
        except RedisError:
            log.warning("login throttle unavailable: failure not counted")

    async def succeeded(self, email: str, address: str) -> None:
        (stem, _), _ = self._subjects(email, address)
        try:
            await self.redis.delete(f"{stem}:failures", f"{stem}:lock")
        except RedisError:
            log.warning("login throttle unavailable: failures not cleared")
