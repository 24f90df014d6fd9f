"""Connections to the engines and the payment gateway, opened once per API process."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

import httpx
from elasticsearch import AsyncElasticsearch
from fastapi import Depends, Request
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import BlockingConnectionPool, Redis

from api.gateway import PaymentGateway
from schemas.settings import Settings


@dataclass
class Clients:
    settings: Settings
    pg: AsyncConnectionPool
    mongo: AsyncDatabase
    redis: Redis
    es: AsyncElasticsearch
    gateway: PaymentGateway


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
    # Bounded: a burst of requests waits for a connection instead of opening one socket each.
    redis = Redis.from_pool(
        BlockingConnectionPool.from_url(
            settings.redis_url, max_connections=settings.redis_pool_size, decode_responses=True
        )
    )
    es = AsyncElasticsearch(settings.elasticsearch_url, request_timeout=10)
    gateway_http = httpx.AsyncClient(
        base_url=settings.gateway_url, timeout=settings.gateway_timeout_seconds
    )
    gateway = PaymentGateway(gateway_http, settings.gateway_retries)
    try:
        yield Clients(settings, pg, mongo_client[settings.mongo_db], redis, es, gateway)
    finally:
        await gateway_http.aclose()
        await es.close()
        await redis.aclose()
        await mongo_client.close()
        await pg.close()


def get_clients(request: Request) -> Clients:
    """FastAPI dependency: the process-wide engine connections."""
    return request.app.state.clients


ClientsDep = Annotated[Clients, Depends(get_clients)]
