"""Commerce fixtures: the real engines, the in-process API, and the payment gateway process.

A missing engine fails the session with a message saying which one; nothing is skipped.
"""

from collections.abc import AsyncIterator, Callable, Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI

from adapters.connections import Clients
from ops.migrate import apply_migrations
from schemas.settings import Settings, get_settings
from tests.commerce.factories import Shopper, create_shopper, forget_test_products
from tests.commerce.gateway_process import GatewayDidNotStart, running_gateway
from tests.commerce.inprocess import in_process_api

GATEWAY_CLIENT_TIMEOUT_SECONDS = 0.5
UNLIMITED = 1_000_000_000
TEST_REDIS_DB = 15
"""The live stock-sync stream writes ``stock:*`` in the stack's Redis database; the tests use
their own, so the cache values they set on purpose (stale, too high) stay as set."""


@pytest.fixture(scope="session")
def engines(require_engine: Callable[[str], None]) -> None:
    """Fails (never skips) naming the engine that is down; then brings the schema up to date."""
    for engine in ("postgres", "redis", "ferretdb"):
        require_engine(engine)
    apply_migrations(get_settings())


@pytest.fixture(scope="session")
def gateway_url() -> Iterator[str]:
    try:
        with running_gateway() as url:
            yield url
    except GatewayDidNotStart as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def app_settings(engines: None, gateway_url: str) -> Settings:
    """Own Redis database, rate limits lifted (runs share client IPs), fast gateway timeouts."""
    stack = get_settings()
    return stack.model_copy(
        update={
            "redis_url": urlsplit(stack.redis_url)._replace(path=f"/{TEST_REDIS_DB}").geturl(),
            "gateway_url": gateway_url,
            "gateway_timeout_seconds": GATEWAY_CLIENT_TIMEOUT_SECONDS,
            "rate_limit_per_ip": UNLIMITED,
            "rate_limit_per_user": UNLIMITED,
        }
    )


@pytest.fixture(scope="session")
async def served(app_settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with in_process_api(app_settings) as (app, client):
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
