"""Connections to the engines, opened once per process (API or stream worker) and shared."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from elasticsearch import AsyncElasticsearch
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import BlockingConnectionPool, Redis

from adapters.object_store import ObjectStore
from config import Settings


@dataclass
class Clients:
    """Postgres pool, Mongo catalog database, Redis and Elasticsearch, all asyncio; the media
    bucket (boto3, called from threads)."""

    settings: Settings
    pg: AsyncConnectionPool
    mongo: AsyncDatabase
    redis: Redis
    es: AsyncElasticsearch
    objects: ObjectStore


@asynccontextmanager
async def open_clients(settings: Settings, pool_size: int | None = None) -> AsyncIterator[Clients]:
    max_size = pool_size or settings.postgres_pool_size
    pg = AsyncConnectionPool(
        settings.postgres_dsn,
        min_size=min(2, max_size),
        max_size=max_size,
        kwargs={"row_factory": dict_row},
        open=False,
    )
    await pg.open(wait=True, timeout=30)
    # Bounded waits: a stuck catalog server must fail requests, not hang them.
    mongo_client: AsyncMongoClient = AsyncMongoClient(
        settings.mongo_url,
        tz_aware=True,
        serverSelectionTimeoutMS=settings.mongo_timeout_ms,
        socketTimeoutMS=10000,
    )
    # Bounded: a burst of requests waits for a connection instead of opening one socket each.
    redis = Redis.from_pool(
        BlockingConnectionPool.from_url(
            settings.redis_url, max_connections=settings.redis_pool_size, decode_responses=True
        )
    )
    es = AsyncElasticsearch(settings.elasticsearch_url, request_timeout=10)
    try:
        yield Clients(
            settings, pg, mongo_client[settings.mongo_db], redis, es, ObjectStore(settings)
        )
    finally:
        await es.close()
        await redis.aclose()
        await mongo_client.close()
        await pg.close()
