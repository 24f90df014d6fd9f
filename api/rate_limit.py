"""Fixed-window request limits in Redis: per client IP on every route, per user once signed in.

One Lua call per check (INCR, and EXPIRE on the window's first hit) keeps the count atomic across
API processes. A fixed window lets a burst of up to twice the limit straddle a boundary; that is
accepted for a coarse abuse guard and costs a single key per subject and window.
"""

import logging
import math
import time

from fastapi import Request
from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.redis_keys import rate_limit_key
from adapters.redis_scripts import COUNT_HIT, script
from api.deps import clients_of
from api.errors import ApiError
from api.metrics import DEGRADED_REQUESTS

log = logging.getLogger(__name__)

_COUNT_HIT = COUNT_HIT + "return count_hit(KEYS[1], ARGV[1])"


IP_COUNTED = "shopstream.ip_counted"
"""Set in the request's scope by a middleware that already counted the address
(``api.sold_out``), so the route does not count it twice."""


def window_position(now: float, window_seconds: int) -> tuple[int, int]:
    """(index of the window containing ``now``, whole seconds until the next one starts)."""
    index = int(now // window_seconds)
    return index, max(1, math.ceil((index + 1) * window_seconds - now))


def window_key(scope: str, subject: str, window_seconds: int) -> str:
    """The counter of ``subject``'s requests in the current window."""
    window, _ = window_position(time.time(), window_seconds)
    return rate_limit_key(scope, subject, window)


def over_limit(hits: int, limit: int, window_seconds: int) -> ApiError | None:
    """The 429 (with Retry-After) once a window's ``hits`` pass ``limit``."""
    if hits <= limit:
        return None
    _, retry_after = window_position(time.time(), window_seconds)
    return ApiError(
        429,
        "rate_limited",
        f"too many requests; retry in {retry_after}s",
        headers={"Retry-After": str(retry_after)},
    )


async def enforce_limit(
    redis: Redis, scope: str, subject: str, limit: int, window_seconds: int
) -> None:
    """Counts one request of ``subject``; raises 429 with Retry-After once over ``limit``."""
    count_hit = script(redis, _COUNT_HIT)
    hits = await count_hit(keys=[window_key(scope, subject, window_seconds)], args=[window_seconds])
    if (refused := over_limit(int(hits), limit, window_seconds)) is not None:
        raise refused


async def limit_by_ip(request: Request) -> None:
    """App-wide dependency. Uses the socket peer: put a trusted proxy's header here if deployed
    behind one, never a client-supplied X-Forwarded-For."""
    if request.scope.get(IP_COUNTED):
        return
    settings = clients_of(request).settings
    ip = request.client.host if request.client else "unknown"
    await _count_request(request, "ip", ip, settings.rate_limit_per_ip)


async def limit_by_user(request: Request, user_id: str) -> None:
    """Called by the authentication dependency once the token names the user."""
    await _count_request(request, "user", user_id, clients_of(request).settings.rate_limit_per_user)


async def _count_request(request: Request, scope: str, subject: str, limit: int) -> None:
    """Fails open: with Redis unreachable the request goes on, logged and counted
    (``shopstream_degraded_requests``), so browsing survives a Redis outage."""
    clients = clients_of(request)
    try:
        await enforce_limit(
            clients.redis, scope, subject, limit, clients.settings.rate_limit_window_seconds
        )
    except RedisError:
        log.warning("rate limiter unavailable (Redis): %s limit not enforced", scope)
        DEGRADED_REQUESTS.labels(dependency="redis", feature=f"rate_limit_{scope}").inc()
