"""Connections to the engines, opened once per API process and shared by all requests."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from elasticsearch import AsyncElasticsearch
from fastapi import Depends, Request
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import Redis

from schemas.settings import Settings


@dataclass
class Clients:
    settings: Settings
    pg: AsyncConnectionPool
    mongo: AsyncDatabase
    redis: Redis
    es: AsyncElasticsearch


def get_clients(request: Request) -> Clients:
    """FastAPI dependency: the process-wide engine connections (opened by the app lifespan).

    Lives here rather than in ``api.app`` so routers can import it without a cycle
    (``api.app`` imports every router).
    """
    return request.app.state.clients


ClientsDep = Annotated[Clients, Depends(get_clients)]


@asynccontextmanager
async def open_clients(settings: Settings) -> AsyncIterator[Clients]:
    pg = AsyncConnectionPool(
        settings.postgres_dsn,
        min_size=2,
        max_size=settings.postgres_pool_size,
        kwargs={"row_factory": dict_row},
        open=False,
    )
    await pg.open(wait=True, timeout=30)
    mongo_client: AsyncMongoClient = AsyncMongoClient(settings.mongo_url, tz_aware=True)
    redis = Redis.from_url(settings.redis_url, decode_responses=True)
    es = AsyncElasticsearch(settings.elasticsearch_url, request_timeout=10)
    try:
        yield Clients(settings, pg, mongo_client[settings.mongo_db], redis, es)
    finally:
        await es.close()
        await redis.aclose()
        await mongo_client.close()
        await pg.close()
