"""Live order status: published on Redis by the stream workers, fanned out to the SSE streams.

``RedisStatusFeed`` publishes each status change on the order's channel (JSON, camelCase).

``StatusFanout``: one Redis connection per API process, pattern-subscribed to every order's
status channel, hands each change to the streams watching that order (in-process queues).
A thousand open streams cost one connection, and the request pool stays free for requests.
If that connection fails, every stream ends (clients reconnect) and the next stream opens a
new one.

``StreamSlots``: at most ``SHOP_SSE_STREAMS_PER_USER`` open streams per user across all API
processes (a sorted set per user in Redis; a slot whose stream stopped renewing it expires).
"""

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

from redis.asyncio import Redis

from adapters.redis_keys import order_status_channel, stream_slots_key
from adapters.redis_scripts import script
from domain.orders import OrderStatus
from domain.status_history import StatusChange

log = logging.getLogger(__name__)

QUEUE_LIMIT = 64  # changes waiting per stream; an order has at most a handful
_ENDED = None  # put on every queue when the subscription fails: the streams end


def status_json(change: StatusChange) -> str:
    return json.dumps(
        {
            "orderId": change.order_id,
            "status": change.status,
            "changedAt": change.changed_at.isoformat(),
        }
    )


def status_from_json(text: str | bytes) -> StatusChange:
    fields = json.loads(text)
    return StatusChange(
        fields["orderId"],
        OrderStatus(fields["status"]),
        datetime.fromisoformat(fields["changedAt"]),
    )


class RedisStatusFeed:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def publish(self, change: StatusChange) -> None:
        await self.redis.publish(order_status_channel(change.order_id), status_json(change))


class StatusFanout:
    def __init__(self, redis_url: str) -> None:
        self._url = redis_url
        self._queues: dict[str, set[asyncio.Queue]] = {}
        self._reader: asyncio.Task | None = None
        self._subscribed = asyncio.Event()

    async def _read(self) -> None:
        redis = Redis.from_url(self._url, decode_responses=True)  # its own connection
        prefix = order_status_channel("")
        try:
            async with redis.pubsub() as pubsub:
                await pubsub.psubscribe(order_status_channel("*"))
                self._subscribed.set()
                async for message in pubsub.listen():
                    if message["type"] != "pmessage":
                        continue
                    order_id = message["channel"].removeprefix(prefix)
                    for queue in list(self._queues.get(order_id, ())):
                        with contextlib.suppress(asyncio.QueueFull):
                            queue.put_nowait(message["data"])
        except Exception:
            log.exception("order status subscription failed: open streams end")
        finally:
            self._subscribed.clear()
            for queues in self._queues.values():
                for queue in queues:
                    with contextlib.suppress(asyncio.QueueFull):
                        queue.put_nowait(_ENDED)
            await redis.aclose()

    async def _ensure_reader(self, timeout: float) -> None:
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read())
        await asyncio.wait_for(self._subscribed.wait(), timeout)

    @contextlib.asynccontextmanager
    async def watch(self, order_id: str, timeout: float = 5.0) -> AsyncIterator[asyncio.Queue]:
        """A queue of the order's status changes (JSON text; None: the feed ended), live from
        the moment this returns: subscribe first, then read the current status."""
        await self._ensure_reader(timeout)
        queue: asyncio.Queue = asyncio.Queue(QUEUE_LIMIT)
        self._queues.setdefault(order_id, set()).add(queue)
        try:
            yield queue
        finally:
            watchers = self._queues.get(order_id, set())
            watchers.discard(queue)
            if not watchers:
                self._queues.pop(order_id, None)

    def watching(self, order_id: str) -> int:
        """How many streams of this process follow the order."""
        return len(self._queues.get(order_id, ()))

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader


# KEYS[1]: the user's slots. ARGV: now ms, stream id, slot expiry ms, cap.
_TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return 1
"""


class StreamSlots:
    def __init__(self, redis: Redis, per_user: int, lease_seconds: float) -> None:
        self._redis = redis
        self._per_user = per_user
        self._lease_ms = int(lease_seconds * 1000)

    async def take(self, user_id: uuid.UUID) -> str | None:
        """A slot for a new stream, or None when the user has all of theirs open."""
        stream_id = uuid.uuid4().hex
        now = int(time.time() * 1000)
        taken = await script(self._redis, _TAKE)(
            keys=[stream_slots_key(str(user_id))],
            args=[now, stream_id, now + self._lease_ms, self._per_user],
        )
        return stream_id if taken else None

    async def renew(self, user_id: uuid.UUID, stream_id: str) -> None:
        expires = int(time.time() * 1000) + self._lease_ms
        key = stream_slots_key(str(user_id))
        await self._redis.zadd(key, {stream_id: expires}, xx=True)
        await self._redis.pexpireat(key, expires)

    async def give_back(self, user_id: uuid.UUID, stream_id: str) -> None:
        with contextlib.suppress(Exception):  # else it expires with its lease
            await self._redis.zrem(stream_slots_key(str(user_id)), stream_id)
