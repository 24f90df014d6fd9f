"""Order status history rows in Postgres and the live status channel in Redis."""

from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis

from schemas.order_status import StatusChange
from schemas.redis_keys import order_status_channel

HISTORY_SOURCE = "cdc"


class PostgresStatusHistory:
    def __init__(self, pg: AsyncConnectionPool) -> None:
        self.pg = pg

    async def record(self, change: StatusChange) -> None:
        """One row per status; a repeat keeps the first timestamp."""
        async with self.pg.connection() as conn:
            await conn.execute(
                "INSERT INTO order_status_history (order_id, status, changed_at, source)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (order_id, status) DO NOTHING",
                (change.order_id, change.status, change.changed_at, HISTORY_SOURCE),
            )


class RedisStatusFeed:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def publish(self, change: StatusChange) -> None:
        await self.redis.publish(order_status_channel(change.order_id), change.to_json())
