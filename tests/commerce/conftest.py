"""Commerce fixtures: the real engines, the in-process API, and the payment gateway process.

A missing engine fails the session with a message saying which one; nothing is skipped.
"""

from collections.abc import AsyncIterator, Iterator

import httpx
import psycopg
import pymongo
import pytest
import redis
from fastapi import FastAPI

from api.clients import Clients
from ops.migrate import apply_migrations
from schemas.settings import Settings, get_settings
from tests.commerce.factories import Shopper, create_shopper, forget_test_products
from tests.commerce.gateway_process import GatewayDidNotStart, running_gateway
from tests.commerce.inprocess import in_process_api

GATEWAY_CLIENT_TIMEOUT_SECONDS = 0.5
UNLIMITED = 1_000_000_000


def _unreachable_engines(settings: Settings) -> list[str]:
    problems = []
    try:
        psycopg.connect(settings.postgres_dsn, connect_timeout=3).close()
    except psycopg.Error as exc:
        problems.append(f"PostgreSQL {settings.postgres_host}:{settings.postgres_port}: {exc}")
    try:
        redis.Redis.from_url(settings.redis_url, socket_timeout=3).ping()
    except redis.RedisError as exc:
        problems.append(f"Redis {settings.redis_url}: {exc}")
    try:
        with pymongo.MongoClient(
            settings.mongo_url, serverSelectionTimeoutMS=3000, socketTimeoutMS=5000
        ) as mongo:
            mongo.admin.command("ping")
    except pymongo.errors.PyMongoError as exc:
        problems.append(f"MongoDB/FerretDB {settings.mongo_url}: {exc}")
    return problems


@pytest.fixture(scope="session")
def engines() -> None:
    problems = _unreachable_engines(get_settings())
    if problems:
        pytest.fail(
            "commerce tests need the real engines (start them with `make up`):\n  "
            + "\n  ".join(problems),
            pytrace=False,
        )
    apply_migrations(get_settings())


@pytest.fixture(scope="session")
def gateway_url() -> Iterator[str]:
    try:
        with running_gateway() as url:
            yield url
    except GatewayDidNotStart as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def settings(engines: None, gateway_url: str) -> Settings:
    """Rate limits lifted (runs share client IPs); fast gateway timeouts."""
    return get_settings().model_copy(
        update={
            "gateway_url": gateway_url,
            "gateway_timeout_seconds": GATEWAY_CLIENT_TIMEOUT_SECONDS,
            "rate_limit_per_ip": UNLIMITED,
            "rate_limit_per_user": UNLIMITED,
        }
    )


@pytest.fixture(scope="session")
async def served(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with in_process_api(settings) as (app, client):
        yield app, client
        await forget_test_products(app.state.clients)


@pytest.fixture(scope="session")
def clients(served: tuple[FastAPI, httpx.AsyncClient]) -> Clients:
    return served[0].state.clients


@pytest.fixture(scope="session")
def api(served: tuple[FastAPI, httpx.AsyncClient]) -> httpx.AsyncClient:
    return served[1]


@pytest.fixture
async def shopper(clients: Clients) -> Shopper:
    return await create_shopper(clients)


@pytest.fixture
async def other_shopper(clients: Clients) -> Shopper:
    return await create_shopper(clients)
