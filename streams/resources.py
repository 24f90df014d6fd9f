"""Engine connections shared by the agents of one worker process, opened on first use."""

from dataclasses import dataclass
from functools import cache

from elasticsearch import AsyncElasticsearch
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import Redis

from schemas.settings import Settings, get_settings


@dataclass
class Resources:
    settings: Settings
    pg: AsyncConnectionPool
    mongo: AsyncDatabase
    redis: Redis
    es: AsyncElasticsearch

    async def ready(self) -> "Resources":
        await self.pg.open(wait=True, timeout=30)
        return self


@cache
def _build() -> Resources:
    settings = get_settings()
    return Resources(
        settings=settings,
        pg=AsyncConnectionPool(
            settings.postgres_dsn,
            min_size=1,
            max_size=8,
            kwargs={"row_factory": dict_row},
            open=False,
        ),
        mongo=AsyncMongoClient(settings.mongo_url, tz_aware=True)[settings.mongo_db],
        redis=Redis.from_url(settings.redis_url, decode_responses=True),
        es=AsyncElasticsearch(settings.elasticsearch_url, request_timeout=10),
    )


async def resources() -> Resources:
    """The process-wide connections; the pool opens once (``open`` is idempotent)."""
    return await _build().ready()
